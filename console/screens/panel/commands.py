"""The SLA panel's entries in the command palette: open it from anywhere, and its actions."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.i18n import t
from console.keys import PANEL, palette

__all__ = ["PanelCommands", "show_panel"]

PANEL_ACTIONS = palette(PANEL)


def show_panel(app) -> None:
    """Bring the panel to the top: reuse the one already open, or push a new one."""
    from console.screens.panel.screen import PanelScreen

    if isinstance(app.screen, PanelScreen):
        return
    for screen in app.screen_stack:
        if isinstance(screen, PanelScreen):
            while app.screen is not screen:
                app.pop_screen()
            return
    app.push_screen(PanelScreen())


class PanelCommands(Provider):
    def _entries(self) -> list[tuple[str, str, Callable[[], object]]]:
        from console.screens.panel.screen import PanelScreen

        app = self.app
        entries: list[tuple[str, str, Callable[[], object]]] = [
            (t("panel.palette"), t("panel.palette.help"), lambda: show_panel(app)),
        ]
        screen = self.screen
        if isinstance(screen, PanelScreen):
            for command in PANEL_ACTIONS:
                assert command.palette is not None
                entries.append((f"{t('panel.title')}: {t(command.palette)}", "",
                                lambda action=command.action: screen.run_action(action)))
        return entries

    async def discover(self) -> Hits:
        for title, help_text, callback in self._entries():
            yield DiscoveryHit(Text(title), callback, text=title, help=help_text or None)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._entries():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, text=title, help=help_text or None)
