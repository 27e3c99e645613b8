"""The team as the console reads it on its hot paths: through a read unit (store/db/reader.py),
so a SQLite file is read with the standard library and nothing here imports SQLAlchemy.

`boot_member` finds the acting agent before the first paint; `display_label` and
`active_members` serve the queue's claim and assign dialogs. The write side and the full
resolution of who is acting (a PostgreSQL login's say in it) are in store/team/agents.py.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, replace
from pathlib import Path

from store.db.reader import ReadUnit, SqliteReader
from store.errors import UnknownAgent
from store.views import Cleaner
from store.vocab import ROLES

__all__ = ["Member", "active_members", "assign_role", "assign_targets", "boot_member", "display_label",
           "team_zone"]


@dataclass(frozen=True, slots=True)
class Member:
    """An active agent: id, login, the name shown (display name, else login) and role."""

    id: int
    name: str
    label: str
    role: str
    team_zone: str | None = None  # the zone of the agent's team (its shifts'); boot_member fills it


def _member(row: tuple) -> Member:
    return Member(id=row[0], name=row[1], label=row[2] or row[1], role=row[3])


def team_zone(conn: ReadUnit, team: str) -> str | None:
    """The team's zone: its shifts' (the default team's when it has none, as
    store.team.shifts.list_shifts), None before `shiftdesk init` made any."""
    row = conn.one("SELECT tz FROM shift WHERE team = :team OR team = 'default' "
                   "ORDER BY CASE WHEN team = :team THEN 0 ELSE 1 END, position, id LIMIT 1", {"team": team})
    return row[0] if row else None


def boot_member(path: Path, name: str) -> Member | None:
    """The active agent `name` in an existing, migrated SQLite file; None when the file is not
    one (not migrated, not a database: the full start-up then says why).

    Raises UnknownAgent (listing who exists) when the file is fine but `name` is no active agent.
    """
    reader = SqliteReader(path)
    try:
        with reader.read() as conn:
            if conn.one("SELECT version_num FROM alembic_version") is None:
                return None
            row = conn.one("SELECT id, name, display_name, role, team FROM agent WHERE name = :name AND active",
                           {"name": name})
            if row is None:
                known = [r[0] for r in conn.all("SELECT name FROM agent WHERE active ORDER BY name")]
                raise UnknownAgent(name, known)
            return replace(_member(row), team_zone=team_zone(conn, row[4]))
    except sqlite3.Error:
        return None
    finally:
        reader.close()


def display_label(conn: ReadUnit, name: str, *, clean: Cleaner) -> str:
    """How an agent is shown (display name, else login), cleaned; the login itself if unknown."""
    found = conn.one("SELECT display_name, name FROM agent WHERE name = :name", {"name": name})
    shown = (found[0] or found[1]) if found else name
    return clean.clean_line(shown, limit=64)


def active_members(conn: ReadUnit, *, clean: Cleaner) -> list[Member]:
    """Active agents by login, names cleaned."""
    rows = conn.all("SELECT id, name, display_name, role FROM agent WHERE active ORDER BY name")
    return [Member(id=r[0], name=clean.clean_line(r[1], limit=64), label=clean.clean_line(r[2] or r[1], limit=64),
                   role=r[3]) for r in rows]


def assign_role(actor_id: int | None, before: int | None, after: int | None) -> str:
    """The role that moving a ticket from `before` to `after` needs: taking a free ticket or
    releasing your own is any agent's; moving it between people is a lead's (store.tickets.ownership
    checks it; the assign dialog offers only what passes)."""
    own = actor_id is not None and (before, after) in ((None, actor_id), (actor_id, None))
    return "agent" if own else "lead"


def assign_targets(members: list[Member], actor_id: int, current: int | None) -> tuple[bool, list[Member]]:
    """Whom the acting agent may give a ticket held by `current` to: (may leave it with nobody,
    the people), by the actor's role as read now."""
    me = next((m for m in members if m.id == actor_id), None)
    rank = ROLES.index(me.role) if me is not None and me.role in ROLES else -1

    def allowed(target: int | None) -> bool:
        return target != current and rank >= ROLES.index(assign_role(actor_id, current, target))

    return allowed(None), [m for m in members if allowed(m.id)]
