"""Getting the seeded console (conftest's seed_small) onto each of its screens, as a person would.

One function per screen, pressing the keys an agent or lead presses; the layout snapshots and
the 80x24 Pilot checks share them, so both look at the same screens. Each waits until the
screen has its data and its workers are done, so a picture never catches a half-drawn screen.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from support import pilot as harness

# Which agent sees each screen: the queue and composer are an agent's, the panel a
# supervisor's, the handover a lead's.
AGENT = {"queue": "amy", "status_dialog": "amy", "composer": "amy", "help": "amy", "panel": "chief",
         "handover": "lead.lin", "handover_doc": "lead.lin", "handover_history": "lead.lin"}


def _name(app) -> str:
    return type(app.screen).__name__


async def _quiet(pilot) -> None:
    """Workers done, messages handled, no toast fading or cursor blinking into a picture."""
    # Every worker finished (a cancelled one too: a detail read the cursor moved past).
    await harness.until(pilot, lambda: all(worker.is_finished for worker in pilot.app.workers))
    await pilot.pause()
    pilot.app.clear_notifications()
    for widget in pilot.app.screen.query("Input, TextArea"):
        widget.cursor_blink = False
    await pilot.pause(0.1)


async def queue(pilot, seed) -> None:
    await harness.settle(pilot)
    await harness.goto(pilot, seed.tickets["breached"])
    await _quiet(pilot)


async def status_dialog(pilot, seed) -> None:
    await queue(pilot, seed)
    await pilot.press("s")
    await harness.until(pilot, lambda: _name(pilot.app) == "ChoiceDialog")
    await _quiet(pilot)


async def help(pilot, seed) -> None:
    await queue(pilot, seed)
    await pilot.press("f1")
    await harness.until(pilot, lambda: _name(pilot.app) == "HelpScreen")
    await _quiet(pilot)


async def composer(pilot, seed) -> None:
    await harness.settle(pilot)
    await harness.goto(pilot, seed.tickets["chinese"])
    await pilot.press("r")
    await harness.until(pilot, lambda: _name(pilot.app) == "ComposerScreen" and pilot.app.screen._data is not None)
    await _quiet(pilot)


async def panel(pilot, seed) -> None:
    """The panel with its first poll painted; the poll's duration shows as 0 ms (not a timing)."""
    await harness.settle(pilot)
    await pilot.press("f3")
    await harness.until(pilot, lambda: _name(pilot.app) == "PanelScreen" and pilot.app.screen.polls >= 1)
    await _quiet(pilot)
    screen = pilot.app.screen
    for _ in range(2):  # the second paint meets tables already laid out: their widths settle
        screen._paint(screen.snapshot, 0.0)
        await _steady(pilot)


async def _steady(pilot, *, tries: int = 40) -> None:
    """Until two looks 0.05 s apart read the same: the tables size their columns to their content
    over more than one refresh, and a busy machine can catch them half-way."""
    previous = None
    for _ in range(tries):
        await pilot.pause(0.05)
        text = harness.screen_text(pilot.app)
        if text == previous:
            return
        previous = text


async def handover(pilot, seed) -> None:
    await harness.settle(pilot)
    await pilot.press("f4")
    await harness.until(pilot, lambda: _name(pilot.app) == "HandoverScreen" and pilot.app.screen.content is not None)
    await _quiet(pilot)


async def handover_doc(pilot, seed) -> None:
    """Submitted: the read-only handover the incoming lead acknowledges."""
    await handover(pilot, seed)
    await pilot.press("ctrl+t")
    await harness.until(pilot, lambda: _name(pilot.app) == "ConfirmDialog")
    await pilot.press("enter")
    await harness.until(pilot, lambda: _name(pilot.app) == "HandoverDocScreen")
    await _quiet(pilot)


async def handover_history(pilot, seed) -> None:
    await handover(pilot, seed)
    await pilot.press("ctrl+o")
    await harness.until(pilot, lambda: _name(pilot.app) == "HandoverHistoryScreen")
    await _quiet(pilot)


SCREENS: dict[str, Callable[..., Awaitable[None]]] = {
    "queue": queue, "status_dialog": status_dialog, "help": help, "composer": composer, "panel": panel,
    "handover": handover, "handover_doc": handover_doc, "handover_history": handover_history,
}
