"""What the detail pane shows beside the thread: who else has the ticket open, and its audit trail.

Read-only SQL over a `ReadUnit` (the queue's reader), like store/tickets/queue.py; text comes back
through the given `Cleaner`. The presence rows are few per ticket, so freshness is judged in
Python (no dialect-specific timestamp comparison).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from store.db.reader import ReadUnit, parse_dt, parse_json
from store.views import Cleaner

__all__ = ["FRESH_SECONDS", "HISTORY_ROWS", "HereView", "HistoryView", "history", "others_here"]

FRESH_SECONDS = 30  # as store.tickets.presence: consoles beat every 10 s, three missed beats and they are gone
HISTORY_ROWS = 20


@dataclass(frozen=True)
class HereView:
    """Another agent on the ticket (name cleaned)."""

    agent_id: int
    name: str
    composing: bool


@dataclass(frozen=True)
class HistoryView:
    """One audit row of the ticket, every string cleaned."""

    id: int
    at: datetime | None
    actor: str  # "" when no agent made the change (intake, the SLA sweep)
    action: str
    changes: tuple[tuple[str, str, str], ...]  # (field, before, after)


def others_here(ticket_id: int, *, conn: ReadUnit, clean: Cleaner, now: datetime, me: int | None,
                within: int = FRESH_SECONDS) -> tuple[HereView, ...]:
    """Agents other than `me` seen on the ticket in the last `within` seconds, writers first."""
    rows = conn.all(
        "SELECT p.agent_id, a.display_name, a.name, p.activity, p.seen_at FROM presence p "
        "JOIN agent a ON a.id = p.agent_id WHERE p.ticket_id = :id",
        {"id": ticket_id},
    )
    since = now - timedelta(seconds=within)
    found = []
    for agent_id, display, name, activity, seen in rows:
        at = parse_dt(seen)
        if agent_id == me or at is None or at < since:
            continue
        found.append(HereView(agent_id, clean.clean_line(display or name or "?", limit=64), activity == "composing"))
    found.sort(key=lambda h: (not h.composing, h.name))
    return tuple(found)


def _value(value: object, clean: Cleaner) -> str:
    return "" if value is None else clean.clean_line(str(value), limit=64)


def history(ticket_id: int, *, conn: ReadUnit, clean: Cleaner,
            limit: int = HISTORY_ROWS) -> tuple[tuple[HistoryView, ...], int]:
    """The ticket's newest `limit` audit rows, oldest first, and how many older ones were left out."""
    total = int(conn.scalar("SELECT count(*) FROM audit WHERE entity = 'ticket' AND entity_id = :id",
                            {"id": ticket_id}) or 0)
    rows = conn.all(
        "SELECT u.id, u.at, a.display_name, a.name, u.action, u.before, u.after FROM audit u "
        "LEFT JOIN agent a ON a.id = u.actor_id WHERE u.entity = 'ticket' AND u.entity_id = :id "
        "ORDER BY u.id DESC LIMIT :limit",
        {"id": ticket_id, "limit": max(1, limit)},
    )
    rows.reverse()
    out = []
    for audit_id, at, display, name, action, before_raw, after_raw in rows:
        before, after = parse_json(before_raw), parse_json(after_raw)
        keys = list(dict.fromkeys([*before, *after]))
        changes = tuple((clean.clean_line(str(k), limit=64), _value(before.get(k), clean), _value(after.get(k), clean))
                        for k in keys)
        actor = clean.clean_line(display or name, limit=64) if (display or name) else ""
        out.append(HistoryView(audit_id, parse_dt(at), actor, clean.clean_line(action or "", limit=64), changes))
    return tuple(out), max(0, total - len(out))
