"""PostgreSQL privileges for a team: one database login per person, mapped to their agent.

Three group roles mirror Shiftdesk's roles. What each may write follows what its actions write;
nobody but the schema's owner may change or delete the append-only tables (ticket_event, audit)
or the schema itself (migrations run as the owner). Run the output again after each upgrade, so
new tables get their grants.
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
}
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


def role_names(prefix: str = "shiftdesk") -> dict[str, str]:
    return {role: f"{prefix}_{role}" for role in ("agent", "lead", "supervisor")}


def grant_sql(schema: str = "public", prefix: str = "shiftdesk") -> str:
    """The SQL that creates the three group roles (if missing) and grants them their share."""
    for value, what in ((schema, "schema"), (prefix, "prefix")):
        if not _NAME.match(value):
            raise ValueError(f"{what}: {value!r} must be a plain lower-case SQL name")
    roles = role_names(prefix)
    agent, lead, supervisor = roles["agent"], roles["lead"], roles["supervisor"]
    lines = ["-- Shiftdesk team roles (run as the owner of the Shiftdesk tables; again after each upgrade)"]
    for role in (agent, lead, supervisor):
        lines.append(f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$;")
    lines += [
        f"GRANT {agent} TO {lead};",
        f"GRANT {lead} TO {supervisor};",
        f"GRANT USAGE ON SCHEMA {schema} TO {agent};",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA {schema} TO {agent};",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {agent};",
    ]
    for role, writes in ((agent, AGENT_WRITES), (lead, LEAD_WRITES), (supervisor, SUPERVISOR_WRITES)):
        lines += [f"GRANT {privileges} ON {schema}.{table} TO {role};" for table, privileges in writes.items()]
    lines.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {schema}.ticket_event, {schema}.audit "
                 f"FROM {agent}, {lead}, {supervisor};")
    return "\n".join(lines) + "\n"
