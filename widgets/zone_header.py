"""Textual's header, naming at its right the one time zone every time on screen is shown in
(console/zone.py), so no line below needs to say it again."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Header, Static


class ZoneHeader(Header):
    """The header with the display zone where Textual's clock would sit."""

    DEFAULT_CSS = """
    ZoneHeader HeaderClockSpace { display: none; }
    ZoneHeader .header-zone { dock: right; width: auto; padding: 0 1; }
    """

    def __init__(self, zone: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.zone = zone

    def compose(self) -> ComposeResult:
        yield from super().compose()
        yield Static(Text(self.zone), classes="header-zone")
