"""Which screen the console opens on: the agent's queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from console.services import Services


def home_screen(services: Services | None) -> Screen[None]:
    """The first screen; it takes what it needs from the app (services may still be starting)."""
    from console.screens.handover_gate import show_unacknowledged_handover
    from console.screens.queue import QueueScreen

    show_unacknowledged_handover(services)  # an incoming lead sees the handover first
    return QueueScreen()
