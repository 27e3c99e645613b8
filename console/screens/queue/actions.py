"""The queue's ticket actions, run in worker threads: one write transaction each, then the
fresh row, and a sentence for the agent whatever happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import console.sanitize as clean
from console.i18n import t
from console.screens.queue.view import label
from store.tickets import queue

if TYPE_CHECKING:
    from console.services import Services
    from store.db.reader import Reader
    from store.views import TicketRow

__all__ = ["ACTIONS", "Outcome", "agent_choices", "perform", "take_next"]

ACTIONS = ("claim", "assign", "status", "priority", "note", "escalate")


@dataclass(frozen=True)
class Outcome:
    """What an action did: the message to show, how loud, and the row as it is now."""

    ticket_id: int
    message: str
    severity: str = "information"  # information | warning | error
    row: TicketRow | None = None
    changed: bool = True


def _agent_label(reader: Reader, name: str) -> str:
    with reader.read() as conn:
        found = conn.one("SELECT display_name, name FROM agent WHERE name = :name", {"name": name})
    shown = found[0] or found[1] if found else name
    return clean.clean_line(shown, limit=64)


def _row(reader: Reader, ticket_id: int) -> TicketRow | None:
    with reader.read() as conn:
        return queue.ticket_row(ticket_id, conn=conn, clean=clean)


def perform(services: Services, reader: Reader, action: str, ticket_id: int, *, version: int | None = None,
            value: str | None = None) -> Outcome:
    """Run one action for the acting agent; never raises for things the agent can act on."""
    from store.errors import AlreadyClaimed, NotFound, PermissionDenied, StaleVersion
    from store.tickets import actions as tickets

    me = services.agent.id
    try:
        with services.db.write() as session:
            ctx = tickets.Context.open(session, services.clock.now())
            message = _apply(ctx, action, ticket_id, me, version, value, reader)
    except AlreadyClaimed as exc:
        winner = _agent_label(reader, exc.winner)
        return Outcome(ticket_id, t("queue.lost.claim", id=ticket_id, winner=winner), "warning",
                       _row(reader, ticket_id))
    except StaleVersion:
        return Outcome(ticket_id, t("queue.stale", id=ticket_id), "warning", _row(reader, ticket_id))
    except NotFound:
        return Outcome(ticket_id, t("queue.not_found", id=ticket_id), "error", None, changed=False)
    except PermissionDenied as exc:
        return Outcome(ticket_id, t("queue.denied", message=clean.clean_line(str(exc))), "error", None,
                       changed=False)
    except ValueError as exc:
        return Outcome(ticket_id, t("queue.error", message=clean.clean_line(str(exc))), "error", None,
                       changed=False)
    if message is None:
        return Outcome(ticket_id, t("queue.unchanged", id=ticket_id), "information", None, changed=False)
    return Outcome(ticket_id, message, "information", _row(reader, ticket_id))


def take_next(services: Services, reader: Reader) -> Outcome:
    """Claim the most urgent unclaimed ticket for the acting agent (ticket_id 0: none is left)."""
    from store.errors import PermissionDenied
    from store.tickets import actions as tickets

    try:
        with services.db.write() as session:
            ctx = tickets.Context.open(session, services.clock.now())
            taken = tickets.next_ticket(ctx, services.agent.id)
            ticket_id = taken.id if taken is not None else None
    except PermissionDenied as exc:
        return Outcome(0, t("queue.denied", message=clean.clean_line(str(exc))), "error", None, changed=False)
    if ticket_id is None:
        return Outcome(0, t("queue.none_next"), "warning", None, changed=False)
    return Outcome(ticket_id, t("queue.done.next", id=ticket_id), "information", _row(reader, ticket_id))


def _apply(ctx, action: str, ticket_id: int, me: int, version: int | None, value: str | None,
           reader: Reader) -> str | None:
    """The write itself; returns the sentence to show, or None when nothing changed."""
    from store.models import Ticket
    from store.tickets import actions as tickets

    before = ctx.session.get(Ticket, ticket_id)
    if before is None:
        from store.errors import NotFound

        raise NotFound(f"ticket #{ticket_id} does not exist")
    if action == "claim":
        if before.assignee_id == me:
            return t("queue.done.already_yours", id=ticket_id)
        tickets.claim(ctx, ticket_id, me)
        return t("queue.done.claim", id=ticket_id)
    if action == "assign":
        target = int(value) if value else None
        if target == before.assignee_id:
            return None
        tickets.assign(ctx, ticket_id, me, target, expected_version=version)
        if target is None:
            return t("queue.done.unassign", id=ticket_id)
        return t("queue.done.assign", id=ticket_id, name=_agent_name_by_id(ctx, target))
    if action == "status":
        assert value is not None
        if value == before.status:
            return None
        tickets.set_status(ctx, ticket_id, me, value, expected_version=version)
        return t("queue.done.status", id=ticket_id, status=label("status", value))
    if action == "priority":
        assert value is not None
        if value == before.priority:
            return None
        tickets.set_priority(ctx, ticket_id, me, value, expected_version=version)
        return t("queue.done.priority", id=ticket_id, priority=label("priority", value))
    if action == "note":
        tickets.add_note(ctx, ticket_id, me, value or "")
        return t("queue.done.note", id=ticket_id)
    if action == "escalate":
        ticket = tickets.escalate(ctx, ticket_id, me, value or "", expected_version=version)
        return t("queue.done.escalate", id=ticket_id, priority=label("priority", ticket.priority))
    raise ValueError(f"unknown action {action!r}")


def _agent_name_by_id(ctx, agent_id: int) -> str:
    from store.models import Agent

    agent = ctx.session.get(Agent, agent_id)
    return clean.clean_line((agent.display_name or agent.name) if agent else "?", limit=64)


def agent_choices(reader: Reader) -> list[tuple[int, str, str]]:
    """Active agents as (id, login, display name), display names cleaned."""
    with reader.read() as conn:
        rows = conn.all("SELECT id, name, display_name, role FROM agent WHERE active ORDER BY name")
    return [(r[0], clean.clean_line(r[1], limit=64), clean.clean_line(r[2] or r[1], limit=64)) for r in rows]
