"""The composer's entries in the command palette: its table in console/keys.py, with each key."""

from __future__ import annotations

from functools import partial

from rich.text import Text
from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.i18n import t
from console.keys import COMPOSER, palette

__all__ = ["ComposerCommands"]


class ComposerCommands(Provider):
    """Every composer action in the command palette, with its key."""

    def _hits(self) -> list[tuple[str, Text, str, str]]:
        found = []
        for command in palette(COMPOSER):
            assert command.palette is not None and command.palette_help is not None
            title = t(command.palette)
            display = Text(title)
            display.append(f"  {command.keys.split(',')[0]}", style="dim")
            found.append((title, display, t(command.palette_help), command.action))
        return found

    def _runner(self, name: str):
        return partial(self.screen.run_action, name)

    async def discover(self) -> Hits:
        for title, display, help_text, name in self._hits():
            yield DiscoveryHit(display, self._runner(name), text=title, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, _display, help_text, name in self._hits():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), self._runner(name), text=title, help=help_text)
