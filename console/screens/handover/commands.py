"""The handover's entries in the command palette: open it and its history from anywhere, and the
actions of the handover screen the palette was opened on."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.i18n import t
from console.keys import HANDOVER_DOC, HANDOVER_EDITOR, palette

__all__ = ["HandoverCommands"]

# The palette entries of the screen on top (console/keys.py), by the screen's class name.
SCREEN_ACTIONS = {"HandoverScreen": palette(HANDOVER_EDITOR), "HandoverDocScreen": palette(HANDOVER_DOC)}


class HandoverCommands(Provider):
    def _entries(self) -> list[tuple[str, Callable[[], object]]]:
        from console.screens.handover.gate import open_handover

        app = self.app
        entries: list[tuple[str, Callable[[], object]]] = [
            (t("handover.palette"), lambda: open_handover(app)),
            (t("handover.history.title"), self._history),
        ]
        screen = self.screen
        for command in SCREEN_ACTIONS.get(type(screen).__name__, ()):
            assert command.palette is not None
            if screen.check_action(command.name, ()) is not False:
                entries.append((f"{t('handover.screen.title')}: {t(command.palette)}",
                                lambda action=command.action: screen.run_action(action)))
        return entries

    def _history(self) -> None:
        self.app.handover_route("show_history")

    async def discover(self) -> Hits:
        for title, callback in self._entries():
            yield DiscoveryHit(Text(title), callback, text=title)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title)
