"""The queue's ticket commands as objects: one frozen class per command, each with one `apply`.

A command carries its argument (`Assign(target)`, `SetStatus(value)`...) and, applied inside
one write transaction, checks the ticket as it is now, does the write through the actions
(store/tickets/actions.py, ownership.py) and says what happened as a `Done` the console words
(None: nothing needed changing). The console maps keys to commands through its key table and
never dispatches on a string.

Importing this module imports no ORM (the queue screen builds commands on the event loop before
SQLModel is loaded); the actions are imported when a command is applied, in a worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from sqlmodel import Session

    from store.models import Ticket
    from store.tickets.base import Context

__all__ = [
    "Assign", "Claim", "Done", "Escalate", "Note", "Release", "SetPriority", "SetStatus", "TicketCommand", "run",
]


@dataclass(frozen=True, slots=True)
class Done:
    """What a command did: `what` names it for the console's wording (claim, already_yours, assign,
    unassign, status, priority, note, escalate); `value` the new value it shows (an agent's
    display name, a status, a priority), raw: the console cleans it."""

    what: str
    value: str = ""


class TicketCommand(Protocol):
    def apply(self, ctx: Context, ticket_id: int, agent_id: int, version: int | None) -> Done | None:
        """Do it as `agent_id` (expecting `version`, if given); raises the store's domain errors."""


def run(session: Session, at: datetime, command: TicketCommand, ticket_id: int, agent_id: int,
        version: int | None = None) -> Done | None:
    """Apply one command in the caller's write transaction (`Database.write()`)."""
    from store.tickets.base import Context

    return command.apply(Context.open(session, at), ticket_id, agent_id, version)


def _actions() -> Any:
    from store.tickets import actions

    return actions


def _ticket(ctx: Context, ticket_id: int) -> Ticket:
    """The ticket as this transaction sees it (NotFound if there is none)."""
    from store.tickets.base import load_ticket

    return load_ticket(ctx.session, ticket_id)


def _held(ctx: Context, ticket_id: int, agent_id: int, action: str) -> Ticket:
    """The ticket, if this agent may change it: theirs or nobody's (HeldByOther otherwise; leads any)."""
    from store.team.permissions import require_holder

    ticket = _ticket(ctx, ticket_id)
    require_holder(ctx.session, ticket, agent_id, action)
    return ticket


@dataclass(frozen=True, slots=True)
class Claim:
    """Take an unassigned ticket (one conditional write; a lost race names the winner)."""

    def apply(self, ctx: Context, ticket_id: int, agent_id: int, version: int | None) -> Done | None:
        if _ticket(ctx, ticket_id).assignee_id == agent_id:
            return Done("already_yours")
        _actions().claim(ctx, ticket_id, agent_id)
        return Done("claim")


@dataclass(frozen=True, slots=True)
class Assign:
    """Give the ticket to `target` (an agent id), or to nobody with None (see Release)."""

    target: int | None

    def apply(self, ctx: Context, ticket_id: int, agent_id: int, version: int | None) -> Done | None:
        if _ticket(ctx, ticket_id).assignee_id == self.target:
            return None
        _actions().assign(ctx, ticket_id, agent_id, self.target, expected_version=version)
        if self.target is None:
            return Done("unassign")
        from store.models import Agent

        agent = ctx.session.get(Agent, self.target)
        return Done("assign", (agent.display_name or agent.name) if agent else "?")


@dataclass(frozen=True, slots=True)
class Release:
    """Give the ticket back to nobody (one's own: anyone; someone else's: a lead)."""

    def apply(self, ctx: Context, ticket_id: int, agent_id: int, version: int | None) -> Done | None:
        return Assign(None).apply(ctx, ticket_id, agent_id, version)


@dataclass(frozen=True, slots=True)
class SetStatus:
    value: str

    def apply(self, ctx: Context, ticket_id: int, agent_id: int, version: int | None) -> Done | None:
        if _held(ctx, ticket_id, agent_id, "status").status == self.value:
            return None
        _actions().set_status(ctx, ticket_id, agent_id, self.value, expected_version=version)
        return Done("status", self.value)


@dataclass(frozen=True, slots=True)
class SetPriority:
    value: str

    def apply(self, ctx: Context, ticket_id: int, agent_id: int, version: int | None) -> Done | None:
        if _held(ctx, ticket_id, agent_id, "priority").priority == self.value:
            return None
        _actions().set_priority(ctx, ticket_id, agent_id, self.value, expected_version=version)
        return Done("priority", self.value)


@dataclass(frozen=True, slots=True)
class Note:
    """An internal note (not sent to the customer)."""

    text: str

    def apply(self, ctx: Context, ticket_id: int, agent_id: int, version: int | None) -> Done | None:
        _held(ctx, ticket_id, agent_id, "note")
        _actions().add_note(ctx, ticket_id, agent_id, self.text)
        return Done("note")


@dataclass(frozen=True, slots=True)
class Escalate:
    """Raise the priority one step and record why."""

    reason: str

    def apply(self, ctx: Context, ticket_id: int, agent_id: int, version: int | None) -> Done | None:
        _held(ctx, ticket_id, agent_id, "escalate")
        ticket: Ticket = _actions().escalate(ctx, ticket_id, agent_id, self.reason, expected_version=version)
        return Done("escalate", ticket.priority)
