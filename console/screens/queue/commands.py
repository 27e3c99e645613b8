"""The queue's entries in the command palette: every action, every view, and tickets by number
or subject. Ticket subjects are shown as `Text`, so the palette never reads them as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.i18n import t
from console.keys import QUEUE, palette
from console.screens.queue.keys import view_label
from store.tickets.queue import VIEWS

if TYPE_CHECKING:
    from console.screens.queue.screen import QueueScreen

__all__ = ["QueueCommands"]

MAX_TICKET_HITS = 20


def _commands(screen: QueueScreen) -> list[tuple[str, str, Callable[[], object], str]]:
    """(title, help, callback, English title) for every action of the queue.

    The English title is searched too, so "esc" finds 升級案件 for someone who knows the keys.
    """
    entries = [
        (t(c.palette), t(c.palette_help), getattr(screen, f"action_{c.name}"), t(c.palette, lang="en"))
        for c in palette(QUEUE)
        if c.palette is not None and c.palette_help is not None
    ]
    entries += [
        (t("queue.key.view_n", view=view_label(view)), t("queue.cmd.view.help"), partial(screen.action_view, view),
         t("queue.key.view_n", lang="en", view=view))
        for view in VIEWS
    ]
    return entries


class QueueCommands(Provider):
    """Actions and tickets of the queue screen the palette was opened on."""

    @property
    def _queue(self) -> QueueScreen | None:
        # By id, not isinstance: importing the screen here would close a circle (it lists us in COMMANDS).
        screen = self.screen
        return screen if screen.id == "queue" else None  # type: ignore[return-value]

    async def discover(self) -> Hits:
        screen = self._queue
        if screen is None:
            return
        for title, help_text, callback, _english in _commands(screen):
            yield DiscoveryHit(Text(title), callback, text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        screen = self._queue
        if screen is None:
            return
        matcher = self.matcher(query)
        for title, help_text, callback, english in _commands(screen):
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text)
            elif english != title and (score := matcher.match(english)) > 0:
                yield Hit(score * 0.95, Text(title), callback, text=title, help=help_text)
        digits = query.strip().removeprefix("#")
        if digits.isdigit() and len(digits) < 19:
            title = t("queue.cmd.jump_to", id=int(digits))
            yield Hit(1.0, Text(title), partial(screen.jump_to, int(digits)), text=title,
                      help=t("queue.cmd.jump.help"))
        shown = 0
        for row in screen.table.held_rows():
            candidate = f"#{row.id} {row.subject}"
            score = matcher.match(candidate)
            if score <= 0:
                continue
            display = Text.assemble((t("queue.cmd.open", id=row.id), "bold"), " ", row.subject)
            yield Hit(score * 0.9, display, partial(screen.jump_to, row.id), text=candidate,
                      help=t("queue.cmd.open.help"))
            shown += 1
            if shown >= MAX_TICKET_HITS:
                break
