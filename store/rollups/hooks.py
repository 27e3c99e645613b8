"""Keep the rollup tables current, inside the write transaction that records each event: the
hooks gather deltas in the session, and `write_pending` adds them to the tables as it commits.

Four hooks, each called from exactly one place:

- `on_event(session, ticket, event)` from `ticket_base.add_event`: intake, replies and first
  reply times, assignments, solves (and their undoing on reopen), surveys, open counts.
- `clock_decided(clock)` from `sla.stop_clock`, when a clock is decided met or breached.
- `clocks_breached(session, clocks)` from `sla.record_breaches`, after it marks breaches.
- `clock_reverted(clock)` from `sla.resume_clock`, when a reopened ticket un-meets its clock.

Each figure is attributed to the hour it happened in and to the ticket's channel, priority and
category at that moment (see store/rollups/metrics.py for the definitions). What a solve counted is
recomputed from the ticket's append-only event log when the solve is undone, so an undo always
takes away exactly what was added.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import TextClause, event, func, text
from sqlalchemy.orm import object_session
from sqlmodel import Session, col, select

from store.models import (
    OPEN_STATUSES,
    SlaClock,
    Ticket,
    TicketEvent,
)
from store.rollups.metrics import COUNTERS, REPEAT_WINDOW_SECONDS, SLA_COLUMNS, bin_of, coarse_bin

GRAIN_HOUR, GRAIN_DAY, GRAIN_BLOCK = 0, 1, 2
# Every counter is kept per hour, per UTC day and per four-hour block (00, 04, ... 20 UTC).
GRAINS = ((GRAIN_HOUR, 3600), (GRAIN_DAY, 86400), (GRAIN_BLOCK, 4 * 3600))
DIM_ALL, DIM_AGENT, DIM_CHANNEL, DIM_PRIORITY, DIM_CATEGORY = range(5)
DIMS = {"all": DIM_ALL, "agent": DIM_AGENT, "channel": DIM_CHANNEL, "priority": DIM_PRIORITY,
        "category": DIM_CATEGORY}
KIND_FRT, KIND_RES = 0, 1
SOLVED = ("solved", "closed")
_NA = object()  # "this figure has no agent" (intake), as opposed to None, "nobody held it"


def epoch(at: datetime) -> int:
    return int(at.timestamp())


def agent_key(agent_id: int | None) -> str:
    return "" if agent_id is None else str(agent_id)


def keys(*, agent: object = _NA, channel: str | None = None, priority: str | None = None,
         category: str | None = None) -> dict[int, str]:
    """The (dim, key) pairs a figure is added under, besides the 'all' row."""
    out = {DIM_ALL: ""}
    if agent is not _NA:
        out[DIM_AGENT] = agent_key(agent)  # type: ignore[arg-type]
    for dim, value in ((DIM_CHANNEL, channel), (DIM_PRIORITY, priority), (DIM_CATEGORY, category)):
        if value is not None:
            out[dim] = value
    return out


def ticket_keys(ticket: Ticket, *, agent: object = _NA, priority: str | None = None) -> dict[int, str]:
    return keys(agent=agent, channel=ticket.channel, priority=priority or ticket.priority,
                category=ticket.category)


# -- writing -----------------------------------------------------------------------------------------


# Deltas are gathered in the session and written when it commits, summed per row and in one
# fixed order (table, then key): two transactions never lock counter rows in opposite orders
# (no deadlock on PostgreSQL), and an action that touches one hour twice writes it once.
_PENDING = "shiftdesk.rollups.pending"
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


def _pending(session: Session) -> dict[str, dict[tuple, dict[str, int]]]:
    session = _owner(session)
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = {table: {} for table, _, _ in _STATEMENTS}
        if not session.info.get(_PENDING + ".hooked"):
            session.info[_PENDING + ".hooked"] = True
            event.listen(session, "before_commit", write_pending)
            event.listen(session, "after_rollback", _discard)
    return pending


def _add(session: Session, table: str, row: tuple, values: dict[str, int]) -> None:
    counters = _pending(session)[table].setdefault(row, {})
    for name, value in values.items():
        counters[name] = counters.get(name, 0) + value


def write_pending(session: Session) -> None:
    """Write the gathered deltas (called as the session commits)."""
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


def add_counts(session: Session, at: int, dims: dict[int, str], values: dict[str, int]) -> None:
    """Add `values` to the hour and the day holding `at`, under every (dim, key) given."""
    values = {name: v for name, v in values.items() if v}
    if values:
        for grain, size in GRAINS:
            for dim, key in dims.items():
                _add(session, "rollup_count", (grain, dim, at // size * size, key), values)


def add_hist(session: Session, at: int, dims: dict[int, str], kind: int, seconds: int, delta: int) -> None:
    fine = bin_of(seconds)
    coarse = coarse_bin(fine)
    for grain, size in GRAINS:
        for dim, key in dims.items():
            row = (grain, dim, kind, at // size * size, key, fine if dim == DIM_ALL else coarse)
            _add(session, "rollup_hist", row, {"n": delta})


def add_open(session: Session, priority: str, status: str, delta: int) -> None:
    if status in OPEN_STATUSES:
        _add(session, "rollup_open", (priority, status), {"n": delta})


# -- the ticket's story, folded from its events ------------------------------------------------------

_FOLD_KINDS = ("created", "assigned", "agent_reply", "status_changed", "priority_changed", "escalated")


@dataclass(frozen=True)
class SolveFact:
    """What one solve contributed: recomputed identically when the solve is undone."""

    solved_at: int
    agent: int | None
    priority: str
    created_priority: str
    fcr: bool
    seconds: int


def _history(session: Session, ticket_id: int, upto: datetime | None = None) -> list[tuple]:
    query = (select(TicketEvent.kind, TicketEvent.at, TicketEvent.data)
             .where(TicketEvent.ticket_id == ticket_id, col(TicketEvent.kind).in_(_FOLD_KINDS))
             .order_by(col(TicketEvent.id)))
    if upto is not None:
        query = query.where(TicketEvent.at <= upto)
    return list(session.exec(query).all())


def _last_solve(ticket: Ticket, history: list[tuple], *, before_last: bool) -> SolveFact | None:
    """Fold the events; the fact of the last solve (before the final event, if `before_last`)."""
    priority = created_priority = ticket.priority
    agent: int | None = None
    replies = reopens = 0
    fact: SolveFact | None = None
    events = history[:-1] if before_last else history
    for kind, at, data in events:
        data = data or {}
        if kind == "created":
            priority = created_priority = data.get("priority") or priority
        elif kind == "assigned":
            agent = data.get("to")
        elif kind == "agent_reply":
            replies += 1
        elif kind in ("priority_changed", "escalated"):
            priority = data.get("to") or priority
        elif kind == "status_changed":
            was, now = data.get("from"), data.get("to")
            if now in SOLVED and was not in SOLVED:
                fact = SolveFact(epoch(at), agent, priority, created_priority, replies == 1 and reopens == 0,
                                 epoch(at) - epoch(ticket.created_at))
            elif was in SOLVED and now in ("open", "new"):
                reopens += 1
    return fact


def _apply_solve(session: Session, ticket: Ticket, fact: SolveFact, sign: int) -> None:
    dims = ticket_keys(ticket, agent=fact.agent, priority=fact.priority)
    add_counts(session, fact.solved_at, dims,
               {"solved": sign, "solved_fcr": sign * int(fact.fcr), "res_sum": sign * fact.seconds})
    add_hist(session, fact.solved_at, dims, KIND_RES, fact.seconds, sign)
    add_counts(session, epoch(ticket.created_at), ticket_keys(ticket, priority=fact.created_priority),
               {"received_solved": sign})


# -- the event hook ----------------------------------------------------------------------------------


def on_event(session: Session, ticket: Ticket, event: TicketEvent) -> None:
    """Called by ticket_base.add_event for every event an action records."""
    handler = _HANDLERS.get(event.kind)
    if handler is not None:
        handler(session, ticket, event)


def _created(session: Session, ticket: Ticket, event: TicketEvent) -> None:
    at = event.at
    repeat = session.exec(
        select(func.count()).select_from(Ticket).where(
            Ticket.customer_id == ticket.customer_id, Ticket.id != ticket.id, Ticket.created_at <= at,
            Ticket.created_at >= at - timedelta(seconds=REPEAT_WINDOW_SECONDS))
    ).one()
    add_counts(session, epoch(at), ticket_keys(ticket), {"received": 1, "repeat_contact": int(repeat > 0)})
    add_open(session, ticket.priority, ticket.status, 1)


def _reply(session: Session, ticket: Ticket, event: TicketEvent) -> None:
    at = epoch(event.at)
    add_counts(session, at, keys(agent=event.actor_id), {"replied": 1})
    if ticket.reply_count == 1 and ticket.first_reply_at == event.at:
        holder = ticket.assignee_id if ticket.assignee_id is not None else event.actor_id
        seconds = at - epoch(ticket.created_at)
        dims = ticket_keys(ticket, agent=holder)
        add_counts(session, at, dims, {"frt_n": 1, "frt_sum": seconds})
        add_hist(session, at, dims, KIND_FRT, seconds, 1)


def _assigned(session: Session, ticket: Ticket, event: TicketEvent) -> None:
    to = (event.data or {}).get("to")
    if to is not None:
        add_counts(session, epoch(event.at), keys(agent=to), {"assigned": 1})


def _status(session: Session, ticket: Ticket, event: TicketEvent) -> None:
    data = event.data or {}
    was, now = data.get("from"), data.get("to")
    add_open(session, ticket.priority, was, -1)
    add_open(session, ticket.priority, now, 1)
    if now in SOLVED and was not in SOLVED:
        fact = _last_solve(ticket, _history(session, ticket.id or 0), before_last=False)
        if fact is not None:
            _apply_solve(session, ticket, fact, 1)
    elif was in SOLVED and now not in SOLVED:
        fact = _last_solve(ticket, _history(session, ticket.id or 0), before_last=True)
        if fact is not None:
            _apply_solve(session, ticket, fact, -1)


def _priority(session: Session, ticket: Ticket, event: TicketEvent) -> None:
    data = event.data or {}
    was, now = data.get("from"), data.get("to")
    if was and now and was != now and ticket.is_open:
        add_open(session, was, ticket.status, -1)
        add_open(session, now, ticket.status, 1)


def _survey(session: Session, ticket: Ticket, event: TicketEvent) -> None:
    data = event.data or {}
    kind, score = data.get("kind"), int(data.get("score", -1))
    if kind == "csat":
        values = {"csat_n": 1, "csat_pos": int(score >= 4)}
    elif kind == "nps":
        values = {"nps_n": 1, "nps_pro": int(score >= 9), "nps_det": int(0 <= score <= 6)}
    else:
        return
    add_counts(session, epoch(event.at), ticket_keys(ticket, agent=ticket.assignee_id), values)


_HANDLERS = {"created": _created, "agent_reply": _reply, "assigned": _assigned, "status_changed": _status,
             "priority_changed": _priority, "escalated": _priority, "survey": _survey}


# -- the clock hooks ---------------------------------------------------------------------------------


def _clock_counts(session: Session, clock: SlaClock, ticket: Ticket, sign: int, priority: str | None = None) -> None:
    if clock.outcome not in ("met", "breached") or clock.ended_at is None or clock.metric not in SLA_COLUMNS:
        return
    met_col, breached_col = SLA_COLUMNS[clock.metric]
    name = met_col if clock.outcome == "met" else breached_col
    add_counts(session, epoch(clock.ended_at), ticket_keys(ticket, agent=clock.agent_id, priority=priority),
               {name: sign})


def clock_decided(clock: SlaClock) -> None:
    """A clock was just decided met or breached (sla.stop_clock)."""
    session = object_session(clock)
    ticket = session.get(Ticket, clock.ticket_id) if session is not None else None
    if ticket is not None:
        _clock_counts(session, clock, ticket, 1)


def clocks_breached(session: Session, clocks: Iterable[SlaClock]) -> None:
    """Running clocks just recorded as breached at their due times (sla.record_breaches)."""
    clocks = list(clocks)
    if not clocks:
        return
    ids = sorted({c.ticket_id for c in clocks})
    tickets = {t.id: t for t in session.exec(select(Ticket).where(col(Ticket.id).in_(ids))).all()}
    for clock in clocks:
        ticket = tickets.get(clock.ticket_id)
        if ticket is not None:
            _clock_counts(session, clock, ticket, 1)


def clock_reverted(clock: SlaClock) -> None:
    """A met clock is about to run again (reopened ticket): take back what it counted."""
    session = object_session(clock)
    ticket = session.get(Ticket, clock.ticket_id) if session is not None else None
    if ticket is None or clock.ended_at is None:
        return
    priority = ticket.priority
    for kind, _at, data in _history(session, ticket.id or 0, upto=clock.ended_at):
        if kind == "created":
            priority = (data or {}).get("priority") or priority
        elif kind in ("priority_changed", "escalated"):
            priority = (data or {}).get("to") or priority
    _clock_counts(session, clock, ticket, -1, priority=priority)
