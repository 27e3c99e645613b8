"""Who holds a ticket: claim, next ticket, (re)assign. A ticket never gets two owners.

Taking a ticket is one conditional write (`... WHERE assignee_id IS NULL`): of two agents racing
for it exactly one matches a row. "Next ticket" picks the most urgent unclaimed ticket and
takes it in the same transaction: on PostgreSQL the pick skips rows other agents are taking
(`FOR UPDATE SKIP LOCKED`), on SQLite the pick and the write are one statement under the
database write lock.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import update
from sqlmodel import col, select

from store.audit import record_audit
from store.errors import AlreadyClaimed, NotFound, StaleVersion
from store.models import Agent, Ticket
from store.sla import clocks as sla
from store.team.permissions import require
from store.team.roster import assign_role
from store.tickets.base import (
    ROW_LOCK,
    Context,
    add_event,
    bump,
    change_status,
    finish,
    load_ticket,
    prepare,
)

NEXT_STATUSES = ("new", "open")  # pending and on-hold tickets wait for someone else, not for an agent
_ATTEMPTS = 5


def _take(ctx: Context, agent_id: int, *where) -> int | None:
    """The one conditional write; the id taken, or None when no row matched."""
    stmt = (
        update(Ticket)
        .where(col(Ticket.assignee_id).is_(None), *where)
        .values(assignee_id=agent_id, version=Ticket.version + 1, updated_at=ctx.at)
        .returning(Ticket.id)
        .execution_options(synchronize_session=False)
    )
    return ctx.session.execute(stmt).scalar()


def _taken(ctx: Context, ticket_id: int, agent_id: int, how: str) -> Ticket:
    """After winning a ticket: breaches that fell due, the event, the audit, new -> open."""
    sla.record_breaches(ctx.session, ctx.at, ticket_id=ticket_id)
    ticket = ctx.session.get_one(Ticket, ticket_id, populate_existing=True)  # the UPDATE bypassed the ORM
    add_event(ctx, ticket, "assigned", agent_id, data={"from": None, "to": agent_id, how: True})
    record_audit(ctx.session, ctx.at, agent_id, "ticket", ticket_id, how, {"assignee_id": None},
                 {"assignee_id": agent_id})
    if ticket.status == "new":
        clocks = sla.ticket_clocks(ctx.session, ticket_id)
        change_status(ctx, ticket, clocks, "open", actor=agent_id)
        finish(ctx, ticket, clocks)
    return ticket


def claim(ctx: Context, ticket_id: int, agent_id: int, *, expected_version: int | None = None) -> Ticket:
    """Take an unassigned ticket with one conditional write: a lost race names the winner."""
    require(ctx.session, agent_id, "agent", "claim")
    where = [col(Ticket.id) == ticket_id]
    if expected_version is not None:
        where.append(col(Ticket.version) == expected_version)
    if _take(ctx, agent_id, *where) is None:
        ticket = load_ticket(ctx.session, ticket_id)
        ctx.session.refresh(ticket)  # another console's write, committed since this session read it
        if ticket.assignee_id == agent_id:
            return ticket
        if ticket.assignee_id is not None:
            winner = ctx.session.get(Agent, ticket.assignee_id)
            raise AlreadyClaimed(ticket_id, winner.name if winner else "?")
        raise StaleVersion(ticket_id, expected_version or 0, ticket.version)
    return _taken(ctx, ticket_id, agent_id, "claim")


def next_ticket(ctx: Context, agent_id: int, *, priorities: Collection[str] = (),
                channels: Collection[str] = ()) -> Ticket | None:
    """Hand the agent the most urgent unclaimed ticket (priority, then due time); None if none is left."""
    require(ctx.session, agent_id, "agent", "next ticket")
    pick = select(Ticket.id).where(
        col(Ticket.assignee_id).is_(None), Ticket.is_open == True, col(Ticket.status).in_(NEXT_STATUSES),  # noqa: E712
    )
    if priorities:
        pick = pick.where(col(Ticket.priority).in_(tuple(priorities)))
    if channels:
        pick = pick.where(col(Ticket.channel).in_(tuple(channels)))
    pick = pick.order_by(col(Ticket.priority_rank), col(Ticket.due_key), col(Ticket.id)).limit(1)
    postgres = ctx.session.get_bind().dialect.name == "postgresql"
    for _ in range(_ATTEMPTS):
        if postgres:
            found = ctx.session.execute(pick.with_for_update(skip_locked=True, **ROW_LOCK)).scalar()
            if found is None:
                return None
            taken = _take(ctx, agent_id, col(Ticket.id) == found)
        else:
            # Under BEGIN IMMEDIATE nobody else writes between the pick and the update.
            taken = _take(ctx, agent_id, col(Ticket.id) == pick.scalar_subquery())
            if taken is None:
                return None
        if taken is not None:
            return _taken(ctx, taken, agent_id, "next_ticket")
    return None


def assign(ctx: Context, ticket_id: int, actor_id: int | None, assignee_id: int | None, *,
           expected_version: int | None = None) -> Ticket:
    """Give a ticket to someone (or nobody). Taking a free ticket or releasing your own is anyone's;
    moving a ticket between people needs a lead. A stale assignment is refused."""
    ticket, clocks = prepare(ctx, ticket_id, expected_version)
    before = ticket.assignee_id
    if before == assignee_id:
        return ticket
    require(ctx.session, actor_id, assign_role(actor_id, before, assignee_id), "reassign")
    if assignee_id is not None:
        target = ctx.session.get(Agent, assignee_id)
        if target is None or not target.active:
            raise NotFound(f"agent #{assignee_id} does not exist or is deactivated")
    ticket.assignee_id = assignee_id
    add_event(ctx, ticket, "assigned", actor_id, data={"from": before, "to": assignee_id})
    record_audit(ctx.session, ctx.at, actor_id, "ticket", ticket_id, "assign", {"assignee_id": before},
                 {"assignee_id": assignee_id})
    bump(ctx, ticket)
    finish(ctx, ticket, clocks)
    return ticket
