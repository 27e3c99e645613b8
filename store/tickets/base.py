"""What every ticket action shares: the context, locking the row, the version check, events,
and moving the SLA clocks on a status change.

An action locks its ticket first (`FOR NO KEY UPDATE` on PostgreSQL; on SQLite the whole
write already holds the database lock), so two consoles editing one ticket take turns and
the version check can never pass for both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from store.audit import record_audit
from store.clock import ensure_utc
from store.errors import NotFound, StaleVersion
from store.limits import id_ceiling
from store.models import OPEN_STATUSES, STATUSES, Customer, Ticket, TicketEvent
from store.rollups import hooks as rollups
from store.sla import clocks as sla
from store.sla.policies import PolicyBook, load_policy_book

# NO KEY: inserting an event (a foreign key to the ticket) elsewhere is not blocked by the lock.
ROW_LOCK = {"key_share": True}


@dataclass
class Context:
    """What an action needs besides its arguments: the session, the time and the policy book."""

    session: Session
    at: datetime
    book: PolicyBook

    @classmethod
    def open(cls, session: Session, at: datetime) -> Context:
        return cls(session=session, at=ensure_utc(at, field="at"), book=load_policy_book(session))


def load_ticket(session: Session, ticket_id: int, *, lock: bool = False) -> Ticket:
    if not 1 <= ticket_id <= id_ceiling(session.get_bind().dialect.name):
        raise NotFound(f"ticket #{ticket_id} does not exist")  # no such row can exist: no query
    # Locking re-reads the row: a copy this session read earlier may be older than the lock.
    ticket = session.get(Ticket, ticket_id, with_for_update=ROW_LOCK if lock else None, populate_existing=lock)
    if ticket is None:
        raise NotFound(f"ticket #{ticket_id} does not exist")
    return ticket


def check_version(ticket: Ticket, expected: int | None) -> None:
    if expected is not None and ticket.version != expected:
        raise StaleVersion(ticket.id or 0, expected, ticket.version)


def add_event(ctx: Context, ticket: Ticket, kind: str, actor: int | None, *, body: str = "",
              public: bool = False, data: dict | None = None) -> TicketEvent:
    event = TicketEvent(ticket_id=ticket.id or 0, kind=kind, at=ctx.at, actor_id=actor, body=body,
                        public=public, data=data or {})
    ctx.session.add(event)
    rollups.on_event(ctx.session, ticket, event)  # panel and report counters, same transaction
    return event


def bump(ctx: Context, ticket: Ticket) -> None:
    ticket.version += 1
    ticket.updated_at = ctx.at
    ctx.session.add(ticket)


def tier_of(session: Session, ticket: Ticket) -> str:
    customer = session.get(Customer, ticket.customer_id)
    return customer.tier if customer else "standard"


def calendar_of(ctx: Context, ticket: Ticket):
    policy = ctx.book.by_id(ticket.policy_id)
    return policy.calendar if policy else sla.BusinessCalendar.always_open()


def finish(ctx: Context, ticket: Ticket, clocks: list) -> None:
    ctx.session.flush()
    sla.refresh_keys(ticket, clocks, ctx.book)
    ctx.session.add(ticket)


def prepare(ctx: Context, ticket_id: int, expected_version: int | None) -> tuple[Ticket, list]:
    """Lock the ticket, refuse a stale edit, record breaches that fell due, load its clocks."""
    ticket = load_ticket(ctx.session, ticket_id, lock=True)
    check_version(ticket, expected_version)
    clocks = sla.ticket_clocks(ctx.session, ticket.id or 0)
    # The ticket is locked and its clocks are in hand: the breach pass (a query of its own, per
    # event on import) runs only when one of them fell due.
    if any(c.state == sla.RUNNING and c.outcome is None and c.due_at is not None and c.due_at < ctx.at
           for c in clocks):
        sla.record_breaches(ctx.session, ctx.at, ticket_id=ticket.id)
        ctx.session.flush()
        clocks = sla.ticket_clocks(ctx.session, ticket.id or 0)
    return ticket, clocks


def validate(field: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise ValueError(f"{field}: {value!r} is not one of {', '.join(allowed)}")


def change_status(ctx: Context, ticket: Ticket, clocks: list, status: str, *, actor: int | None) -> None:
    validate("status", status, STATUSES)
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
            share = policy.warn_share if policy else sla.DEFAULT_WARN_SHARE
            sla.resume_clock(resolution, ctx.at, cal, share=share)
        if before in ("solved", "closed"):
            ticket.solved_at = None
    ticket.status = status
    ticket.is_open = status in OPEN_STATUSES
    add_event(ctx, ticket, "status_changed", actor, data={"from": before, "to": status})
    record_audit(ctx.session, ctx.at, actor, "ticket", ticket.id, "status", {"status": before}, {"status": status})
