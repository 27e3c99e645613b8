"""The SLA engine: clocks start, pause, resume, stop and breach as events are recorded.

Every function here works inside the caller's write transaction, so an event and the
clocks it moves are committed together or not at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from store.models import NO_DUE, SlaClock, Ticket, TicketEvent
from store.rollups import hooks as rollups
from store.sla.calendar import BusinessCalendar
from store.sla.policies import Policy, PolicyBook

RUNNING, PAUSED, STOPPED, CANCELLED = "running", "paused", "stopped", "cancelled"
MET, BREACHED = "met", "breached"


def epoch(t: datetime) -> int:
    return int(t.timestamp())


# -- one clock -----------------------------------------------------------------------------


def _due_from(cal: BusinessCalendar, start: datetime, remaining: int) -> datetime:
    return cal.after(start, timedelta(seconds=max(remaining, 0)))


def start_clock(
    session: Session, ticket: Ticket, metric: str, at: datetime, policy: Policy | None
) -> SlaClock | None:
    """Open a clock for a metric if the ticket's policy has a target for it."""
    if policy is None:
        return None
    target = policy.target_seconds(ticket.priority, metric)
    if target is None:
        return None
    clock = SlaClock(
        ticket_id=ticket.id or 0,
        metric=metric,
        policy_id=policy.id,
        state=RUNNING,
        target_seconds=target,
        started_at=at,
        consumed_seconds=0,
        segment_start=at,
        due_at=_due_from(policy.calendar, at, target),
    )
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
        clock.due_at = None


def resume_clock(clock: SlaClock, at: datetime, cal: BusinessCalendar) -> None:
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
        clock.due_at = _due_from(cal, at, clock.target_seconds - clock.consumed_seconds)


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
    clock.stopped_at = at
    clock.segment_start = None


def retarget_clock(clock: SlaClock, at: datetime, target: int, cal: BusinessCalendar, policy_id: int) -> None:
    """Move a live clock onto a new target (priority or tier changed, policies re-applied)."""
    if clock.state not in (RUNNING, PAUSED):
        return
    clock.policy_id = policy_id
    clock.target_seconds = target
    if clock.outcome is not None or clock.state != RUNNING:
        return
    used = consumed_at(clock, at, cal)
    remaining = target - used
    if remaining > 0:
        clock.due_at = cal.after(at, timedelta(seconds=remaining))
    else:
        # Under the new target this clock ran out in the past: that is its due time.
        clock.due_at = cal.before(at, timedelta(seconds=-remaining))


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


def record_breaches(session: Session, now: datetime, *, ticket_id: int | None = None, limit: int = 5000) -> int:
    """Record every running clock whose due time has passed: once, at its due time."""
    query = select(SlaClock).where(
        SlaClock.state == RUNNING, col(SlaClock.outcome).is_(None), col(SlaClock.due_at) < now
    )
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
    """Denormalise the nearest running due time (and when it turns at risk) onto the ticket."""
    due_key = risk_key = NO_DUE
    policy = book.by_id(ticket.policy_id)
    share = policy.warn_share if policy else 0.25
    for clock in clocks:
        if clock.state != RUNNING or clock.due_at is None:
            continue
        due = epoch(clock.due_at)
        if due < due_key:
            due_key = due
        risk = due - int(clock.target_seconds * share)
        if risk < risk_key:
            risk_key = risk
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
        target = policy.target_seconds(ticket.priority, clock.metric)
        if target is not None:
            retarget_clock(clock, at, target, cal, policy.id)
