"""Ticket actions: each records an event, moves the SLA clocks and writes the audit trail,
all inside the caller's one write transaction (use `Database.write()`).
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from store.audit import record_audit
from store.errors import NotFound
from store.models import CHANNELS, PRIORITIES, PRIORITY_RANK, Customer, Ticket, TicketEvent
from store.sla import clocks as sla
from store.tickets.base import (
    ROW_LOCK,
    Context,
    add_event,
    bump,
    calendar_of,
    change_status,
    finish,
    load_ticket,
    prepare,
    tier_of,
    validate,
)
from store.tickets.ownership import assign, claim, next_ticket

__all__ = [
    "Context", "add_customer_message", "add_note", "add_reply", "assign", "claim", "create_ticket", "escalate",
    "next_ticket", "record_survey", "set_customer_tier", "set_priority", "set_status",
]


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
    validate("channel", channel, CHANNELS)
    validate("priority", priority, PRIORITIES)
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
    add_event(ctx, ticket, "created", actor_id, body=body, public=True,
           data={"channel": channel, "priority": priority, "category": category})
    clocks = [c for m in ("first_reply", "resolution") if (c := sla.start_clock(ctx.session, ticket, m, ctx.at, policy))]
    record_audit(ctx.session, ctx.at, actor_id, "ticket", ticket.id, "create", {},
                 {"subject": subject, "priority": priority, "channel": channel, "category": category})
    finish(ctx, ticket, clocks)
    return ticket


def _tier_of_customer(session: Session, customer_id: int) -> str:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer #{customer_id} does not exist")
    return customer.tier


# -- messages --------------------------------------------------------------------------------------


def add_customer_message(ctx: Context, ticket_id: int, body: str) -> TicketEvent:
    """A customer wrote again: reopen if solved, resume if pending, start a next-reply clock.

    The customer waits for an answer whenever no reply clock runs and the first-reply clock is
    over: met, breached, or cancelled by a solve before any reply (a ticket solved unanswered
    and then reopened by the customer gets a reply clock too).
    """
    ticket, clocks = prepare(ctx, ticket_id, None)
    if ticket.status in ("solved", "closed", "pending", "on_hold"):
        if ticket.status in ("solved", "closed"):
            ticket.reopen_count += 1
        change_status(ctx, ticket, clocks, "open", actor=None)
    first = sla.latest(clocks, "first_reply")
    first_over = first is not None and first.state in (sla.STOPPED, sla.CANCELLED)
    answered = ticket.first_reply_at is not None or first_over
    waiting = sla.live(clocks, "first_reply") is None and sla.live(clocks, "next_reply") is None
    if answered and waiting:
        policy = ctx.book.by_id(ticket.policy_id)
        clock = sla.start_clock(ctx.session, ticket, "next_reply", ctx.at, policy)
        if clock:
            clocks.append(clock)
    ticket.customer_message_count += 1
    event = add_event(ctx, ticket, "customer_message", None, body=body, public=True)
    bump(ctx, ticket)
    finish(ctx, ticket, clocks)
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
    claim_unassigned: bool = False,
) -> TicketEvent:
    """A public agent reply: stops the first-reply or next-reply clock, optionally sets status.

    With `claim_unassigned` (the console's replies) a reply to an unassigned ticket also gives it
    to the agent who wrote it, as Zendesk and Freshdesk do, so a later breach counts against
    someone; intake's historical replies leave the assignment as imported."""
    if not body.strip():
        raise ValueError("reply: the body is empty")
    ticket, clocks = prepare(ctx, ticket_id, expected_version)
    if claim_unassigned and ticket.assignee_id is None:
        _claim_by_reply(ctx, ticket, agent_id)
    cal = calendar_of(ctx, ticket)
    holder = ticket.assignee_id if ticket.assignee_id is not None else agent_id
    for metric in ("first_reply", "next_reply"):
        clock = sla.live(clocks, metric)
        if clock is not None:
            sla.stop_clock(clock, ctx.at, cal, holder)
    if ticket.first_reply_at is None:
        ticket.first_reply_at = ctx.at
    ticket.reply_count += 1
    data = {"template": template_key} if template_key else {}
    event = add_event(ctx, ticket, "agent_reply", agent_id, body=body, public=True, data=data)
    target = set_status or ("open" if ticket.status == "new" else None)
    if target and target != ticket.status:
        change_status(ctx, ticket, clocks, target, actor=agent_id)
    record_audit(ctx.session, ctx.at, agent_id, "ticket", ticket.id, "reply", {}, {"template": template_key or ""})
    bump(ctx, ticket)
    finish(ctx, ticket, clocks)
    return event


def _claim_by_reply(ctx: Context, ticket: Ticket, agent_id: int) -> None:
    """The replying agent takes the ticket (the row is locked by `prepare`, so no claim races it)."""
    ticket.assignee_id = agent_id
    add_event(ctx, ticket, "assigned", agent_id, data={"from": None, "to": agent_id, "reply": True})
    record_audit(ctx.session, ctx.at, agent_id, "ticket", ticket.id, "reply_claim", {"assignee_id": None},
                 {"assignee_id": agent_id})


def add_note(ctx: Context, ticket_id: int, agent_id: int, body: str, *,
             expected_version: int | None = None) -> TicketEvent:
    if not body.strip():
        raise ValueError("note: the body is empty")
    ticket, clocks = prepare(ctx, ticket_id, expected_version)
    event = add_event(ctx, ticket, "internal_note", agent_id, body=body)
    record_audit(ctx.session, ctx.at, agent_id, "ticket", ticket.id, "note", {}, {"length": len(body)})
    bump(ctx, ticket)
    finish(ctx, ticket, clocks)
    return event


# -- status, priority, tier ------------------------------------------------------------------------


def set_status(ctx: Context, ticket_id: int, agent_id: int | None, status: str, *,
               expected_version: int | None = None) -> Ticket:
    ticket, clocks = prepare(ctx, ticket_id, expected_version)
    if status in ("open", "new") and ticket.status in ("solved", "closed"):
        ticket.reopen_count += 1
    change_status(ctx, ticket, clocks, status, actor=agent_id)
    bump(ctx, ticket)
    finish(ctx, ticket, clocks)
    return ticket


def set_priority(ctx: Context, ticket_id: int, agent_id: int | None, priority: str, *,
                 expected_version: int | None = None, reason: str = "") -> Ticket:
    validate("priority", priority, PRIORITIES)
    ticket, clocks = prepare(ctx, ticket_id, expected_version)
    before = ticket.priority
    if before == priority:
        return ticket
    ticket.priority = priority
    ticket.priority_rank = PRIORITY_RANK[priority]
    sla.apply_policy(ticket, clocks, ctx.book, tier_of(ctx.session, ticket), ctx.at)
    add_event(ctx, ticket, "priority_changed", agent_id, body=reason, data={"from": before, "to": priority})
    record_audit(ctx.session, ctx.at, agent_id, "ticket", ticket.id, "priority", {"priority": before},
                 {"priority": priority})
    bump(ctx, ticket)
    finish(ctx, ticket, clocks)
    return ticket


def set_customer_tier(ctx: Context, customer_id: int, tier: str, actor_id: int | None = None) -> int:
    """Change a customer's tier and re-apply policies to their open tickets; returns how many moved."""
    from store.models import TIERS

    validate("tier", tier, TIERS)
    customer = ctx.session.get(Customer, customer_id)
    if customer is None:
        raise NotFound(f"customer #{customer_id} does not exist")
    before = customer.tier
    customer.tier = tier
    ctx.session.add(customer)
    record_audit(ctx.session, ctx.at, actor_id, "customer", customer_id, "tier", {"tier": before}, {"tier": tier})
    tickets = ctx.session.exec(
        select(Ticket).where(Ticket.customer_id == customer_id, Ticket.is_open == True)  # noqa: E712
        .order_by(col(Ticket.id)).with_for_update(**ROW_LOCK)  # in id order: two writers never deadlock
        .execution_options(populate_existing=True)
    ).all()
    for ticket in tickets:
        sla.record_breaches(ctx.session, ctx.at, ticket_id=ticket.id)
        clocks = sla.ticket_clocks(ctx.session, ticket.id or 0)
        sla.apply_policy(ticket, clocks, ctx.book, tier, ctx.at)
        add_event(ctx, ticket, "tier_changed", actor_id, data={"from": before, "to": tier})
        bump(ctx, ticket)
        finish(ctx, ticket, clocks)
    return len(tickets)


# -- escalation and surveys ------------------------------------------------------------------


def escalate(ctx: Context, ticket_id: int, agent_id: int | None, reason: str, *,
             expected_version: int | None = None) -> Ticket:
    """Raise priority one step (not past urgent) and flag the ticket for a lead, with a reason."""
    if not reason.strip():
        raise ValueError("escalate: a reason is required")
    ticket, clocks = prepare(ctx, ticket_id, expected_version)
    before = ticket.priority
    raised = PRIORITIES[max(0, PRIORITY_RANK[before] - 1)]
    if raised != before:
        ticket.priority = raised
        ticket.priority_rank = PRIORITY_RANK[raised]
        sla.apply_policy(ticket, clocks, ctx.book, tier_of(ctx.session, ticket), ctx.at)
    ticket.escalated = True
    add_event(ctx, ticket, "escalated", agent_id, body=reason, data={"from": before, "to": raised})
    record_audit(ctx.session, ctx.at, agent_id, "ticket", ticket_id, "escalate",
                 {"priority": before, "escalated": False}, {"priority": raised, "escalated": True, "reason": reason})
    bump(ctx, ticket)
    finish(ctx, ticket, clocks)
    return ticket


def record_survey(ctx: Context, ticket_id: int, kind: str, score: int, comment: str = "", *,
                  scale: int = 5) -> None:
    """A survey answer: CSAT on a 1-5 (default) or 1-10 scale, or NPS 0-10."""
    from store.models import Survey

    if kind not in ("csat", "nps"):
        raise ValueError(f"survey kind: {kind!r} is not csat or nps")
    if kind == "csat" and scale not in (5, 10):
        raise ValueError(f"survey scale: {scale} is not 5 or 10 for csat")
    low, high = (1, scale) if kind == "csat" else (0, 10)
    if not low <= score <= high:
        raise ValueError(f"survey score: {score} is outside {low}-{high} for {kind}")
    ticket = load_ticket(ctx.session, ticket_id)
    scale = scale if kind == "csat" else 10
    ctx.session.add(Survey(ticket_id=ticket_id, kind=kind, score=score, scale=scale, at=ctx.at, comment=comment))
    add_event(ctx, ticket, "survey", None, body=comment, data={"kind": kind, "score": score, "scale": scale})
