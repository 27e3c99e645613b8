"""The handover's entries in the command palette: open it and its history from anywhere, and the
actions of the handover screen the palette was opened on."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.i18n import t

__all__ = ["HandoverCommands"]

# (catalogue key of the title, screen action) offered while that screen is on top.
SCREEN_ACTIONS = {
    "HandoverScreen": (("handover.key.save", "save"), ("handover.key.submit", "submit"),
                       ("handover.key.refresh", "refresh_or_merge"), ("handover.key.next_section", "section(1)")),
    "HandoverDocScreen": (("handover.key.ack", "acknowledge"), ("handover.key.addendum", "addendum")),
}


class HandoverCommands(Provider):
    def _entries(self) -> list[tuple[str, Callable[[], object]]]:
        from console.screens.handover.gate import open_handover

        app = self.app
        entries: list[tuple[str, Callable[[], object]]] = [
            (t("handover.palette"), lambda: open_handover(app)),
            (t("handover.history.title"), self._history),
        ]
        screen = self.screen
        for key, action in SCREEN_ACTIONS.get(type(screen).__name__, ()):
            name = action.split("(")[0]
            if screen.check_action(name, ()) is not False:
                entries.append((f"{t('handover.screen.title')}: {t(key)}",
                                lambda action=action: screen.run_action(action)))
        return entries

    def _history(self) -> None:
        from console.screens.handover.history import HandoverHistoryScreen

        self.app.push_screen(HandoverHistoryScreen())

    async def discover(self) -> Hits:
        for title, callback in self._entries():
            yield DiscoveryHit(Text(title), callback, text=title)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title)
