"""Which screen the console opens on: the agent's queue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from console.services import Services


def home_screen(services: Services | None) -> Screen[None]:
    """The first screen; it takes what it needs from the app (services may still be starting)."""
    from console.screens.queue.screen import QueueScreen

    def handover_gate() -> None:
        # An incoming lead sees the handover first. Checked once the queue is on screen: the
        # handover code needs SQLModel, which the first paint does without.
        from console.screens.handover.gate import show_unacknowledged_handover

        show_unacknowledged_handover(services)

    queue = QueueScreen()
    queue.after_first_paint(handover_gate)
    return queue
