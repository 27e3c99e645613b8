"""Beside the thread: who else is on the ticket (presence) and its audit trail, drawn as Text,
plus the queue's presence heartbeat (a mixin for QueueScreen, handlers by name).

Names and values arrive cleaned (store/tickets/activity.py); nothing here parses markup.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual import work

from console.i18n import get_language, t
from console.screens.queue.view import NOBODY, label, local_time
from store.categories import category_label

if TYPE_CHECKING:
    from store.tickets.activity import HereView, HistoryView
    from widgets.countdown import Palette

__all__ = ["BEAT_SECONDS", "QueuePresence", "here_line", "history_text"]

BEAT_SECONDS = 10.0  # store.tickets.presence counts a console gone after 30 s without a beat


def here_line(here: tuple[HereView, ...], palette: Palette) -> Text:
    """"Also here: Ben (writing a reply), Amy"; empty when nobody else is."""
    line = Text()
    if not here:
        return line
    line.append(t("detail.also_here") + " ", style=palette.warning)
    for index, who in enumerate(here):
        if index:
            line.append(", ")
        line.append(who.name, style=Style(bold=who.composing))
        if who.composing:
            line.append(" " + t("detail.writing"), style=palette.warning)
    return line


def history_text(rows: tuple[HistoryView, ...], omitted: int, palette: Palette) -> Text:
    """The audit trail, oldest first: time, who, action, field before → after."""
    out = Text()
    if not rows:
        return out
    out.append(t("detail.history"), style=Style(bold=True))
    if omitted:
        out.append("\n")
        out.append(t("detail.omitted", n=omitted), style=palette.muted)
    for row in rows:
        out.append("\n")
        out.append(local_time(row.at) + "  ", style=palette.muted)
        out.append(row.actor or t("event.system"), style=palette.muted)
        out.append(" · ")
        out.append(label("audit", row.action), style=Style(bold=True))
        for field, before, after in row.changes:
            if field == "category":  # English screens name categories in English, here too
                before, after = (category_label(v, get_language()) if v else v for v in (before, after))
            out.append("  " + field + " ", style=palette.muted)
            out.append((before or NOBODY) + " → " + (after or NOBODY))
    return out


class QueuePresence:
    """Says which ticket this console has under the cursor: on a cursor move and every 10 s."""

    # Provided by QueueScreen.
    app: Any
    detail: Any
    shiftdesk: Any
    _beat_ticket: int | None = None
    _beat_at: float = 0.0

    def beat(self, ticket_id: int, *, force: bool = False) -> None:
        """Touch (viewing) if the ticket changed or the last beat is BEAT_SECONDS old."""
        if self.app.screen is not self:  # the composer beats for itself while it is open
            return
        fresh = time.monotonic() - self._beat_at < BEAT_SECONDS - 0.5
        if ticket_id == self._beat_ticket and fresh and not force:
            return
        self._beat_ticket, self._beat_at = ticket_id, time.monotonic()
        self._touch(ticket_id)

    def heartbeat(self) -> None:
        """The 10 s timer: beat, and re-read the shown ticket so "also here" stays current."""
        shown = self.detail.shown
        if isinstance(shown, int) and self.app.screen is self:
            self.beat(shown)
            self._load_detail(shown)  # type: ignore[attr-defined]

    @work(thread=True, exclusive=True, group="queue-presence", exit_on_error=False)
    def _touch(self, ticket_id: int) -> None:
        from store.tickets.presence import VIEWING, touch

        # Presence is a courtesy: a failure is only logged (a quiet group in console/failures.py).
        services = self.shiftdesk.wait_services()
        with services.db.write() as session:
            touch(session, services.agent.id, ticket_id, VIEWING, services.clock.now())
