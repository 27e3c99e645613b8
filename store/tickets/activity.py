"""What the detail pane shows beside the thread: who else has the ticket open, and its audit trail.

Read-only SQL over a `ReadUnit` (the queue's reader), like store/tickets/queue.py; text comes back
through the given `Cleaner`. The presence rows are few per ticket, so freshness is judged in
Python (no dialect-specific timestamp comparison).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from store.db.reader import ReadUnit, parse_dt, parse_json
from store.team.names import PERSON_FIELDS, person_labels
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


def _change(key: str, before: object, after: object, people: dict[int, str],
            clean: Cleaner) -> tuple[str, str, str]:
    """(field, before, after) as read: an agent id becomes the person's name, under the field's
    plain name (`assignee — → 陳雅婷`, never `assignee_id — → 6`)."""
    if key in PERSON_FIELDS:
        def who(value: object) -> str:
            if isinstance(value, int) and not isinstance(value, bool):
                return clean.clean_line(people.get(value, f"#{value}"), limit=64)
            return _value(value, clean)

        return PERSON_FIELDS[key], who(before), who(after)
    return clean.clean_line(str(key), limit=64), _value(before, clean), _value(after, clean)


def history(ticket_id: int, *, conn: ReadUnit, clean: Cleaner,
            limit: int = HISTORY_ROWS) -> tuple[tuple[HistoryView, ...], int]:
    """The ticket's newest `limit` audit rows, oldest first, and how many older ones were left out."""
    total = int(conn.scalar("SELECT count(*) FROM audit WHERE entity = 'ticket' AND entity_id = :id",
                            {"id": ticket_id}) or 0)
    rows = conn.all(
        "SELECT u.id, u.at, u.actor_id, u.action, u.before, u.after FROM audit u "
        "WHERE u.entity = 'ticket' AND u.entity_id = :id ORDER BY u.id DESC LIMIT :limit",
        {"id": ticket_id, "limit": max(1, limit)},
    )
    rows.reverse()
    people = person_labels(conn) if rows else {}
    out = []
    for audit_id, at, actor_id, action, before_raw, after_raw in rows:
        before, after = parse_json(before_raw), parse_json(after_raw)
        keys = list(dict.fromkeys([*before, *after]))
        changes = tuple(_change(k, before.get(k), after.get(k), people, clean) for k in keys)
        actor = clean.clean_line(people[actor_id], limit=64) if actor_id in people else ""
        out.append(HistoryView(audit_id, parse_dt(at), actor, clean.clean_line(action or "", limit=64), changes))
    return tuple(out), max(0, total - len(out))
