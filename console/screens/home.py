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
        # An incoming lead sees the handover first. Checked once the queue is on screen, and in a
        # worker: the handover code needs SQLModel (most of a second to import), and an import
        # on the main thread would hold back the frame the terminal is about to receive.
        app = queue.app

        def check() -> None:
            from console.screens.handover.gate import present, unacknowledged_screen

            screen = unacknowledged_screen(app, services)
            if screen is not None:
                app.call_from_thread(present, app, screen)

        app.run_worker(check, thread=True, group="handover-gate", exit_on_error=False)

    queue = QueueScreen()
    queue.after_first_paint(handover_gate)
    return queue
