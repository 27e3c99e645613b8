"""PostgreSQL triggers that make the database itself refuse forged history (issue 20, item 4).

Table privileges (store/db/pg_roles.py) say which tables a group role may write; they cannot say
*which rows*. These triggers do, from the login (`session_user`), never from the row:

- audit, handover_addendum, template_usage: the actor column is the login's agent (a missing one
  is filled in; another agent's id is refused).
- ticket_event: the actor is the login's agent; no actor only for the system's own events: a
  breach the sweep records (`sla_breached`, any role, and only matching a clock breached in the
  same transaction) and what an import records for the customer (SYSTEM_KINDS, supervisors); an
  agent adds events only to tickets they hold or that nobody holds.
- ticket: an agent changes only tickets they hold or that nobody holds, and gives them only to
  themselves or to nobody (leads and supervisors any); a change of status, holder or priority
  commits only with an audit row written in the same transaction.
- reply_draft, presence: only the login's own rows, for every role.
- sla_clock, figure_fact, customer and the rollup_* tables hold what the store derives from an
  action, so they change only as a consequence of one: each guarded event or ticket/customer
  audit row a login writes leaves a voucher (a row in `sd_vouch` for this transaction, which no
  login may write itself), and deferred triggers refuse at commit a clock of a ticket, a fact or
  customer row of a customer, or any rollup row that no voucher of the same transaction covers.
  A supervisor's `team_setting` audit row (the repeat window) vouches for every customer's facts
  and the counters, which its change recomputes. The sweep's voucher (an `sla_breached` event) covers only marking that clock breached at its
  due time against the holder then; a breached outcome is final for everyone.
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
    ("audit", "sd_vouch_audit", "INSERT", ""),  # after sd_stamp_actor_audit (triggers fire by name)
    ("sla_clock", "sd_breach_final", "UPDATE", ""),
)
# Events only an agent makes: never recorded without their author.
AUTHORED_KINDS = ("agent_reply", "internal_note", "escalated")
# Events the store records with no actor for an import (store/intake/apply.py: the ticket arriving,
# the customer writing, a status the source had, a survey, a rule): only supervisors import.
SYSTEM_KINDS = ("created", "customer_message", "status_changed", "survey", "rule_applied")
BREACH_KIND = "sla_breached"
# A breach is recorded at its due time, which must have come: by the database's clock, allowing a
# console's clock this far ahead of it.
CLOCK_SKEW = "5 minutes"  # the sweep's own event: any console records it, for any ticket
# Derived tables: (table, events) each checked at commit against the transaction's vouchers.
DERIVED = (
    ("sla_clock", "sd_clock_vouched", "INSERT OR UPDATE"),
    ("figure_fact", "sd_fact_vouched", "INSERT OR DELETE"),
    ("customer", "sd_customer_vouched", "INSERT OR UPDATE"),
    ("rollup_count", "sd_rollup_vouched", "INSERT OR UPDATE"),
    ("rollup_hist", "sd_rollup_vouched", "INSERT OR UPDATE"),
    ("rollup_open", "sd_rollup_vouched", "INSERT OR UPDATE"),
)
# How a breach may change its clock row: these columns, nothing else.
BREACH_COLUMNS = ("outcome", "breached_at", "ended_at", "breach_agent_id", "agent_id")


def guard_sql(schema: str, service_role: str) -> str:
    """CREATE OR REPLACE the guard functions in `schema` and (re)attach their triggers."""
    s = schema
    deny = f"USING ERRCODE = '{REFUSED}'"
    authored = ", ".join(f"'{k}'" for k in AUTHORED_KINDS)
    system = ", ".join(f"'{k}'" for k in SYSTEM_KINDS)
    breach, skew = BREACH_KIND, CLOCK_SKEW
    breach_columns = ", ".join(f"'{c}'" for c in BREACH_COLUMNS)

    def trigger(name: str, declare: str = "") -> str:
        """A guard's head: SECURITY DEFINER (it reads and writes what the login may not), and who
        the login is (`w`: trusted, me, my_role) before anything else."""
        return (f"CREATE OR REPLACE FUNCTION {s}.{name}() RETURNS trigger\n"
                "LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$\n"
                f"DECLARE w record; {declare}\nBEGIN\n  w := {s}.sd_whoami(TG_RELID);")

    END = "END $f$;"
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

CREATE UNLOGGED TABLE IF NOT EXISTS {s}.sd_vouch (
  xid bigint NOT NULL, scope text NOT NULL, ref bigint NOT NULL, PRIMARY KEY (xid, scope, ref));
REVOKE ALL ON {s}.sd_vouch FROM PUBLIC;

CREATE OR REPLACE FUNCTION {s}.sd_vouch_for(scope text, ref bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
DECLARE cur bigint := txid_current(); customer bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM {s}.sd_vouch v WHERE v.xid = cur) THEN
    -- The first voucher of a transaction clears those of transactions that have all ended.
    DELETE FROM {s}.sd_vouch v WHERE v.xid < txid_snapshot_xmin(txid_current_snapshot());
  END IF;
  INSERT INTO {s}.sd_vouch VALUES (cur, scope, ref) ON CONFLICT DO NOTHING;
  IF scope IN ('t', 'b') THEN
    SELECT t.customer_id INTO customer FROM {s}.ticket t WHERE t.id = ref;
    IF customer IS NOT NULL THEN
      INSERT INTO {s}.sd_vouch VALUES (cur, 'c', customer) ON CONFLICT DO NOTHING;
    END IF;
  END IF;
END $f$;
REVOKE ALL ON FUNCTION {s}.sd_vouch_for(text, bigint) FROM PUBLIC;

CREATE OR REPLACE FUNCTION {s}.sd_vouched(scope text, ref bigint) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $f$
  SELECT EXISTS (SELECT 1 FROM {s}.sd_vouch v WHERE v.xid = txid_current() AND v.scope = $1 AND v.ref = $2)
$f$;

{trigger('sd_stamp_actor', 'given text;')}
  IF w.trusted THEN RETURN NEW; END IF;
  given := to_jsonb(NEW) ->> TG_ARGV[0];
  IF given IS NULL THEN
    NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], w.me));
  ELSIF given::integer <> w.me THEN
    RAISE EXCEPTION 'permission denied: % may not write % rows as another agent (%.% = %)',
      session_user, TG_TABLE_NAME, TG_TABLE_NAME, TG_ARGV[0], given {deny};
  END IF;
  RETURN NEW;
{END}

{trigger('sd_own_rows')}
  IF w.trusted THEN RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END; END IF;
  IF TG_OP IN ('UPDATE', 'DELETE') AND (to_jsonb(OLD) ->> TG_ARGV[0])::integer IS DISTINCT FROM w.me THEN
    RAISE EXCEPTION 'permission denied: % may change only their own % rows', session_user, TG_TABLE_NAME {deny};
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  IF (to_jsonb(NEW) ->> TG_ARGV[0])::integer IS DISTINCT FROM w.me THEN
    RAISE EXCEPTION 'permission denied: % may write only their own % rows', session_user, TG_TABLE_NAME {deny};
  END IF;
  RETURN NEW;
{END}

{trigger('sd_event_guard', 'holder integer;')}
  IF w.trusted THEN RETURN NEW; END IF;
  IF NEW.actor_id IS NOT NULL AND NEW.actor_id <> w.me THEN
    RAISE EXCEPTION 'permission denied: % may not record events as another agent (actor_id = %)',
      session_user, NEW.actor_id {deny};
  END IF;
  IF NEW.actor_id IS NULL AND NEW.kind IN ({authored}) THEN
    RAISE EXCEPTION 'permission denied: a % event is recorded with its author', NEW.kind {deny};
  END IF;
  IF NEW.actor_id IS NULL AND NEW.kind <> '{breach}' AND NOT (w.my_role = 'supervisor' AND NEW.kind IN ({system})) THEN
    RAISE EXCEPTION 'permission denied: a % event without an actor is the system''s own (breaches from the sweep; an import by a supervisor); record it as yourself',
      NEW.kind {deny};
  END IF;
  IF w.my_role = 'agent' AND NEW.kind <> '{breach}' THEN
    SELECT t.assignee_id INTO holder FROM {s}.ticket t WHERE t.id = NEW.ticket_id;
    IF holder IS NOT NULL AND holder <> w.me THEN
      RAISE EXCEPTION 'permission denied: ticket #% is held by another agent', NEW.ticket_id {deny};
    END IF;
  END IF;
  PERFORM {s}.sd_vouch_for(CASE WHEN NEW.kind = '{breach}' THEN 'b' ELSE 't' END, NEW.ticket_id);
  RETURN NEW;
{END}

{trigger('sd_vouch_audit', 'holder integer;')}
  IF w.trusted THEN RETURN NEW; END IF;
  IF NEW.entity = 'customer' THEN
    PERFORM {s}.sd_vouch_for('c', NEW.entity_id);
  ELSIF NEW.entity = 'team_setting' AND w.my_role = 'supervisor' THEN
    -- A supervisor's audited change of how the team counts (the repeat window) recomputes the
    -- report facts of every customer in its transaction.
    PERFORM {s}.sd_vouch_for('all', 0);
  ELSIF NEW.entity = 'ticket' THEN
    SELECT t.assignee_id INTO holder FROM {s}.ticket t WHERE t.id = NEW.entity_id;
    IF FOUND AND (w.my_role <> 'agent' OR holder IS NULL OR holder = w.me) THEN
      PERFORM {s}.sd_vouch_for('t', NEW.entity_id);
    END IF;
  END IF;
  RETURN NEW;
{END}

{trigger('sd_breach_final')}
  IF w.trusted OR OLD.outcome IS DISTINCT FROM 'breached' THEN RETURN NEW; END IF;
  IF (NEW.outcome, NEW.breached_at, NEW.breach_agent_id) IS DISTINCT FROM (OLD.outcome, OLD.breached_at, OLD.breach_agent_id) THEN
    RAISE EXCEPTION 'permission denied: the breach of SLA clock #% is recorded and final', OLD.id {deny};
  END IF;
  RETURN NEW;
{END}

{trigger('sd_clock_vouched', 'holder integer;')}
  IF w.trusted OR {s}.sd_vouched('t', NEW.ticket_id) THEN RETURN NULL; END IF;
  IF TG_OP = 'UPDATE' AND {s}.sd_vouched('b', NEW.ticket_id) AND OLD.outcome IS NULL AND NEW.outcome = 'breached'
      AND OLD.due_at <= clock_timestamp() + interval '{skew}' AND NEW.breached_at = OLD.due_at
      AND NEW.ended_at = OLD.due_at AND NEW.agent_id IS NOT DISTINCT FROM NEW.breach_agent_id
      AND to_jsonb(NEW) - ARRAY[{breach_columns}] = to_jsonb(OLD) - ARRAY[{breach_columns}] THEN
    SELECT (e.data::jsonb ->> 'to')::integer INTO holder FROM {s}.ticket_event e
      WHERE e.ticket_id = NEW.ticket_id AND e.kind = 'assigned' AND e.at <= OLD.due_at
      ORDER BY e.at DESC, e.id DESC LIMIT 1;
    IF NEW.breach_agent_id IS NOT DISTINCT FROM holder THEN RETURN NULL; END IF;
  END IF;
  RAISE EXCEPTION 'permission denied: % may change the SLA clocks of ticket #% only through an action on that ticket',
    session_user, NEW.ticket_id {deny};
{END}

{trigger('sd_fact_vouched', 'row_ticket bigint; customer bigint;')}
  IF w.trusted THEN RETURN NULL; END IF;
  row_ticket := CASE WHEN TG_OP = 'DELETE' THEN OLD.ticket_id ELSE NEW.ticket_id END;
  SELECT t.customer_id INTO customer FROM {s}.ticket t WHERE t.id = row_ticket;
  IF {s}.sd_vouched('c', customer) OR {s}.sd_vouched('all', 0) THEN RETURN NULL; END IF;
  RAISE EXCEPTION 'permission denied: % may change the report facts of ticket #% only through an action on its customer''s tickets',
    session_user, row_ticket {deny};
{END}

{trigger('sd_customer_vouched')}
  IF w.trusted OR {s}.sd_vouched('c', NEW.id) THEN RETURN NULL; END IF;
  RAISE EXCEPTION 'permission denied: % may write customer #% only with a ticket of theirs or an audited change',
    session_user, NEW.id {deny};
{END}

{trigger('sd_rollup_vouched')}
  IF w.trusted OR EXISTS (SELECT 1 FROM {s}.sd_vouch v WHERE v.xid = txid_current()) THEN RETURN NULL; END IF;
  RAISE EXCEPTION 'permission denied: % may move the report counters (%) only through a ticket action',
    session_user, TG_TABLE_NAME {deny};
{END}

{trigger('sd_breach_matches')}
  IF w.trusted THEN RETURN NULL; END IF;
  IF EXISTS (SELECT 1 FROM {s}.sla_clock c WHERE c.ticket_id = NEW.ticket_id AND c.outcome = 'breached'
             AND c.breached_at = NEW.at AND c.metric = NEW.data::jsonb ->> 'metric')
     AND (SELECT count(*) FROM {s}.ticket_event e WHERE e.ticket_id = NEW.ticket_id AND e.kind = '{breach}'
          AND e.at = NEW.at AND e.data::jsonb ->> 'metric' = NEW.data::jsonb ->> 'metric') = 1 THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'permission denied: the {breach} event on ticket #% matches no clock breached at that time (or repeats one)',
    NEW.ticket_id {deny};
{END}

{trigger('sd_ticket_guard')}
  IF w.trusted OR w.my_role <> 'agent' THEN RETURN NEW; END IF;
  IF TG_OP = 'UPDATE' AND OLD.assignee_id IS NOT NULL AND OLD.assignee_id <> w.me THEN
    RAISE EXCEPTION 'permission denied: ticket #% is held by another agent (an agent changes their own or unassigned tickets)',
      OLD.id {deny};
  END IF;
  IF NEW.assignee_id IS NOT NULL AND NEW.assignee_id <> w.me THEN
    RAISE EXCEPTION 'permission denied: giving ticket #% to someone else needs the lead role', NEW.id {deny};
  END IF;
  RETURN NEW;
{END}

{trigger('sd_ticket_audited')}
  IF w.trusted THEN RETURN NULL; END IF;
  IF NOT EXISTS (SELECT 1 FROM {s}.audit a WHERE a.entity = 'ticket' AND a.entity_id = NEW.id
                 AND a.xmin = (txid_current() % 4294967296)::text::xid) THEN
    RAISE EXCEPTION 'permission denied: ticket #% changed status, holder or priority without an audit row',
      NEW.id {deny};
  END IF;
  RETURN NULL;
{END}

{trigger('sd_handover_guard')}
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
{END}
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
        f"DROP TRIGGER IF EXISTS sd_breach_matches_ticket_event ON {s}.ticket_event;",
        f"CREATE CONSTRAINT TRIGGER sd_breach_matches_ticket_event AFTER INSERT ON {s}.ticket_event "
        f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.kind = '{BREACH_KIND}') "
        f"EXECUTE FUNCTION {s}.sd_breach_matches();",
    ]
    for table, function, events in DERIVED:
        lines.append(f"DROP TRIGGER IF EXISTS {function}_{table} ON {s}.{table};")
        lines.append(f"CREATE CONSTRAINT TRIGGER {function}_{table} AFTER {events} ON {s}.{table} "
                     f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION {s}.{function}();")
    return "\n".join(lines) + "\n"


def drop_sql(schema: str) -> str:
    """Take the guard away again (the triggers and their functions)."""
    lines = [f"DROP TRIGGER IF EXISTS {function}_{table} ON {schema}.{table};" for table, function, _, _ in TRIGGERS]
    lines.append(f"DROP TRIGGER IF EXISTS sd_ticket_audited_ticket ON {schema}.ticket;")
    lines.append(f"DROP TRIGGER IF EXISTS sd_breach_matches_ticket_event ON {schema}.ticket_event;")
    lines += [f"DROP TRIGGER IF EXISTS {function}_{table} ON {schema}.{table};" for table, function, _ in DERIVED]
    functions = dict.fromkeys(["sd_ticket_audited", "sd_breach_matches", *(f for _, f, _, _ in TRIGGERS),
                               *(f for _, f, _ in DERIVED)])
    lines += [f"DROP FUNCTION IF EXISTS {schema}.{function}();" for function in functions]
    lines += [f"DROP FUNCTION IF EXISTS {schema}.sd_whoami(oid);",
              f'DROP FUNCTION IF EXISTS {schema}.sd_vouch_for(text, bigint);',
              f'DROP FUNCTION IF EXISTS {schema}.sd_vouched(text, bigint);',
              f"DROP TABLE IF EXISTS {schema}.sd_vouch;"]
    return "\n".join(lines) + "\n"
