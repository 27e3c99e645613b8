"""PostgreSQL triggers that make the database itself refuse forged history (issue 20, item 4).

Table privileges (store/db/pg_roles.py) say which tables a group role may write; they cannot say
*which rows*. These triggers do, from the login (`session_user`), never from the row:

- audit, handover_addendum, template_usage: the actor column is the login's agent (a missing one
  is filled in; another agent's id is refused).
- ticket_event: the actor is the login's agent or nobody (the system's own events: customer
  messages, breaches); a reply or a note always has its author; an agent adds events only to
  tickets they hold or that nobody holds.
- ticket: an agent changes only tickets they hold or that nobody holds, and gives them only to
  themselves or to nobody (leads and supervisors any); a change of status, holder or priority
  commits only with an audit row written in the same transaction.
- reply_draft, presence: only the login's own rows, for every role.
- handover: drafted and submitted by the login itself; a submitted one is fixed and never a draft
  again; it is acknowledged once, by a login that is not its author.

Exempt are the tables' owner (migrations, `shiftdesk init`, superusers) and members of the
`<prefix>_service` role (a shared login an intake feed uses, trusted to act for anyone). Any other
login must be an active agent of the same name, or its writes to these tables are refused.
The SQL is idempotent (CREATE OR REPLACE, DROP TRIGGER IF EXISTS), printed by `shiftdesk db grants`.
"""

from __future__ import annotations

REFUSED = "42501"  # insufficient_privilege: psycopg raises InsufficientPrivilege, "permission denied: ..."

# (table, function, events, argument)
TRIGGERS = (
    ("audit", "sd_stamp_actor", "INSERT", "actor_id"),
    ("handover_addendum", "sd_stamp_actor", "INSERT", "author_id"),
    ("template_usage", "sd_stamp_actor", "INSERT", "agent_id"),
    ("reply_draft", "sd_own_rows", "INSERT OR UPDATE OR DELETE", "agent_id"),
    ("presence", "sd_own_rows", "INSERT OR UPDATE OR DELETE", "agent_id"),
    ("ticket_event", "sd_event_guard", "INSERT", ""),
    ("ticket", "sd_ticket_guard", "INSERT OR UPDATE", ""),
    ("handover", "sd_handover_guard", "INSERT OR UPDATE", ""),
)
# Events only an agent makes: never recorded without their author.
AUTHORED_KINDS = ("agent_reply", "internal_note", "escalated")


def guard_sql(schema: str, service_role: str) -> str:
    """CREATE OR REPLACE the guard functions in `schema` and (re)attach their triggers."""
    s = schema
    deny = f"USING ERRCODE = '{REFUSED}'"
    authored = ", ".join(f"'{k}'" for k in AUTHORED_KINDS)
    body = f"""
CREATE OR REPLACE FUNCTION {s}.sd_whoami(rel oid, OUT trusted boolean, OUT me integer, OUT my_role text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
BEGIN
  trusted := true;
  IF pg_has_role(session_user, (SELECT c.relowner FROM pg_class c WHERE c.oid = rel), 'MEMBER') THEN RETURN; END IF;
  IF EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = '{service_role}') THEN
    IF pg_has_role(session_user, '{service_role}', 'MEMBER') THEN RETURN; END IF;
  END IF;
  trusted := false;
  SELECT a.id, a.role INTO me, my_role FROM {s}.agent a WHERE a.name = session_user AND a.active;
  IF me IS NULL THEN
    RAISE EXCEPTION 'permission denied: login % is no active Shiftdesk agent', session_user {deny},
      HINT = 'add an agent of that name, or grant the login {service_role} if it is a shared service login';
  END IF;
END $f$;

CREATE OR REPLACE FUNCTION {s}.sd_stamp_actor() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE w record; given text;
BEGIN
  w := {s}.sd_whoami(TG_RELID);
  IF w.trusted THEN RETURN NEW; END IF;
  given := to_jsonb(NEW) ->> TG_ARGV[0];
  IF given IS NULL THEN
    NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], w.me));
  ELSIF given::integer <> w.me THEN
    RAISE EXCEPTION 'permission denied: % may not write % rows as another agent (%.% = %)',
      session_user, TG_TABLE_NAME, TG_TABLE_NAME, TG_ARGV[0], given {deny};
  END IF;
  RETURN NEW;
END $f$;

CREATE OR REPLACE FUNCTION {s}.sd_own_rows() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE w record;
BEGIN
  w := {s}.sd_whoami(TG_RELID);
  IF w.trusted THEN RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND (to_jsonb(OLD) ->> TG_ARGV[0])::integer IS DISTINCT FROM w.me THEN
    RAISE EXCEPTION 'permission denied: % may change only their own % rows', session_user, TG_TABLE_NAME {deny};
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  IF (to_jsonb(NEW) ->> TG_ARGV[0])::integer IS DISTINCT FROM w.me THEN
    RAISE EXCEPTION 'permission denied: % may write only their own % rows', session_user, TG_TABLE_NAME {deny};
  END IF;
  RETURN NEW;
END $f$;

CREATE OR REPLACE FUNCTION {s}.sd_event_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE w record; holder integer;
BEGIN
  w := {s}.sd_whoami(TG_RELID);
  IF w.trusted THEN RETURN NEW; END IF;
  IF NEW.actor_id IS NOT NULL AND NEW.actor_id <> w.me THEN
    RAISE EXCEPTION 'permission denied: % may not record events as another agent (actor_id = %)',
      session_user, NEW.actor_id {deny};
  END IF;
  IF NEW.actor_id IS NULL AND NEW.kind IN ({authored}) THEN
    RAISE EXCEPTION 'permission denied: a % event is recorded with its author', NEW.kind {deny};
  END IF;
  IF w.my_role = 'agent' AND NEW.kind <> 'sla_breached' THEN
    SELECT t.assignee_id INTO holder FROM {s}.ticket t WHERE t.id = NEW.ticket_id;
    IF holder IS NOT NULL AND holder <> w.me THEN
      RAISE EXCEPTION 'permission denied: ticket #% is held by another agent', NEW.ticket_id {deny};
    END IF;
  END IF;
  RETURN NEW;
END $f$;

CREATE OR REPLACE FUNCTION {s}.sd_ticket_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE w record;
BEGIN
  w := {s}.sd_whoami(TG_RELID);
  IF w.trusted OR w.my_role <> 'agent' THEN RETURN NEW; END IF;
  IF TG_OP = 'UPDATE' AND OLD.assignee_id IS NOT NULL AND OLD.assignee_id <> w.me THEN
    RAISE EXCEPTION 'permission denied: ticket #% is held by another agent (an agent changes their own or unassigned tickets)',
      OLD.id {deny};
  END IF;
  IF NEW.assignee_id IS NOT NULL AND NEW.assignee_id <> w.me THEN
    RAISE EXCEPTION 'permission denied: giving ticket #% to someone else needs the lead role', NEW.id {deny};
  END IF;
  RETURN NEW;
END $f$;

CREATE OR REPLACE FUNCTION {s}.sd_ticket_audited() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE w record;
BEGIN
  w := {s}.sd_whoami(TG_RELID);
  IF w.trusted THEN RETURN NULL; END IF;
  IF NOT EXISTS (SELECT 1 FROM {s}.audit a WHERE a.entity = 'ticket' AND a.entity_id = NEW.id
                 AND a.xmin = (txid_current() % 4294967296)::text::xid) THEN
    RAISE EXCEPTION 'permission denied: ticket #% changed status, holder or priority without an audit row',
      NEW.id {deny};
  END IF;
  RETURN NULL;
END $f$;

CREATE OR REPLACE FUNCTION {s}.sd_handover_guard() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE w record;
BEGIN
  w := {s}.sd_whoami(TG_RELID);
  IF w.trusted THEN RETURN NEW; END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.author_id IS DISTINCT FROM w.me OR NEW.acknowledged_by IS NOT NULL THEN
      RAISE EXCEPTION 'permission denied: % drafts a handover only as themselves', session_user {deny};
    END IF;
    RETURN NEW;
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND (OLD.status, NEW.status) NOT IN
      (('draft', 'submitted'), ('submitted', 'acknowledged')) THEN
    RAISE EXCEPTION 'permission denied: handover #% cannot go from % back to %', OLD.id, OLD.status, NEW.status {deny};
  END IF;
  IF OLD.status <> 'draft' AND (NEW.content::jsonb IS DISTINCT FROM OLD.content::jsonb OR NEW.author_id IS DISTINCT FROM
      OLD.author_id OR NEW.submitted_at IS DISTINCT FROM OLD.submitted_at) THEN
    RAISE EXCEPTION 'permission denied: handover #% is submitted; corrections are addenda', OLD.id {deny};
  END IF;
  IF NEW.author_id IS DISTINCT FROM OLD.author_id AND NEW.author_id IS DISTINCT FROM w.me THEN
    RAISE EXCEPTION 'permission denied: % submits a handover only as themselves', session_user {deny};
  END IF;
  IF NEW.acknowledged_by IS DISTINCT FROM OLD.acknowledged_by AND (OLD.acknowledged_by IS NOT NULL
      OR NEW.acknowledged_by IS DISTINCT FROM w.me OR OLD.author_id = w.me) THEN
    RAISE EXCEPTION 'permission denied: handover #% is acknowledged once, by an incoming lead as themselves',
      OLD.id {deny};
  END IF;
  RETURN NEW;
END $f$;
"""
    lines = [body.strip()]
    for table, function, events, argument in TRIGGERS:
        arg = f"'{argument}'" if argument else ""
        lines.append(f"DROP TRIGGER IF EXISTS {function}_{table} ON {s}.{table};")
        lines.append(f"CREATE TRIGGER {function}_{table} BEFORE {events} ON {s}.{table} "
                     f"FOR EACH ROW EXECUTE FUNCTION {s}.{function}({arg});")
    lines += [
        f"DROP TRIGGER IF EXISTS sd_ticket_audited_ticket ON {s}.ticket;",
        f"CREATE CONSTRAINT TRIGGER sd_ticket_audited_ticket AFTER UPDATE ON {s}.ticket "
        "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status "
        "OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id OR OLD.priority IS DISTINCT FROM NEW.priority) "
        f"EXECUTE FUNCTION {s}.sd_ticket_audited();",
    ]
    return "\n".join(lines) + "\n"


def drop_sql(schema: str) -> str:
    """Take the guard away again (the triggers and their functions)."""
    lines = [f"DROP TRIGGER IF EXISTS {function}_{table} ON {schema}.{table};" for table, function, _, _ in TRIGGERS]
    lines.append(f"DROP TRIGGER IF EXISTS sd_ticket_audited_ticket ON {schema}.ticket;")
    functions = dict.fromkeys(["sd_ticket_audited", *(function for _, function, _, _ in TRIGGERS)])
    lines += [f"DROP FUNCTION IF EXISTS {schema}.{function}();" for function in functions]
    lines.append(f"DROP FUNCTION IF EXISTS {schema}.sd_whoami(oid);")
    return "\n".join(lines) + "\n"
