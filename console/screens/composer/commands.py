"""The composer's commands: one table gives each its key, footer label and command-palette entry."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import partial

from rich.text import Text
from textual.binding import Binding, BindingsMap
from textual.command import DiscoveryHit, Hit, Hits, Provider

from console.i18n import t

__all__ = ["COMMANDS", "ComposerCommand", "ComposerCommands", "bindings", "translate_bindings"]


@dataclass(frozen=True, slots=True)
class ComposerCommand:
    """An action of the composer screen; `name` picks its strings (composer.key.*, composer.palette.*)."""

    name: str
    keys: str
    show: bool = True
    # Before the focused widget's own keys, so a future TextArea binding cannot shadow ours.
    priority: bool = True

    @property
    def binding_id(self) -> str:
        return f"composer.{self.name}"


COMMANDS = (
    ComposerCommand("send", "ctrl+s"),
    ComposerCommand("send_pending", "f5"),
    ComposerCommand("send_solved", "f9"),
    ComposerCommand("templates", "f2"),
    ComposerCommand("next_hole", "f3"),
    ComposerCommand("prev_hole", "shift+f3", show=False),
    ComposerCommand("blank", "ctrl+n"),
    ComposerCommand("discard", "f8"),
    ComposerCommand("back", "escape", priority=False),
)


def bindings() -> list[Binding]:
    """Bindings with ids (users remap by id); the labels are set per screen by `translate_bindings`."""
    return [Binding(c.keys, c.name, t(f"composer.key.{c.name}"), show=c.show, priority=c.priority,
                    id=c.binding_id) for c in COMMANDS]


def translate_bindings(bindings_map: BindingsMap) -> BindingsMap:
    """The same bindings labelled in the current language (class bindings are built once, at import)."""
    labels = {c.binding_id: t(f"composer.key.{c.name}") for c in COMMANDS}
    keys = {
        key: [replace(b, description=labels[b.id]) if b.id in labels else b for b in found]
        for key, found in bindings_map.key_to_bindings.items()
    }
    return BindingsMap.from_keys(keys)


class ComposerCommands(Provider):
    """Every composer action in the command palette, with its key."""

    def _hits(self) -> list[tuple[str, Text, str, str]]:
        found = []
        for command in COMMANDS:
            title = t(f"composer.palette.{command.name}")
            display = Text(title)
            display.append(f"  {command.keys.split(',')[0]}", style="dim")
            found.append((title, display, t(f"composer.palette.{command.name}.help"), command.name))
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
