"""Ticket actions: each records an event, moves the SLA clocks and writes the audit trail,
all inside the caller's one write transaction (use `Database.write()`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import update
from sqlmodel import Session, col, select

from store import sla
from store.audit import record_audit
from store.clock import ensure_utc
from store.errors import AlreadyClaimed, NotFound, StaleVersion
from store.models import (
    CHANNELS,
    OPEN_STATUSES,
    PRIORITIES,
    PRIORITY_RANK,
    STATUSES,
    Agent,
    Customer,
    Ticket,
    TicketEvent,
)
from store.policies import PolicyBook, load_policy_book


@dataclass
class Context:
    """What an action needs besides its arguments: the session, the time and the policy book."""

    session: Session
    at: datetime
    book: PolicyBook

    @classmethod
    def open(cls, session: Session, at: datetime) -> Context:
        return cls(session=session, at=ensure_utc(at, field="at"), book=load_policy_book(session))


def _ticket(session: Session, ticket_id: int) -> Ticket:
    ticket = session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(f"ticket #{ticket_id} does not exist")
    return ticket


def _check_version(ticket: Ticket, expected: int | None) -> None:
    if expected is not None and ticket.version != expected:
        raise StaleVersion(ticket.id or 0, expected, ticket.version)


def _event(ctx: Context, ticket: Ticket, kind: str, actor: int | None, *, body: str = "", public: bool = False,
           data: dict | None = None) -> TicketEvent:
    event = TicketEvent(ticket_id=ticket.id or 0, kind=kind, at=ctx.at, actor_id=actor, body=body,
                        public=public, data=data or {})
    ctx.session.add(event)
    return event


def _bump(ctx: Context, ticket: Ticket) -> None:
    ticket.version += 1
    ticket.updated_at = ctx.at
    ctx.session.add(ticket)


def _tier(session: Session, ticket: Ticket) -> str:
    customer = session.get(Customer, ticket.customer_id)
    return customer.tier if customer else "standard"


def _calendar(ctx: Context, ticket: Ticket):
    policy = ctx.book.by_id(ticket.policy_id)
    return policy.calendar if policy else sla.BusinessCalendar.always_open()


def _finish(ctx: Context, ticket: Ticket, clocks: list) -> None:
    ctx.session.flush()
    sla.refresh_keys(ticket, clocks, ctx.book)
    ctx.session.add(ticket)


def _prepare(ctx: Context, ticket_id: int, expected_version: int | None) -> tuple[Ticket, list]:
    ticket = _ticket(ctx.session, ticket_id)
    _check_version(ticket, expected_version)
    sla.record_breaches(ctx.session, ctx.at, ticket_id=ticket.id)
    ctx.session.flush()
    return ticket, sla.ticket_clocks(ctx.session, ticket.id or 0)


def _validate(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{field}: {value!r} is not one of {', '.join(allowed)}")


# -- creating ------------------------------------------------------------------------------------


def create_ticket(
    ctx: Context,
    *,
    subject: str,
    customer_id: int,
    body: str = "",
    channel: str = "email",
    category: str = "",
    priority: str = "normal",
    language: str = "zh-TW",
    external_id: str | None = None,
    fields: dict | None = None,
    actor_id: int | None = None,
) -> Ticket:
    _validate("channel", channel, CHANNELS)
    _validate("priority", priority, PRIORITIES)
    tier = _tier_of_customer(ctx.session, customer_id)
    ticket = Ticket(
        subject=subject, customer_id=customer_id, channel=channel, category=category, priority=priority,
        priority_rank=PRIORITY_RANK[priority], status="new", is_open=True, language=language,
        external_id=external_id, fields=dict(fields or {}), created_at=ctx.at, updated_at=ctx.at,
    )
    policy = ctx.book.match(priority=priority, tier=tier, channel=channel, category=category)
    ticket.policy_id = policy.id if policy else None
    ctx.session.add(ticket)
    ctx.session.flush()
    _event(ctx, ticket, "created", actor_id, body=body, public=True,
           data={"channel": channel, "priority": priority, "category": category})
    clocks = [c for m in ("first_reply", "resolution") if (c := sla.start_clock(ctx.session, ticket, m, ctx.at, policy))]
    record_audit(ctx.session, ctx.at, actor_id, "ticket", ticket.id, "create", {},
                 {"subject": subject, "priority": priority, "channel": channel, "category": category})
    _finish(ctx, ticket, clocks)
    return ticket


def _tier_of_customer(session: Session, customer_id: int) -> str:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer #{customer_id} does not exist")
    return customer.tier


# -- messages --------------------------------------------------------------------------------------


def add_customer_message(ctx: Context, ticket_id: int, body: str) -> TicketEvent:
    """A customer wrote again: reopen if solved, resume if pending, start a next-reply clock."""
    ticket, clocks = _prepare(ctx, ticket_id, None)
    if ticket.status in ("solved", "closed", "pending", "on_hold"):
        if ticket.status in ("solved", "closed"):
            ticket.reopen_count += 1
        _change_status(ctx, ticket, clocks, "open", actor=None)
    first = sla.latest(clocks, "first_reply")
    answered = ticket.first_reply_at is not None or (first is not None and first.state == sla.STOPPED)
    if answered and sla.live(clocks, "next_reply") is None:
        policy = ctx.book.by_id(ticket.policy_id)
        clock = sla.start_clock(ctx.session, ticket, "next_reply", ctx.at, policy)
        if clock:
            clocks.append(clock)
    ticket.customer_message_count += 1
    event = _event(ctx, ticket, "customer_message", None, body=body, public=True)
    _bump(ctx, ticket)
    _finish(ctx, ticket, clocks)
    return event


def add_reply(
    ctx: Context,
    ticket_id: int,
    agent_id: int,
    body: str,
    *,
    set_status: str | None = None,
    expected_version: int | None = None,
    template_key: str | None = None,
) -> TicketEvent:
    """A public agent reply: stops the first-reply or next-reply clock, optionally sets status."""
    if not body.strip():
        raise ValueError("reply: the body is empty")
    ticket, clocks = _prepare(ctx, ticket_id, expected_version)
    cal = _calendar(ctx, ticket)
    holder = ticket.assignee_id if ticket.assignee_id is not None else agent_id
    for metric in ("first_reply", "next_reply"):
        clock = sla.live(clocks, metric)
        if clock is not None:
            sla.stop_clock(clock, ctx.at, cal, holder)
    if ticket.first_reply_at is None:
        ticket.first_reply_at = ctx.at
    ticket.reply_count += 1
    data = {"template": template_key} if template_key else {}
    event = _event(ctx, ticket, "agent_reply", agent_id, body=body, public=True, data=data)
    target = set_status or ("open" if ticket.status == "new" else None)
    if target and target != ticket.status:
        _change_status(ctx, ticket, clocks, target, actor=agent_id)
    record_audit(ctx.session, ctx.at, agent_id, "ticket", ticket.id, "reply", {}, {"template": template_key or ""})
    _bump(ctx, ticket)
    _finish(ctx, ticket, clocks)
    return event


def add_note(ctx: Context, ticket_id: int, agent_id: int, body: str) -> TicketEvent:
    if not body.strip():
        raise ValueError("note: the body is empty")
    ticket, clocks = _prepare(ctx, ticket_id, None)
    event = _event(ctx, ticket, "internal_note", agent_id, body=body)
    record_audit(ctx.session, ctx.at, agent_id, "ticket", ticket.id, "note", {}, {"length": len(body)})
    _bump(ctx, ticket)
    _finish(ctx, ticket, clocks)
    return event


# -- status, priority, tier ------------------------------------------------------------------------


def _change_status(ctx: Context, ticket: Ticket, clocks: list, status: str, *, actor: int | None) -> None:
    _validate("status", status, STATUSES)
    before = ticket.status
    if status == before:
        return
    policy = ctx.book.by_id(ticket.policy_id)
    cal = policy.calendar if policy else sla.BusinessCalendar.always_open()
    pauses = policy.pause_statuses if policy else frozenset({"pending", "on_hold"})
    holder = ticket.assignee_id
    resolution = sla.latest(clocks, "resolution")
    if status in ("solved", "closed"):
        if resolution is not None:
            sla.stop_clock(resolution, ctx.at, cal, holder)
        for metric in ("first_reply", "next_reply"):
            clock = sla.live(clocks, metric)
            if clock is not None:
                sla.cancel_clock(clock, ctx.at)
        if ticket.solved_at is None or before not in ("solved", "closed"):
            ticket.solved_at = ctx.at
    elif resolution is not None:
        if status in pauses:
            sla.pause_clock(resolution, ctx.at, cal)
        else:
            sla.resume_clock(resolution, ctx.at, cal)
        if before in ("solved", "closed"):
            ticket.solved_at = None
    ticket.status = status
    ticket.is_open = status in OPEN_STATUSES
    _event(ctx, ticket, "status_changed", actor, data={"from": before, "to": status})
    record_audit(ctx.session, ctx.at, actor, "ticket", ticket.id, "status", {"status": before}, {"status": status})


def set_status(ctx: Context, ticket_id: int, agent_id: int | None, status: str, *,
               expected_version: int | None = None) -> Ticket:
    ticket, clocks = _prepare(ctx, ticket_id, expected_version)
    if status in ("open", "new") and ticket.status in ("solved", "closed"):
        ticket.reopen_count += 1
    _change_status(ctx, ticket, clocks, status, actor=agent_id)
    _bump(ctx, ticket)
    _finish(ctx, ticket, clocks)
    return ticket


def set_priority(ctx: Context, ticket_id: int, agent_id: int | None, priority: str, *,
                 expected_version: int | None = None, reason: str = "") -> Ticket:
    _validate("priority", priority, PRIORITIES)
    ticket, clocks = _prepare(ctx, ticket_id, expected_version)
    before = ticket.priority
    if before == priority:
        return ticket
    ticket.priority = priority
    ticket.priority_rank = PRIORITY_RANK[priority]
    sla.apply_policy(ticket, clocks, ctx.book, _tier(ctx.session, ticket), ctx.at)
    _event(ctx, ticket, "priority_changed", agent_id, body=reason, data={"from": before, "to": priority})
    record_audit(ctx.session, ctx.at, agent_id, "ticket", ticket.id, "priority", {"priority": before},
                 {"priority": priority})
    _bump(ctx, ticket)
    _finish(ctx, ticket, clocks)
    return ticket


def set_customer_tier(ctx: Context, customer_id: int, tier: str, actor_id: int | None = None) -> int:
    """Change a customer's tier and re-apply policies to their open tickets; returns how many moved."""
    from store.models import TIERS

    _validate("tier", tier, TIERS)
    customer = ctx.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer #{customer_id} does not exist")
    before = customer.tier
    customer.tier = tier
    ctx.session.add(customer)
    record_audit(ctx.session, ctx.at, actor_id, "customer", customer_id, "tier", {"tier": before}, {"tier": tier})
    tickets = ctx.session.exec(select(Ticket).where(Ticket.customer_id == customer_id, Ticket.is_open == True)).all()  # noqa: E712
    for ticket in tickets:
        sla.record_breaches(ctx.session, ctx.at, ticket_id=ticket.id)
        clocks = sla.ticket_clocks(ctx.session, ticket.id or 0)
        sla.apply_policy(ticket, clocks, ctx.book, tier, ctx.at)
        _event(ctx, ticket, "tier_changed", actor_id, data={"from": before, "to": tier})
        _bump(ctx, ticket)
        _finish(ctx, ticket, clocks)
    return len(tickets)


# -- ownership -------------------------------------------------------------------------------------


def claim(ctx: Context, ticket_id: int, agent_id: int) -> Ticket:
    """Take an unassigned ticket with one conditional write: a lost race names the winner."""
    sla.record_breaches(ctx.session, ctx.at, ticket_id=ticket_id)
    result = ctx.session.execute(
        update(Ticket)
        .where(col(Ticket.id) == ticket_id, col(Ticket.assignee_id).is_(None))
        .values(assignee_id=agent_id, version=Ticket.version + 1, updated_at=ctx.at)
    )
    ticket = _ticket(ctx.session, ticket_id)
    if result.rowcount != 1:
        ctx.session.refresh(ticket)
        if ticket.assignee_id == agent_id:
            return ticket
        winner = ctx.session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None
        raise AlreadyClaimed(ticket_id, winner.name if winner else "?")
    ctx.session.refresh(ticket)
    _event(ctx, ticket, "assigned", agent_id, data={"from": None, "to": agent_id, "claim": True})
    record_audit(ctx.session, ctx.at, agent_id, "ticket", ticket_id, "claim", {"assignee_id": None},
                 {"assignee_id": agent_id})
    if ticket.status == "new":
        clocks = sla.ticket_clocks(ctx.session, ticket_id)
        _change_status(ctx, ticket, clocks, "open", actor=agent_id)
        _finish(ctx, ticket, clocks)
    return ticket


def assign(ctx: Context, ticket_id: int, actor_id: int | None, assignee_id: int | None, *,
           expected_version: int | None = None) -> Ticket:
    """Give a ticket to someone (or nobody); a version check refuses a stale assignment."""
    ticket, clocks = _prepare(ctx, ticket_id, expected_version)
    before = ticket.assignee_id
    if before == assignee_id:
        return ticket
    if assignee_id is not None and ctx.session.get(Agent, assignee_id) is None:
        raise NotFound(f"agent #{assignee_id} does not exist")
    ticket.assignee_id = assignee_id
    _event(ctx, ticket, "assigned", actor_id, data={"from": before, "to": assignee_id})
    record_audit(ctx.session, ctx.at, actor_id, "ticket", ticket_id, "assign", {"assignee_id": before},
                 {"assignee_id": assignee_id})
    _bump(ctx, ticket)
    _finish(ctx, ticket, clocks)
    return ticket


def escalate(ctx: Context, ticket_id: int, agent_id: int | None, reason: str, *,
             expected_version: int | None = None) -> Ticket:
    """Raise priority one step (not past urgent) and flag the ticket for a lead, with a reason."""
    if not reason.strip():
        raise ValueError("escalate: a reason is required")
    ticket, clocks = _prepare(ctx, ticket_id, expected_version)
    before = ticket.priority
    raised = PRIORITIES[max(0, PRIORITY_RANK[before] - 1)]
    if raised != before:
        ticket.priority = raised
        ticket.priority_rank = PRIORITY_RANK[raised]
        sla.apply_policy(ticket, clocks, ctx.book, _tier(ctx.session, ticket), ctx.at)
    ticket.escalated = True
    _event(ctx, ticket, "escalated", agent_id, body=reason, data={"from": before, "to": raised})
    record_audit(ctx.session, ctx.at, agent_id, "ticket", ticket_id, "escalate",
                 {"priority": before, "escalated": False}, {"priority": raised, "escalated": True, "reason": reason})
    _bump(ctx, ticket)
    _finish(ctx, ticket, clocks)
    return ticket


def record_survey(ctx: Context, ticket_id: int, kind: str, score: int, comment: str = "") -> None:
    from store.models import Survey

    if kind not in ("csat", "nps"):
        raise ValueError(f"survey kind: {kind!r} is not csat or nps")
    low, high = (1, 5) if kind == "csat" else (0, 10)
    if not low <= score <= high:
        raise ValueError(f"survey score: {score} is outside {low}-{high} for {kind}")
    ticket = _ticket(ctx.session, ticket_id)
    ctx.session.add(Survey(ticket_id=ticket_id, kind=kind, score=score, at=ctx.at, comment=comment))
    _event(ctx, ticket, "survey", None, body=comment, data={"kind": kind, "score": score})
