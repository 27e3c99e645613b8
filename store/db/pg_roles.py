"""PostgreSQL privileges for a team: one database login per person, mapped to their agent.

Three group roles mirror Shiftdesk's roles, and a fourth (`_service`) is for a shared login an
intake feed may use, trusted to act for anyone. What each may write follows what its actions
write; nobody but the schema's owner may change or delete the append-only tables (ticket_event,
audit) or the schema itself (migrations run as the owner). Which *rows* a login may write is the
guard's business (store/db/pg_guard.py): its triggers ride along in `grant_sql`. Run the output
again after each upgrade, so new tables get their grants.

Creating roles needs CREATEROLE (or a superuser); the owner of the tables usually has neither.
So `roles_sql` is the administrator's part, run once: the group roles, their memberships, and
ADMIN OPTION on them for the owner. `grant_sql` is the owner's part: it creates a group role only
if it is missing (and says plainly who must create it when the owner cannot), then grants.
"""

from __future__ import annotations

import re

# What agents' ordinary work writes (ticket actions, SLA clocks, rollups, drafts, presence, intake).
AGENT_WRITES = {
    "ticket": "INSERT, UPDATE",
    "sla_clock": "INSERT, UPDATE",
    "customer": "INSERT, UPDATE",
    "ticket_event": "INSERT",
    "audit": "INSERT",
    "survey": "INSERT",
    "template_usage": "INSERT",
    "reply_draft": "INSERT, UPDATE, DELETE",
    "presence": "INSERT, UPDATE, DELETE",
    "rollup_count": "INSERT, UPDATE",
    "rollup_hist": "INSERT, UPDATE",
    "rollup_open": "INSERT, UPDATE",
    "figure_fact": "INSERT, DELETE",  # the facts behind the rollups, rewritten per ticket as it changes
    "ticket_search": "INSERT, UPDATE, DELETE",  # the open tickets' text, kept by triggers on ticket
}
# Leads also write and acknowledge handovers.
LEAD_WRITES = {"handover": "INSERT, UPDATE", "handover_addendum": "INSERT"}
# Supervisors also edit policies, calendars, shifts, agents and the team's own reply templates.
SUPERVISOR_WRITES = {
    "sla_policy": "INSERT, UPDATE",
    "calendar": "INSERT, UPDATE",
    "shift": "INSERT, UPDATE, DELETE",
    "agent": "INSERT, UPDATE",
    "reply_template": "INSERT, UPDATE, DELETE",
    "team_setting": "INSERT, DELETE",
    # Changing the team's repeat window recomputes every fact and rollup (store/rollups/rebuild.py).
    "rollup_count": "DELETE",
    "rollup_hist": "DELETE",
    "rollup_open": "DELETE",
}
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


def role_names(prefix: str = "shiftdesk") -> dict[str, str]:
    return {role: f"{prefix}_{role}" for role in ("agent", "lead", "supervisor", "service")}


def _check(**values: str) -> None:
    for what, value in values.items():
        if not _NAME.match(value):
            raise ValueError(f"{what}: {value!r} must be a plain lower-case SQL name")


def _memberships(roles: dict[str, str]) -> list[tuple[str, str]]:
    """(group, member): lead inherits agent, supervisor lead, service supervisor."""
    return [(roles["agent"], roles["lead"]), (roles["lead"], roles["supervisor"]),
            (roles["supervisor"], roles["service"])]


def _grant_once(group: str, member: str) -> str:
    # GRANT needs ADMIN OPTION (or CREATEROLE) even when the membership exists: ask first.
    return (f"DO $$ BEGIN IF NOT pg_has_role('{member}', '{group}', 'MEMBER') THEN GRANT {group} TO {member}; "
            "END IF; END $$;")


def roles_sql(prefix: str = "shiftdesk", owner: str = "shiftdesk") -> str:
    """The administrator's part (CREATEROLE or superuser), once: the group roles, their
    memberships, and ADMIN OPTION on them for the owner of the tables."""
    _check(prefix=prefix, owner=owner)
    roles = role_names(prefix)
    lines = [f"-- Shiftdesk group roles (run once by a role with CREATEROLE; then {owner} runs `shiftdesk db grants`)"]
    lines += [f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;"
              for role in roles.values()]
    lines += [_grant_once(group, member) for group, member in _memberships(roles)]
    lines.append(f"GRANT {', '.join(roles.values())} TO {owner} WITH ADMIN OPTION;")
    return "\n".join(lines) + "\n"


def _role_if_missing(role: str) -> str:
    return (
        f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN "
        "IF NOT (SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user) THEN "
        f"RAISE EXCEPTION 'the group role {role} does not exist and % may not create roles', current_user "
        "USING HINT = 'have a role with CREATEROLE run: shiftdesk db grants --roles --owner ' || current_user; "
        f"END IF; CREATE ROLE {role} NOLOGIN; END IF; END $$;"
    )


def grant_sql(schema: str = "public", prefix: str = "shiftdesk") -> str:
    """The owner's part, after `init` and every upgrade: group roles if missing, the privileges,
    and the guard triggers. Needs no CREATEROLE once `roles_sql` has run."""
    from store.db.pg_guard import guard_sql

    _check(schema=schema, prefix=prefix)
    roles = role_names(prefix)
    agent, lead, supervisor = roles["agent"], roles["lead"], roles["supervisor"]
    lines = ["-- Shiftdesk team privileges (run as the owner of the Shiftdesk tables; again after each upgrade)",
             "SET client_min_messages = warning;"]
    lines += [_role_if_missing(role) for role in roles.values()]
    lines += [_grant_once(group, member) for group, member in _memberships(roles)]
    lines += [
        f"GRANT USAGE ON SCHEMA {schema} TO {agent};",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {agent};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {agent};",
        # An import's bulk path numbers its rows itself and moves the sequences past them (setval).
        f"GRANT UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {supervisor};",
    ]
    for role, writes in ((agent, AGENT_WRITES), (lead, LEAD_WRITES), (supervisor, SUPERVISOR_WRITES)):
        lines += [f"GRANT {privileges} ON {schema}.{table} TO {role};" for table, privileges in writes.items()]
    lines.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.ticket_event, {schema}.audit "
                 f"FROM {agent}, {lead}, {supervisor};")
    return "\n".join(lines) + "\n" + guard_sql(schema, roles["service"])
