"""Keep the facts and the rollups current, inside the write transaction that changes a ticket.

The hooks only note which tickets a write touched:

- `on_event(session, ticket, event)` from `tickets.base.add_event` (and the open counts, per event),
- `clock_decided(clock)`, `clocks_breached(session, clocks)`, `clock_reverted(clock)` from the
  SLA engine, and any ticket, clock or survey row the session flushes.

As the session commits, every touched customer's facts are recomputed from the history
(store/rollups/facts.py, the same function the rebuild uses), compared with the stored facts,
and only the difference is written: fact rows deleted and inserted, and the rollup counters
moved by exactly what those rows counted. So after any sequence of writes the rollups equal a
rebuild from history (`shiftdesk db check`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import TextClause, delete, event, insert, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import object_session
from sqlmodel import Session

from store.models import OPEN_STATUSES, FigureFact, SlaClock, Survey, Ticket, TicketEvent
from store.rollups import history
from store.rollups.facts import (
    AGENT_ONLY,
    CONTRIB,
    HIST_KINDS,
    NO_AGENT,
    TRANSITION,
    UNCOUNTED,
    Fact,
    Peers,
    contribution,
    customer_facts,
    group_of,
    sec,
    solve_transitions,
)
from store.rollups.metrics import COUNTERS
from store.team.team_settings import repeat_window

GRAIN_HOUR, GRAIN_DAY, GRAIN_BLOCK, GRAIN_QUARTER = 0, 1, 2, 3
# Every counter is kept per quarter hour, hour, UTC day and four-hour block (00, 04, ... 20 UTC).
GRAINS = ((GRAIN_HOUR, 3600), (GRAIN_DAY, 86400), (GRAIN_BLOCK, 4 * 3600), (GRAIN_QUARTER, 900))
DIM_ALL, DIM_AGENT, DIM_CHANNEL, DIM_PRIORITY, DIM_CATEGORY = range(5)
DIMS = {"all": DIM_ALL, "agent": DIM_AGENT, "channel": DIM_CHANNEL, "priority": DIM_PRIORITY,
        "category": DIM_CATEGORY}
SOLVED = ("solved", "closed")
FACT_COLUMNS = ("kind", "at", "agent", "channel", "priority", "category", "value", "flag", "bin")
_FACTS = FigureFact.__table__  # type: ignore[attr-defined]


def agent_key(agent_id: int | None) -> str:
    return "" if agent_id is None else str(agent_id)


def fact_keys(fact: Fact) -> list[tuple[int, str]]:
    """The (dim, key) rows a fact is added to."""
    if fact.kind in UNCOUNTED:
        return []
    out = [(DIM_ALL, "")]
    if fact.kind not in NO_AGENT:
        out.append((DIM_AGENT, agent_key(fact.agent)))
    if fact.kind not in AGENT_ONLY:
        out += [(DIM_CHANNEL, fact.channel or ""), (DIM_PRIORITY, fact.priority or ""),
                (DIM_CATEGORY, fact.category or "")]
    return out


def key_of(fact: Fact, dim: int) -> str | None:
    """The group key of a fact under one dim, or None when it is not counted there."""
    for d, key in fact_keys(fact):
        if d == dim:
            return key
    return None


# -- writing -----------------------------------------------------------------------------------------

# Deltas are gathered in the session and written when it commits, summed per row and in one
# fixed order (table, then key): two transactions never lock counter rows in opposite orders
# (no deadlock on PostgreSQL), and an action that touches one hour twice writes it once.
_PENDING = "shiftdesk.rollups.pending"
_TOUCHED = "shiftdesk.rollups.touched"
_HOOKED = "shiftdesk.rollups.hooked"
_COUNT_KEY = ("grain", "dim", "bucket", "key")
_HIST_KEY = ("grain", "dim", "kind", "bucket", "key", "bin")
_OPEN_KEY = ("priority", "status")


def _upsert(table: str, key: tuple[str, ...], columns: tuple[str, ...]) -> TextClause:
    """INSERT ... ON CONFLICT DO UPDATE adding to the counters: the same SQL on SQLite and PostgreSQL."""
    names = (*key, *columns)
    return text(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)}) "
                f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET "
                + ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in columns))


_STATEMENTS = (("rollup_count", _COUNT_KEY, _upsert("rollup_count", _COUNT_KEY, COUNTERS)),
               ("rollup_hist", _HIST_KEY, _upsert("rollup_hist", _HIST_KEY, ("n",))),
               ("rollup_open", _OPEN_KEY, _upsert("rollup_open", _OPEN_KEY, ("n",))))


def _owner(session: Session) -> Session:
    """The session whose commit writes the deltas: this one, or the one it stands in for (intake's
    bulk MemorySession holds new rows in memory and keeps the real, committing session as `real`)."""
    real = getattr(session, "real", None)
    return real if isinstance(real, Session) else session


def _hook(session: Session) -> Session:
    session = _owner(session)
    if not session.info.get(_HOOKED):
        session.info[_HOOKED] = True
        event.listen(session, "before_commit", write_pending)
        event.listen(session, "after_rollback", _discard)
    return session


def _pending(session: Session) -> dict[str, dict[tuple, dict[str, int]]]:
    session = _hook(session)
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = {table: {} for table, _, _ in _STATEMENTS}
    return pending


def touch(session: Session, ticket_id: int | None) -> None:
    """This write changed the ticket's history: recompute its customer's facts at commit."""
    if ticket_id:
        _hook(session).info.setdefault(_TOUCHED, set()).add(int(ticket_id))


def _flushing(session: Session, _context: Any, _instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Ticket):
            touch(session, obj.id)
        elif isinstance(obj, (SlaClock, Survey, TicketEvent)):
            touch(session, obj.ticket_id)


# Every session: a write that changes a ticket, clock or survey row without recording an event
# (intake's category update) still has its facts recomputed.
event.listen(Session, "before_flush", _flushing)


def _add(session: Session, table: str, row: tuple, values: dict[str, int]) -> None:
    counters = _pending(session)[table].setdefault(row, {})
    for name, value in values.items():
        counters[name] = counters.get(name, 0) + value


def write_pending(session: Session) -> None:
    """Recompute the touched customers' facts, then write every gathered delta (as the session commits)."""
    touched = session.info.pop(_TOUCHED, None)
    if touched:
        session.flush()
        touched |= session.info.pop(_TOUCHED, set())  # the flush may name more
        refresh(session, session.connection(), touched)
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    for table, key, stmt in _STATEMENTS:
        columns = COUNTERS if table == "rollup_count" else ("n",)
        rows = [{**dict(zip(key, row, strict=True)), **{c: values.get(c, 0) for c in columns}}
                for row, values in sorted(pending[table].items()) if any(values.values())]
        if rows:
            session.execute(stmt, rows)


def _discard(session: Session) -> None:
    session.info.pop(_PENDING, None)
    session.info.pop(_TOUCHED, None)


def add_fact(session: Session, fact: Fact, sign: int) -> None:
    """Move the rollup rows a fact counts in by +1 (added) or -1 (taken back)."""
    keys = fact_keys(fact)
    if not keys:
        return
    values = {name: sign * contribution(what, fact) for name, what in CONTRIB.get(fact.kind, ())}
    values = {k: v for k, v in values.items() if v}
    hist = HIST_KINDS.get(fact.kind)
    for grain, size in GRAINS:
        bucket = fact.at // size * size
        for dim, key in keys:
            if values:
                _add(session, "rollup_count", (grain, dim, bucket, key), values)
            if hist is not None:
                _add(session, "rollup_hist", (grain, dim, hist, bucket, key, fact.bin), {"n": sign})


def add_open(session: Session, priority: str, status: str, delta: int) -> None:
    if status in OPEN_STATUSES:
        _add(session, "rollup_open", (priority, status), {"n": delta})


# -- recomputing facts -------------------------------------------------------------------------------


def stored_facts(conn: Connection, ticket_ids: Iterable[int]) -> dict[int, list[tuple[int, Fact]]]:
    """(row id, fact) per ticket, as stored."""
    out: dict[int, list[tuple[int, Fact]]] = {}
    ids = sorted(set(ticket_ids))
    for i in range(0, len(ids), history.CHUNK):
        chunk = ids[i:i + history.CHUNK]
        cols = [_FACTS.c.id, _FACTS.c.ticket_id, *(_FACTS.c[name] for name in FACT_COLUMNS)]
        for r in conn.execute(select(*cols).where(_FACTS.c.ticket_id.in_(chunk))):
            out.setdefault(r[1], []).append((r[0], Fact(*r[2:])))
    return out


def fact_rows(ticket_id: int, facts: Iterable[Fact]) -> list[dict[str, object]]:
    return [{"ticket_id": ticket_id, **fact._asdict()} for fact in facts]


def _peers_of(conn: Connection, customers: set[int]) -> tuple[dict[int, tuple[int, int, str]], dict[int, list[int]]]:
    """Every ticket of these customers, (customer, created, category), and its stored solve transitions:
    one row a ticket, not its history."""
    tickets: dict[int, tuple[int, int, str]] = {}
    solves: dict[int, list[int]] = {}
    chunk_size = history.CHUNK
    ids = sorted(customers)
    for i in range(0, len(ids), chunk_size):
        chunk = ids[i:i + chunk_size]
        t = Ticket.__table__  # type: ignore[attr-defined]
        for tid, customer, created, category in conn.execute(
                select(t.c.id, t.c.customer_id, t.c.created_at, t.c.category).where(t.c.customer_id.in_(chunk))):
            tickets[tid] = (customer, sec(created), category)
        for tid, at in conn.execute(
                select(_FACTS.c.ticket_id, _FACTS.c.at).join(t, t.c.id == _FACTS.c.ticket_id)
                .where(t.c.customer_id.in_(chunk), _FACTS.c.kind == TRANSITION, _FACTS.c.flag == 1)):
            solves.setdefault(tid, []).append(at)
    return tickets, solves


def refresh(session: Session, conn: Connection, ticket_ids: Iterable[int], window: int | None = None) -> None:
    """Recompute the facts of the touched tickets, and of the customer's other tickets whose repeat or
    first-contact facts they can change (solved within the window before one was created, or created
    within the window after one was solved); write the difference. The window is the team's
    (store/team/team_settings.py) unless told another."""
    if window is None:
        window = repeat_window(conn)
    touched = set(ticket_ids)
    fresh_histories = {h.id: h for h in history.load(conn, touched)}
    tickets, stored_solves = _peers_of(conn, {h.customer_id for h in fresh_histories.values()})
    moments: list[tuple[int, int, int]] = []  # (customer, created, solve) of what the touched tickets did
    for h in fresh_histories.values():
        solves = [sec(at) for at in solve_transitions(h)] + stored_solves.get(h.id, [])
        moments.append((h.customer_id, sec(h.created_at), max(solves, default=-1)))
        moments += [(h.customer_id, -1, a) for a in solves]
    related = set()
    for tid, (customer, created, _category) in tickets.items():
        if tid in touched:
            continue
        for who, c, a in moments:
            if who != customer:
                continue
            if c >= 0 and any(c - window <= t <= c for t in stored_solves.get(tid, [])):
                related.add(tid)
            if a >= 0 and a <= created <= a + window:
                related.add(tid)
    ids = sorted(touched | related)
    histories = list(fresh_histories.values()) + history.load(conn, related)
    others: dict[tuple[int, str], Peers] = {}
    for tid, (customer, created, category) in tickets.items():
        if tid in touched or tid in related:
            continue
        peers = others.setdefault(group_of(customer, category), Peers([], []))
        peers.created.append((created, tid))
        peers.solves.extend((at, tid) for at in stored_solves.get(tid, []))
    fresh = customer_facts(histories, window, others)
    stored = stored_facts(conn, ids)
    gone: list[int] = []
    added: list[dict[str, object]] = []
    for tid in ids:
        old = stored.get(tid, [])
        new = Counter(fresh.get(tid, []))
        for row_id, fact in old:
            if new[fact] > 0:
                new[fact] -= 1
            else:
                gone.append(row_id)
                add_fact(session, fact, -1)
        extra = list(new.elements())
        for fact in extra:
            add_fact(session, fact, 1)
        added += fact_rows(tid, extra)
    for i in range(0, len(gone), history.CHUNK):
        conn.execute(delete(_FACTS).where(_FACTS.c.id.in_(gone[i:i + history.CHUNK])))
    if added:
        conn.execute(insert(_FACTS), added)


# -- the hooks ---------------------------------------------------------------------------------------


def on_event(session: Session, ticket: Ticket, event: TicketEvent) -> None:
    """Called by tickets.base.add_event for every event an action records."""
    touch(session, ticket.id)
    data = event.data or {}
    if event.kind == "created":
        add_open(session, ticket.priority, ticket.status, 1)
    elif event.kind == "status_changed":
        add_open(session, ticket.priority, data.get("from"), -1)
        add_open(session, ticket.priority, data.get("to"), 1)
    elif event.kind in ("priority_changed", "escalated"):
        was, now = data.get("from"), data.get("to")
        if was and now and was != now and ticket.is_open:
            add_open(session, was, ticket.status, -1)
            add_open(session, now, ticket.status, 1)


def clock_decided(clock: SlaClock) -> None:
    """A clock was just decided met or breached (the SLA engine's stop)."""
    session = object_session(clock)
    if isinstance(session, Session):
        touch(session, clock.ticket_id)


def clocks_breached(session: Session, clocks: Iterable[SlaClock]) -> None:
    """Running clocks just recorded as breached at their due times (the breach sweep)."""
    for clock in clocks:
        touch(session, clock.ticket_id)


def clock_reverted(clock: SlaClock) -> None:
    """A met clock is about to run again (reopened ticket)."""
    clock_decided(clock)
