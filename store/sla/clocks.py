"""The SLA engine: clocks start, pause, resume, stop and breach as events are recorded.

Every function here works inside the caller's write transaction, so an event and the
clocks it moves are committed together or not at all.

Whenever a clock's due time is set or moved, the instant it turns at risk is set with it
(`at_risk_at`): the moment only the policy's warning share of its target is left, counted in
the calendar's business time. Readers (the queue's SQL, the panel, the 1 Hz countdown) compare
instants and never do calendar arithmetic.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from store.models import NO_DUE, SlaClock, Ticket, TicketEvent
from store.rollups import hooks as rollups
from store.sla.calendar import BusinessCalendar
from store.sla.policies import DEFAULT_WARN_SHARE, Policy, PolicyBook

RUNNING, PAUSED, STOPPED, CANCELLED = "running", "paused", "stopped", "cancelled"
MET, BREACHED = "met", "breached"


def epoch(t: datetime) -> int:
    return int(t.timestamp())


# -- one clock -----------------------------------------------------------------------------


def risk_at(cal: BusinessCalendar, due: datetime, target_seconds: int, share: float) -> datetime:
    """When a clock due at `due` has only `share` of its target left, in business time."""
    return cal.before(due, timedelta(seconds=max(target_seconds, 0) * share))


def _set_due(clock: SlaClock, due: datetime | None, cal: BusinessCalendar, share: float) -> None:
    """Move the due time and the at-risk instant together; None clears both (a paused clock)."""
    clock.due_at = due
    clock.at_risk_at = None if due is None else risk_at(cal, due, clock.target_seconds, share)


def _due_from(cal: BusinessCalendar, start: datetime, remaining: int) -> datetime:
    return cal.after(start, timedelta(seconds=max(remaining, 0)))


def start_clock(
    session: Session, ticket: Ticket, metric: str, at: datetime, policy: Policy | None
) -> SlaClock | None:
    """Open a clock for a metric if the ticket's policy has a target for it."""
    if policy is None:
        return None
    target = policy.target(ticket.priority, metric)
    if target is None:
        return None
    cal = policy.calendar
    clock = SlaClock(
        ticket_id=ticket.id or 0,
        metric=metric,
        policy_id=policy.id,
        state=RUNNING,
        target_seconds=target.clock_seconds(cal, at),
        started_at=at,
        consumed_seconds=0,
        segment_start=at,
    )
    # A day target is due on the n-th business date itself (its business seconds are rounded up).
    _set_due(clock, target.due(cal, at), cal, policy.warn_share)
    session.add(clock)
    return clock


def consumed_at(clock: SlaClock, at: datetime, cal: BusinessCalendar) -> int:
    """Business seconds the clock has used up to `at`."""
    used = clock.consumed_seconds
    if clock.state == RUNNING and clock.segment_start is not None and at > clock.segment_start:
        used += int(cal.within(clock.segment_start, at).total_seconds())
    return used


def pause_clock(clock: SlaClock, at: datetime, cal: BusinessCalendar) -> None:
    if clock.state != RUNNING:
        return
    clock.consumed_seconds = consumed_at(clock, at, cal)
    clock.state = PAUSED
    clock.paused_at = at
    clock.segment_start = None
    if clock.outcome is None:
        _set_due(clock, None, cal, 0)


def resume_clock(clock: SlaClock, at: datetime, cal: BusinessCalendar, *, share: float) -> None:
    """Resume a paused clock, or reopen a stopped one that was met (a reopened ticket)."""
    if clock.state == RUNNING:
        return
    if clock.state == STOPPED and clock.outcome == MET:
        rollups.clock_reverted(clock)
        clock.outcome = None
        clock.ended_at = None
    clock.state = RUNNING
    clock.paused_at = None
    clock.stopped_at = None
    clock.segment_start = at
    if clock.outcome is None:
        _set_due(clock, _due_from(cal, at, clock.target_seconds - clock.consumed_seconds), cal, share)


def stop_clock(clock: SlaClock, at: datetime, cal: BusinessCalendar, holder: int | None) -> str | None:
    """Stop a running or paused clock; decide met unless it already breached."""
    if clock.state in (STOPPED, CANCELLED):
        return clock.outcome
    clock.consumed_seconds = consumed_at(clock, at, cal)
    clock.state = STOPPED
    clock.stopped_at = at
    clock.segment_start = None
    if clock.outcome is None:
        if clock.due_at is not None and at > clock.due_at:
            _mark_breached(clock, holder)
        else:
            clock.outcome = MET
            clock.ended_at = at
            clock.agent_id = holder
        rollups.clock_decided(clock)
    return clock.outcome


def cancel_clock(clock: SlaClock, at: datetime) -> None:
    """A clock the ticket no longer needs (solved before any reply): not counted either way."""
    if clock.state in (STOPPED, CANCELLED):
        return
    if clock.outcome == BREACHED:
        clock.state = STOPPED
    else:
        clock.state = CANCELLED
        clock.due_at = None
        clock.at_risk_at = None
    clock.stopped_at = at
    clock.segment_start = None


def retarget_clock(clock: SlaClock, at: datetime, target: int, cal: BusinessCalendar, policy: Policy) -> None:
    """Move a live clock onto a new target (priority or tier changed, policies re-applied)."""
    if clock.state not in (RUNNING, PAUSED):
        return
    clock.policy_id = policy.id
    clock.target_seconds = target
    if clock.outcome is not None or clock.state != RUNNING:
        return
    used = consumed_at(clock, at, cal)
    remaining = target - used
    if remaining > 0:
        due = cal.after(at, timedelta(seconds=remaining))
    else:
        # Under the new target this clock ran out in the past: that is its due time.
        due = cal.before(at, timedelta(seconds=-remaining))
    _set_due(clock, due, cal, policy.warn_share)


def _mark_breached(clock: SlaClock, holder: int | None) -> None:
    clock.outcome = BREACHED
    clock.breached_at = clock.due_at
    clock.ended_at = clock.due_at
    clock.breach_agent_id = holder
    clock.agent_id = holder


# -- who held a ticket when -----------------------------------------------------------------


def holder_at(session: Session, ticket_id: int, at: datetime) -> int | None:
    """The assignee at an instant, read from the append-only assignment events."""
    row = session.exec(
        select(TicketEvent.data)
        .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "assigned", TicketEvent.at <= at)
        .order_by(col(TicketEvent.at).desc(), col(TicketEvent.id).desc())
        .limit(1)
    ).first()
    return None if row is None else row.get("to")


# -- breaches -------------------------------------------------------------------------------


def overdue(now: datetime):
    """Running, undecided clocks past their due time (the sweep index: state, outcome, due_at)."""
    return (SlaClock.state == RUNNING, col(SlaClock.outcome).is_(None), col(SlaClock.due_at) < now)


def breaches_due(session: Session, now: datetime) -> bool:
    """Whether any breach waits to be recorded: a read, so readers take the write lock only then."""
    return session.exec(select(SlaClock.id).where(*overdue(now)).limit(1)).first() is not None


def record_breaches(session: Session, now: datetime, *, ticket_id: int | None = None, limit: int = 5000) -> int:
    """Record every running clock whose due time has passed: once, at its due time."""
    query = select(SlaClock).where(*overdue(now))
    if ticket_id is not None:
        query = query.where(SlaClock.ticket_id == ticket_id)
    # PostgreSQL: a sweep of one ticket waits for a sweep holding its clocks, then sees them decided;
    # a sweep of everything skips clocks another sweep holds. Either way a breach is recorded once.
    query = query.order_by(SlaClock.due_at).limit(limit).with_for_update(skip_locked=ticket_id is None)
    clocks = session.exec(query).all()
    for clock in clocks:
        assert clock.due_at is not None
        holder = holder_at(session, clock.ticket_id, clock.due_at)
        _mark_breached(clock, holder)
        session.add(
            TicketEvent(
                ticket_id=clock.ticket_id,
                kind="sla_breached",
                at=clock.due_at,
                actor_id=None,
                data={"metric": clock.metric, "agent_id": holder, "target_seconds": clock.target_seconds},
            )
        )
    rollups.clocks_breached(session, clocks)
    return len(clocks)


# -- a ticket's clocks together ----------------------------------------------------------------


def ticket_clocks(session: Session, ticket_id: int) -> list[SlaClock]:
    # Intake's bulk session holds a new ticket's clocks itself and hands them over without a
    # statement to build and analyse (the commonest question of an import, once per event).
    held = getattr(session, "held_rows", None)
    rows = held(SlaClock, "ticket_id", ticket_id) if held is not None else None
    if rows is not None:
        return sorted(rows, key=lambda clock: clock.id)
    return list(session.exec(select(SlaClock).where(SlaClock.ticket_id == ticket_id).order_by(SlaClock.id)).all())


def live(clocks: list[SlaClock], metric: str) -> SlaClock | None:
    for clock in reversed(clocks):
        if clock.metric == metric and clock.state in (RUNNING, PAUSED):
            return clock
    return None


def latest(clocks: list[SlaClock], metric: str) -> SlaClock | None:
    for clock in reversed(clocks):
        if clock.metric == metric:
            return clock
    return None


def refresh_keys(ticket: Ticket, clocks: list[SlaClock], book: PolicyBook) -> None:
    """Denormalise the nearest running due time and the earliest at-risk instant onto the ticket."""
    due_key = risk_key = NO_DUE
    for clock in clocks:
        if clock.state != RUNNING or clock.due_at is None:
            continue
        if clock.at_risk_at is None:  # written before at_risk_at existed, or by hand: set it now
            policy = book.by_id(clock.policy_id) or book.by_id(ticket.policy_id)
            cal = policy.calendar if policy else BusinessCalendar.always_open()
            share = policy.warn_share if policy else DEFAULT_WARN_SHARE
            clock.at_risk_at = risk_at(cal, clock.due_at, clock.target_seconds, share)
        due_key = min(due_key, epoch(clock.due_at))
        risk_key = min(risk_key, epoch(clock.at_risk_at))
    ticket.due_key = due_key
    ticket.risk_key = risk_key


def apply_policy(ticket: Ticket, clocks: list[SlaClock], book: PolicyBook, tier: str, at: datetime) -> None:
    """Re-match policies (priority or tier changed) and move every live clock's due time."""
    policy = book.match(priority=ticket.priority, tier=tier, channel=ticket.channel, category=ticket.category)
    ticket.policy_id = policy.id if policy else None
    if policy is None:
        return
    cal = policy.calendar
    for clock in clocks:
        target = policy.target(ticket.priority, clock.metric)
        if target is not None:
            retarget_clock(clock, at, target.clock_seconds(cal, clock.started_at), cal, policy)


# -- how far ahead "at risk" can reach ---------------------------------------------------------


def at_risk_horizon(book: PolicyBook, calendars: list[BusinessCalendar], now: datetime) -> datetime:
    """A due time past this cannot be at risk at `now`: the widest warning window, in business time.

    A clock at risk at `now` has at most its warning window (share x target) of business time
    left, so its due time is no later than `cal.after(now, window)` on its calendar; taking the
    widest window over every policy on every calendar covers clocks whose policy changed since.
    """
    widest = max((t.longest_seconds * p.warn_share for p in book.policies for t in p.parsed.values()), default=0.0)
    window = timedelta(seconds=widest + 1)
    ends = [cal.after(now, window) for cal in {*calendars, BusinessCalendar.always_open()}]
    return max(ends)
