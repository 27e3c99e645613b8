"""The queue's ticket commands, run in worker threads: one write transaction each
(store/tickets/commands.py), then the fresh row, and a sentence for the agent whatever happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import console.sanitize as clean
from console.i18n import t
from console.screens.queue.view import label
from store.errors import AlreadyClaimed, HeldByOther, NotFound, PermissionDenied, StaleVersion
from store.team import roster
from store.tickets import commands, queue

if TYPE_CHECKING:
    from console.services import Services
    from store.db.reader import Reader
    from store.tickets.commands import Done, TicketCommand
    from store.views import TicketRow

__all__ = ["Outcome", "agent_choices", "perform", "take_next"]

# How each thing a command did is worded: the catalogue key, and the field its value fills
# ("name": an agent, cleaned; "status"/"priority": a label of that vocabulary).
WORDING: dict[str, tuple[str, str | None]] = {
    "claim": ("queue.done.claim", None),
    "already_yours": ("queue.done.already_yours", None),
    "assign": ("queue.done.assign", "name"),
    "unassign": ("queue.done.unassign", None),
    "status": ("queue.done.status", "status"),
    "priority": ("queue.done.priority", "priority"),
    "note": ("queue.done.note", None),
    "escalate": ("queue.done.escalate", "priority"),
}


@dataclass(frozen=True)
class Outcome:
    """What an action did: the message to show, how loud, and the row as it is now."""

    ticket_id: int
    message: str
    severity: str = "information"  # information | warning | error
    row: TicketRow | None = None
    changed: bool = True


def sentence(done: Done, ticket_id: int) -> str:
    key, field = WORDING[done.what]
    if field is None:
        return t(key, id=ticket_id)
    shown = clean.clean_line(done.value, limit=64) if field == "name" else label(field, done.value)
    return t(key, id=ticket_id, **{field: shown})


def _row(reader: Reader, ticket_id: int) -> TicketRow | None:
    with reader.read() as conn:
        return queue.ticket_row(ticket_id, conn=conn, clean=clean)


def perform(services: Services, reader: Reader, command: TicketCommand, ticket_id: int, *,
            version: int | None = None) -> Outcome:
    """Run one command for the acting agent; what the agent can act on (a lost race, a stale
    version, a refusal) comes back as an Outcome, anything else raises (console/failures.py)."""
    try:
        with services.db.write() as session:
            done = commands.run(session, services.clock.now(), command, ticket_id, services.agent.id, version)
    except AlreadyClaimed as exc:
        with reader.read() as conn:
            winner = roster.display_label(conn, exc.winner, clean=clean)
        return Outcome(ticket_id, t("queue.lost.claim", id=ticket_id, winner=winner), "warning",
                       _row(reader, ticket_id))
    except StaleVersion:
        return Outcome(ticket_id, t("queue.stale", id=ticket_id), "warning", _row(reader, ticket_id))
    except NotFound:
        return Outcome(ticket_id, t("queue.not_found", id=ticket_id), "error", None, changed=False)
    except HeldByOther as exc:
        with reader.read() as conn:
            holder = roster.display_label(conn, exc.holder, clean=clean)
        return Outcome(ticket_id, t("queue.held", id=ticket_id, holder=holder), "error", None, changed=False)
    except PermissionDenied as exc:
        return Outcome(ticket_id, t("queue.denied", message=clean.clean_line(str(exc))), "error", None,
                       changed=False)
    except ValueError as exc:
        return Outcome(ticket_id, t("queue.error", message=clean.clean_line(str(exc))), "error", None,
                       changed=False)
    if done is None:
        return Outcome(ticket_id, t("queue.unchanged", id=ticket_id), "information", None, changed=False)
    return Outcome(ticket_id, sentence(done, ticket_id), "information", _row(reader, ticket_id))


def take_next(services: Services, reader: Reader) -> Outcome:
    """Claim the most urgent unclaimed ticket for the acting agent (ticket_id 0: none is left)."""
    from store.tickets import actions

    try:
        with services.db.write() as session:
            ctx = actions.Context.open(session, services.clock.now())
            taken = actions.next_ticket(ctx, services.agent.id)
            ticket_id = taken.id if taken is not None else None
    except PermissionDenied as exc:
        return Outcome(0, t("queue.denied", message=clean.clean_line(str(exc))), "error", None, changed=False)
    if ticket_id is None:
        return Outcome(0, t("queue.none_next"), "warning", None, changed=False)
    return Outcome(ticket_id, t("queue.done.next", id=ticket_id), "information", _row(reader, ticket_id))


def agent_choices(reader: Reader, actor_id: int, current: int | None) -> tuple[bool, list[tuple[int, str, str]]]:
    """Whom the acting agent may give the ticket to (store.team.roster.assign_targets): whether
    "nobody" is allowed, and the active agents as (id, login, display name), names cleaned."""
    with reader.read() as conn:
        nobody, people = roster.assign_targets(roster.active_members(conn, clean=clean), actor_id, current)
    return nobody, [(m.id, m.name, m.label) for m in people]
