"""Which screen the console opens on."""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from console.services import Services


class PlaceholderScreen(Screen[None]):
    """Shown until the queue screen exists."""

    def compose(self):
        yield Header()
        yield Static("Shiftdesk")
        yield Footer()


def home_screen(services: Services) -> Screen[None]:
    from console.screens.handover_gate import show_unacknowledged_handover

    show_unacknowledged_handover(services)  # an incoming lead sees the handover first
    return PlaceholderScreen()
