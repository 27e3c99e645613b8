"""Drafting a handover from live data: what the ending shift leaves to the next one.

- pending: open tickets waiting on us (status new or open) that nobody worked during the
  shift, in priority then due order;
- in progress: open tickets an agent worked during the shift (reply, note, status,
  assignment, priority or escalation), with their last status change or note;
- special cases: tickets escalated during the shift, tickets whose SLA clock breached
  during it, and VIP customers' open tickets created or worked during it;
- summary: received, replied, solved, attainment per metric, breaches, at risk now.

Every list is one capped SQL query (the lead edits a handover, not a report); `totals`
keeps how many matched. The summary's figures come from the one reader the panel and
`shiftdesk report` use, after the breaches that fell due are recorded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from store.db.reader import session_unit
from store.handover.content import HandoverContent, MetricAttainment, ShiftSummary, TicketItem, iso
from store.models import METRICS, NO_DUE, VIP_TIERS, Customer, SlaClock, Ticket, TicketEvent
from store.rollups.metrics import Figures
from store.sla.clocks import epoch
from store.team.names import person_labels
from store.team.shifts import ShiftWindow

LIMITS = {"pending": 25, "in_progress": 25, "special": 25}
WORK_KINDS = ("agent_reply", "internal_note", "status_changed", "assigned", "priority_changed", "escalated")
LAST_KINDS = ("internal_note", "status_changed")
WAITING_ON_US = ("new", "open")
MAX_LAST = 200


def _worked(window: ShiftWindow):
    """Ticket ids an agent acted on during the window (a subquery)."""
    return (
        select(TicketEvent.ticket_id)
        .where(col(TicketEvent.kind).in_(WORK_KINDS), col(TicketEvent.actor_id).is_not(None),
               TicketEvent.at >= window.start, TicketEvent.at < window.end)
        .distinct()
    )


def _breached_in(window: ShiftWindow, now: datetime):
    """Clocks that breached during the window: recorded, or running past a due time not yet recorded."""
    until = min(window.end, now)
    return or_(
        and_(SlaClock.outcome == "breached", col(SlaClock.ended_at) >= window.start, col(SlaClock.ended_at) < window.end),
        and_(SlaClock.state == "running", col(SlaClock.outcome).is_(None),
             col(SlaClock.due_at) >= window.start, col(SlaClock.due_at) < until),
    )


def sla_state(due_key: int, risk_key: int, status: str, now: datetime) -> str:
    at = epoch(now)
    if due_key >= NO_DUE:
        return "paused" if status in ("pending", "on_hold") else "none"
    if due_key <= at:
        return "breached"
    return "at_risk" if risk_key <= at else "ok"


def _items(session: Session, ids_in_order: list[int], now: datetime) -> list[TicketItem]:
    """Ticket items for ids, in the given order: one query for tickets, one for their due clocks."""
    if not ids_in_order:
        return []
    rows = session.exec(
        select(Ticket, Customer.name, Customer.tier)
        .join(Customer, col(Customer.id) == Ticket.customer_id)
        .where(col(Ticket.id).in_(ids_in_order))
    ).all()
    people = person_labels(session_unit(session))
    by_id = {t.id: (t, cname, tier, people.get(t.assignee_id) if t.assignee_id else "") for t, cname, tier in rows}
    clocks = session.exec(
        select(SlaClock.ticket_id, SlaClock.metric, SlaClock.due_at)
        .where(col(SlaClock.ticket_id).in_(ids_in_order), SlaClock.state == "running",
               col(SlaClock.due_at).is_not(None))
        .order_by(col(SlaClock.due_at))
    ).all()
    nearest: dict[int, tuple[str, datetime]] = {}
    for ticket_id, metric, due_at in clocks:
        nearest.setdefault(ticket_id, (metric, due_at))
    out: list[TicketItem] = []
    for ticket_id in ids_in_order:
        if ticket_id not in by_id:
            continue
        ticket, cname, tier, aname = by_id[ticket_id]
        metric, due_at = nearest.get(ticket_id, (None, None))
        out.append(TicketItem(
            ticket_id=ticket_id, subject=ticket.subject, priority=ticket.priority, status=ticket.status,
            customer=cname or "", tier=tier or "standard", assignee=aname or "",
            sla_state=sla_state(ticket.due_key, ticket.risk_key, ticket.status, now),
            due_at=iso(due_at), due_metric=metric,
        ))
    return out


def _last_events(session: Session, ids: Iterable[int], kinds: tuple[str, ...]) -> dict[int, TicketEvent]:
    """The latest event of the given kinds per ticket, in one query."""
    ids = list(ids)
    if not ids:
        return {}
    latest = (
        select(func.max(TicketEvent.id).label("id"))
        .where(col(TicketEvent.ticket_id).in_(ids), col(TicketEvent.kind).in_(kinds))
        .group_by(TicketEvent.ticket_id)
        .subquery()
    )
    events = session.exec(select(TicketEvent).join(latest, col(TicketEvent.id) == latest.c.id)).all()
    return {e.ticket_id: e for e in events}


def _describe(event: TicketEvent) -> str:
    if event.kind == "status_changed":
        return f"status:{event.data.get('from', '')}>{event.data.get('to', '')}"
    return event.body.strip()[:MAX_LAST]


def pending(session: Session, window: ShiftWindow, now: datetime) -> tuple[list[TicketItem], int]:
    where = (Ticket.is_open == True, col(Ticket.status).in_(WAITING_ON_US),  # noqa: E712
             col(Ticket.id).not_in(_worked(window)))
    total = session.exec(select(func.count()).select_from(Ticket).where(*where)).one()
    ids = session.exec(select(Ticket.id).where(*where).order_by(
        col(Ticket.priority_rank), col(Ticket.due_key), col(Ticket.id)).limit(LIMITS["pending"])).all()
    return _items(session, list(ids), now), int(total)


def in_progress(session: Session, window: ShiftWindow, now: datetime) -> tuple[list[TicketItem], int]:
    where = (Ticket.is_open == True, col(Ticket.id).in_(_worked(window)))  # noqa: E712
    total = session.exec(select(func.count()).select_from(Ticket).where(*where)).one()
    ids = list(session.exec(select(Ticket.id).where(*where).order_by(
        col(Ticket.priority_rank), col(Ticket.due_key), col(Ticket.id)).limit(LIMITS["in_progress"])).all())
    items = _items(session, ids, now)
    last = _last_events(session, ids, LAST_KINDS)
    out = []
    for item in items:
        event = last.get(item.ticket_id)
        if event is not None:
            item = replace(item, last=_describe(event), last_at=iso(event.at))
        out.append(item)
    return out, int(total)


def special(session: Session, window: ShiftWindow, now: datetime) -> tuple[list[TicketItem], int]:
    escalated = set(session.exec(select(TicketEvent.ticket_id).where(
        TicketEvent.kind == "escalated", TicketEvent.at >= window.start, TicketEvent.at < window.end)).all())
    breached = set(session.exec(select(SlaClock.ticket_id).where(_breached_in(window, now))).all())
    vip = set(session.exec(
        select(Ticket.id).join(Customer, col(Customer.id) == Ticket.customer_id)
        .where(Ticket.is_open == True, col(Customer.tier).in_(VIP_TIERS),  # noqa: E712
               or_(and_(Ticket.created_at >= window.start, Ticket.created_at < window.end),
                   col(Ticket.id).in_(_worked(window))))
    ).all())
    reasons: dict[int, list[str]] = {}
    for name, ids in (("vip", vip), ("escalated", escalated), ("breached", breached)):
        for ticket_id in ids:
            reasons.setdefault(ticket_id, []).append(name)
    if not reasons:
        return [], 0
    ids = list(session.exec(select(Ticket.id).where(col(Ticket.id).in_(list(reasons))).order_by(
        col(Ticket.is_open).desc(), col(Ticket.priority_rank), col(Ticket.due_key), col(Ticket.id))
        .limit(LIMITS["special"])).all())
    last = _last_events(session, ids, ("escalated",))
    out = []
    for item in _items(session, ids, now):
        event = last.get(item.ticket_id)
        item = replace(item, reasons=tuple(reasons[item.ticket_id]))
        if event is not None and "escalated" in item.reasons:
            item = replace(item, last=event.body.strip()[:MAX_LAST], last_at=iso(event.at))
        out.append(item)
    return out, len(reasons)


def summary(session: Session, window: ShiftWindow, now: datetime) -> ShiftSummary:
    """The shift's figures from the one reader the panel and the report use (store.reports.figures),
    over [shift start, the end of the current hour or the shift's end); breaches that fell due are
    recorded first, in this transaction, so they count whether or not a console swept."""
    from store.reports.figures import figures, hour_end
    from store.rollups.hooks import write_pending
    from store.sla.clocks import record_breaches

    while record_breaches(session, now) >= 5000:
        pass
    write_pending(session)
    f = figures(session, window.start, min(window.end, hour_end(now)), now=now).get("", Figures())
    attainment = tuple(MetricAttainment(m, f.met(m), f.breached(m)) for m in METRICS)
    at = epoch(now)
    open_now, at_risk, breached_now = session.exec(select(
        func.count(),
        func.count().filter(and_(Ticket.risk_key <= at, Ticket.due_key > at)),
        func.count().filter(Ticket.due_key <= at),
    ).where(Ticket.is_open == True)).one()  # noqa: E712
    return ShiftSummary(received=f.received, replied=f.replied, solved=f.solved, attainment=attainment,
                        breaches=sum(r.breached for r in attainment), at_risk_now=int(at_risk),
                        breached_now=int(breached_now), open_now=int(open_now))


def build(session: Session, window: ShiftWindow, now: datetime, *, saved_by: str = "") -> HandoverContent:
    """A fresh draft for the shift in `window`, as the data stands at `now`."""
    pend, pend_total = pending(session, window, now)
    prog, prog_total = in_progress(session, window, now)
    spec, spec_total = special(session, window, now)
    return HandoverContent(
        pending=tuple(pend), in_progress=tuple(prog), special=tuple(spec),
        summary=summary(session, window, now),
        totals={"pending": pend_total, "in_progress": prog_total, "special": spec_total},
        window_start=window.start.isoformat(), window_end=window.end.isoformat(), tz=window.tz,
        drafted_at=now.isoformat(), saved_by=saved_by,
    )
