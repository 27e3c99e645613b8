"""Reading tickets' histories in batches, for the facts (store/rollups/facts.py).

The same loader serves the live hooks (the customers touched by one write) and the rebuild
(every customer, a chunk at a time), so both see exactly the same history.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.engine import Connection

from store.models import Audit, SlaClock, Survey, Ticket, TicketEvent
from store.rollups.facts import SOLVED, Peers, TicketHistory, group_of, sec

CHUNK = 500  # ids per IN list: well under every driver's parameter limit

_T, _E, _C, _S, _A = (m.__table__ for m in (Ticket, TicketEvent, SlaClock, Survey, Audit))  # type: ignore[attr-defined]
_FACT_EVENTS = ("created", "assigned", "agent_reply", "status_changed", "priority_changed", "escalated")


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def customer_ticket_ids(conn: Connection, customer_ids: Iterable[int]) -> list[int]:
    """Every ticket of these customers (facts are computed a customer at a time)."""
    out: list[int] = []
    for chunk in _chunks(sorted(set(customer_ids))):
        out += [r[0] for r in conn.execute(select(_T.c.id).where(_T.c.customer_id.in_(chunk)))]
    return sorted(out)


def customers_of(conn: Connection, ticket_ids: Iterable[int]) -> set[int]:
    out: set[int] = set()
    for chunk in _chunks(sorted(set(ticket_ids))):
        out |= {r[0] for r in conn.execute(select(_T.c.customer_id).where(_T.c.id.in_(chunk)))}
    return out


def load(conn: Connection, ticket_ids: Iterable[int]) -> list[TicketHistory]:
    """The histories of these tickets: what the facts are computed from, nothing else."""
    out: dict[int, TicketHistory] = {}
    for chunk in _chunks(sorted(set(ticket_ids))):
        _fill(conn, out, lambda column, chunk=chunk: column.in_(chunk))
    return [out[i] for i in sorted(out)]


def load_between(conn: Connection, lo: int, hi: int) -> list[TicketHistory]:
    """The histories of the tickets with ids in [lo, hi): the rebuild walks the whole table so, by
    ranges of its keys, with the same rows as `load` gives for the same tickets."""
    out: dict[int, TicketHistory] = {}
    _fill(conn, out, lambda column: and_(column >= lo, column < hi))
    return [out[i] for i in sorted(out)]


def _fill(conn: Connection, out: dict[int, TicketHistory], which: Callable[[Any], Any]) -> None:
    for r in conn.execute(select(_T.c.id, _T.c.customer_id, _T.c.created_at, _T.c.channel, _T.c.category,
                                 _T.c.priority).where(which(_T.c.id))):
        out[r[0]] = TicketHistory(r[0], r[1], r[2], r[3], r[4], r[5], [], [], [], [])
    for r in conn.execute(select(_E.c.ticket_id, _E.c.id, _E.c.kind, _E.c.at, _E.c.actor_id, _E.c.data)
                          .where(which(_E.c.ticket_id)).order_by(_E.c.ticket_id, _E.c.id)):
        # Kinds and outcomes are picked here, not in the WHERE: with them there, SQLite may walk
        # the (kind, at) or (state, outcome) index over the whole table instead of the ticket's.
        if r[2] in _FACT_EVENTS and r[0] in out:
            out[r[0]].events.append((r[1], r[2], r[3], r[4], _data(r[5])))
    for r in conn.execute(select(_C.c.ticket_id, _C.c.metric, _C.c.outcome, _C.c.ended_at)
                          .where(which(_C.c.ticket_id)).order_by(_C.c.ticket_id, _C.c.id)):
        if r[2] in ("met", "breached") and r[0] in out:
            out[r[0]].clocks.append((r[1], r[2], r[3]))
    for r in conn.execute(select(_S.c.ticket_id, _S.c.id, _S.c.at, _S.c.kind, _S.c.score, _S.c.scale)
                          .where(which(_S.c.ticket_id)).order_by(_S.c.ticket_id, _S.c.id)):
        if r[0] in out:
            out[r[0]].surveys.append((r[1], r[2], r[3], r[4], r[5]))
    for r in conn.execute(select(_A.c.entity_id, _A.c.at, _A.c.after)
                          .where(_A.c.entity == "ticket", _A.c.action == "category", which(_A.c.entity_id))
                          .order_by(_A.c.entity_id, _A.c.id)):
        category = _data(r[2]).get("category")
        if r[0] in out and isinstance(category, str):
            out[r[0]].category_changes.append((r[1], category))


def all_peers(conn: Connection) -> dict[tuple[int, str], Peers]:
    """Every customer's tickets per top-level category, with when each was created and became solved:
    what the repeat and first-contact facts read of a ticket's peers, for the whole table at once
    (one row a ticket, and the status events; the same transitions `solve_transitions` follows)."""
    groups: dict[tuple[int, str], Peers] = {}
    group_of_ticket: dict[int, tuple[int, str]] = {}
    for tid, customer, category, created in conn.execute(
            select(_T.c.id, _T.c.customer_id, _T.c.category, _T.c.created_at)):
        key = group_of(customer, category)
        group_of_ticket[tid] = key
        groups.setdefault(key, Peers([], [])).created.append((sec(created), tid))
    solved: dict[int, bool] = {}
    for tid, at, data in conn.execute(select(_E.c.ticket_id, _E.c.at, _E.c.data)
                                      .where(_E.c.kind == "status_changed").order_by(_E.c.ticket_id, _E.c.id)):
        now = _data(data).get("to") in SOLVED
        if now and not solved.get(tid, False) and tid in group_of_ticket:
            groups[group_of_ticket[tid]].solves.append((sec(at), tid))
        solved[tid] = now
    for peers in groups.values():
        peers.sort()
    return groups


def _data(value: Any) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        import json

        try:
            parsed = json.loads(value)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return {}
