"""Messages the queue screen's workers post to it (each carries what the handler needs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from console.screens.queue.actions import Outcome
    from store.tickets.activity import HereView, HistoryView
    from store.views import TicketDetail, TicketRow

__all__ = ["ActionDone", "AgentsLoaded", "DetailLoaded", "JumpResolved", "Loaded", "NextTaken", "WindowLoaded"]


@dataclass
class Loaded(Message):
    """A view's count and the window around the cursor's ticket."""

    gen: int
    total: int
    start: int
    rows: list[TicketRow]
    cursor: int
    anchor: int | None
    found: bool
    follow: bool  # put the cursor on the anchor even if the user moved meanwhile


@dataclass
class WindowLoaded(Message):
    gen: int
    epoch: int
    start: int
    rows: list[TicketRow]


@dataclass
class DetailLoaded(Message):
    ticket_id: int
    detail: TicketDetail | None
    here: tuple[HereView, ...] = ()  # other agents on the ticket, writers first
    history: tuple[HistoryView, ...] = ()  # the newest audit rows, oldest first
    history_omitted: int = 0


@dataclass
class ActionDone(Message):
    outcome: Outcome


@dataclass
class NextTaken(Message):
    """`t`: the ticket next_ticket handed us (outcome.ticket_id 0 when none was left)."""

    outcome: Outcome


@dataclass
class JumpResolved(Message):
    ticket_id: int
    found: bool  # in the current view (with its filter), or in All open
    switch: str | None  # found only in this other view (Mine, All open): switch to it
    status: str | None  # its status when it is in no open view; None when it does not exist


@dataclass
class AgentsLoaded(Message):
    ticket_id: int
    version: int
    current: int | None
    agents: list[tuple[int, str, str]]  # only those the acting agent may assign to
    nobody: bool = True  # whether leaving the ticket with nobody is allowed
