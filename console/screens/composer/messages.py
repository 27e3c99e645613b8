"""What the composer's workers report back to it, and what it hands back when it closes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual.message import Message

from console.screens.composer.work import ComposerData, Snapshot
from store.replies.drafts import SentReply
from store.views import TicketDetail

__all__ = ["ComposerResult", "DraftSaved", "Loaded", "Sent", "Stale"]


@dataclass(frozen=True, slots=True)
class ComposerResult:
    """What the composer hands back when it closes: the ticket, and the reply if one was sent."""

    ticket_id: int
    sent: SentReply | None = None


class Loaded(Message):
    """The ticket, its draft and the template library are in."""

    def __init__(self, data: ComposerData) -> None:
        super().__init__()
        self.data = data


class DraftSaved(Message):
    def __init__(self, snapshot: Snapshot, at: datetime) -> None:
        super().__init__()
        self.snapshot, self.at = snapshot, at


class Sent(Message):
    def __init__(self, sent: SentReply) -> None:
        super().__init__()
        self.sent = sent


class Stale(Message):
    """The ticket changed since it was read; `detail` is how it is now (None: it is gone)."""

    def __init__(self, detail: TicketDetail | None, status: str | None) -> None:
        super().__init__()
        self.detail, self.status = detail, status
