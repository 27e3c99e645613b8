"""The help screen (F1 or ? anywhere): the keys of the screen beneath it, its symbols, the files.

The keys come from the one key table (console/keys.py): the tables whose binding ids the screen
beneath declares, with the user's key map applied, so what help says is what the keys do. The
legend lists the symbols and colours that screen's rows use (the same marks the widgets draw,
imported from where they are defined). Everything is plain `Text`, never markup.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from rich.console import Group
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from console import keys
from console.i18n import t
from console.logs import log_path
from console.screens.queue.view import ESCALATED_MARK, NOBODY, VIP_MARK
from console.settings import settings_path
from widgets.countdown import PAUSE_MARK
from widgets.share_meter import EMPTY, FULL, MARK

__all__ = ["HelpScreen", "help_text", "screen_tables"]

# Tables a screen shows keys of although its own BINDINGS do not name them (widgets inside it).
EXTRA_TABLES = {"handover.editor": ("handover.items",)}

ERROR, WARNING, MUTED, ACCENT = Style(color="red", bold=True), Style(color="yellow"), Style(dim=True), \
    Style(color="cyan")

# (sample, its style, catalogue key of what it means), per kind of screen. A sample that is a
# catalogue key is shown in the current language; an empty one leaves just the sentence.
LEGENDS: dict[str, tuple[tuple[str, Style, str], ...]] = {
    "queue": (
        (ESCALATED_MARK, ERROR, "help.legend.escalated"),
        (VIP_MARK, Style(color="yellow", bold=True), "help.legend.vip"),
        ("42m 1h05m 2d3h", Style(), "help.legend.left"),
        ("18m", WARNING, "help.legend.at_risk"),
        ("-12m", ERROR, "help.legend.overdue"),
        (f"{PAUSE_MARK}12m", MUTED, "help.legend.paused"),
        (NOBODY, MUTED, "help.legend.none"),
        ("#1234", ACCENT, "help.legend.number"),
        ("…", MUTED, "help.legend.loading"),
        ("priority.urgent", ERROR, "help.legend.priority"),
        ("status.pending", MUTED, "help.legend.muted"),
        ("⇅", Style(bold=True), "help.legend.sort"),
        ("1–14 / 300", Style(), "help.legend.rows"),
        (" 1 ", Style(bold=True, reverse=True), "help.legend.view"),
        ("detail.also_here", WARNING, "help.legend.here"),
        ("", Style(), "help.legend.narrow"),
    ),
    "panel": (
        ("╭─╮", Style(color="green"), "help.legend.tile_good"),
        ("╭─╮", WARNING, "help.legend.tile_fair"),
        ("╭─╮", ERROR, "help.legend.tile_bad"),
        ("97.1%", Style(color="green"), "help.legend.attainment"),
        ("panel.col.overdue", ERROR, "help.legend.breached_list"),
        ("report.unassigned", Style(italic=True), "help.legend.unassigned"),
        ("███", Style(color="green"), "help.legend.chart_bar"),
        ("┊", Style(color="yellow", bold=True), "help.legend.chart_mark"),
        ("14", Style(bold=True, reverse=True), "help.legend.chart_now"),
        ("report.flag.slow", Style(color="yellow", bold=True), "help.legend.flags"),
    ),
    "composer": (
        ("●", Style(bold=True), "help.legend.current"),
        ("{eta}", Style(bgcolor="yellow", bold=True), "help.legend.hole"),
        (FULL * 3 + MARK + EMPTY * 3, Style(), "help.legend.share"),
    ),
    "handover": (
        ("-12m", ERROR, "help.legend.sla_breached"),
        ("18m", WARNING, "help.legend.sla_risk"),
        ("3h05m", Style(color="green"), "help.legend.sla_ok"),
        (PAUSE_MARK, MUTED, "help.legend.sla_paused"),
        ("priority.urgent", ERROR, "help.legend.priority"),
    ),
}


def screen_tables(screen: Screen[Any]) -> list[str]:
    """The key tables (console/keys.py names) of a screen, from the binding ids it declares."""
    table_of = {c.id: name for name, table in keys.TABLES.items() if name != "app" for c in table}
    found: list[str] = []
    for cls in type(screen).__mro__:
        for binding in getattr(cls, "BINDINGS", ()):
            name = table_of.get(getattr(binding, "id", None) or "")
            if name and name not in found:
                found.append(name)
    for name in list(found):
        found += [extra for extra in EXTRA_TABLES.get(name, ()) if extra not in found]
    return found


def _kind(tables: Iterable[str]) -> str:
    """Which kind of screen the tables belong to: queue, composer, panel, handover, dialog."""
    for name in tables:
        return name.split(".", 1)[0]
    return "other"


def _keys_display(keys_text: str, display: Any) -> str:
    return " / ".join(display(Binding(key.strip(), "")) for key in keys_text.split(",") if key.strip())


def _grid() -> Table:
    """Two columns, the second wrapping under itself (not under the first) on a narrow screen."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(ratio=1)
    return grid


def _key_table(commands: Iterable[keys.Command], keymap: Mapping[str, str], display: Any) -> Table:
    grid = _grid()
    for c in commands:
        if c.label and keys.label(c.label) != c.label:
            grid.add_row(Text(_keys_display(keymap.get(c.id, c.keys), display)), Text(keys.label(c.label)))
    return grid


def _heading(key: str) -> Text:
    return Text("\n" + t(key), style="bold underline")


def help_text(screen: Screen[Any], keymap: Mapping[str, str], display: Any) -> Group:
    """All the help for `screen`: its keys, the app's, the legend of its symbols, the files.

    `display` formats one key for the eye (the app's `get_key_display`), `keymap` is the user's
    binding id -> keys map.
    """
    tables = screen_tables(screen)
    kind = _kind(tables)
    parts: list[Any] = [_heading("help.keys")]
    parts += [_key_table(keys.TABLES[name], keymap, display) for name in tables]
    if kind == "queue":
        parts.append(Text(t("help.nav.queue")))
    parts += [_heading("help.keys.everywhere"), _key_table(keys.APP, keymap, display)]
    legend = LEGENDS.get(kind, ())
    if legend:
        grid = _grid()
        for sample, style, meaning in legend:
            grid.add_row(Text(keys.label(sample), style=style), Text(t(meaning)))
        parts += [_heading("help.legend"), grid]
    files = _grid()
    files.add_row(Text(t("help.files.settings")), Text(str(settings_path())))
    files.add_row(Text(t("help.files.log")), Text(str(log_path())))
    parts += [_heading("help.files"), files, Text(t("help.files.command"))]
    return Group(*parts)


def title_of(screen: Screen[Any]) -> str:
    kind = _kind(screen_tables(screen))
    key = f"help.screen.{kind}"
    return t("help.title", screen=keys.label(key) if keys.label(key) != key else t("help.screen.other"))


class HelpScreen(ModalScreen[None]):
    """Help for the screen beneath; scrolls, so it reads whole at 80x24."""

    BINDINGS: ClassVar[list[BindingType]] = list(keys.bindings(keys.HELP))
    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
    }
    #help-box {
        width: 100;
        max-width: 100%;
        height: 100%;
        max-height: 100%;
        border: round $accent;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    #help-close {
        color: $text-muted;
        height: auto;
    }
    """

    def __init__(self, title: str, body: Group) -> None:
        super().__init__()
        self._title, self._body = title, body

    @property
    def body(self) -> Group:
        """What the help says (tests read it whole, however much of it is scrolled into view)."""
        return self._body

    def compose(self) -> ComposeResult:
        box = VerticalScroll(id="help-box")
        box.border_title = self._title
        with box:
            yield Static(Text(t("help.close")), id="help-close")
            yield Static(self._body, id="help-body")

    def on_mount(self) -> None:
        self.query_one("#help-box").focus()
