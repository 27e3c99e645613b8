"""The one Pilot harness: wait for a condition, let the queue settle, move to a ticket, read the screen.

Every Pilot test uses these instead of a loop of its own, so a change in how the app signals
"done" is fixed in one place.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable

# Worker groups whose running workers mean "the queue is still catching up".
QUEUE_BUSY = frozenset({"queue-load", "queue-window", "queue-detail", "queue-write", "queue-jump",
                        "queue-agents", "services"})


async def until(pilot, condition: Callable[[], object], timeout: float = 10.0, *,
                step: float = 0.02) -> float:
    """Pause the app until `condition()` is true; the seconds it took. Fails after `timeout`."""
    started = time.monotonic()
    while True:
        if condition():
            return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise AssertionError(f"timed out after {timeout} s waiting for {condition}")
        await pilot.pause(step)


def _queue_idle(app) -> bool:
    queue = [s for s in app.screen_stack if s.id == "queue"]
    tables = queue[0].query("#queue-table") if queue else None
    busy = [w for w in app.workers if w.group in QUEUE_BUSY and not w.is_finished]
    return bool(tables) and tables.first().loaded and not busy


async def settle(pilot, *, timeout: float = 5.0) -> None:
    """Wait until the queue has loaded and no read or write worker is still running."""
    await pilot.pause()
    try:
        await until(pilot, lambda: _queue_idle(pilot.app), timeout)
    except AssertionError:
        raise AssertionError("the queue did not settle") from None
    await pilot.pause()


async def goto(pilot, ticket_id: int) -> None:
    """Put the queue's cursor on a ticket with j/k, as a person would, and wait for its detail."""
    table = pilot.app.screen.table
    assert table.index_of(ticket_id) is not None, "the ticket is not in the view"
    while table.cursor_key != ticket_id:
        await pilot.press("j" if table.index_of(ticket_id) > table.cursor_index else "k")
    await settle(pilot)
    await pilot.pause(0.1)  # the detail pane loads on a short timer after the last cursor move
    await settle(pilot)
    assert table.cursor_key == ticket_id


def toasts(app) -> list[str]:
    """The text of every notification currently shown."""
    from console.textual_adapter import notifications

    return [str(n.message) for n in notifications(app)]


def screen_text(app) -> str:
    """The whole screen as plain text, as a person would read it."""
    from rich.console import Console

    from console.textual_adapter import screen_update as render_screen

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    console.print(render_screen(app))
    return console.export_text(styles=False)


def row_text(app, ticket_id: int) -> str:
    """The table line that shows a ticket ("" if it is not on screen)."""
    table = app.screen.query_one("#queue-table")
    index = table.index_of(ticket_id)
    if index is None:
        return ""
    line = index - int(table.scroll_y) + 1
    if not 1 <= line < table.size.height:
        return ""
    return table.render_line(line).text


def screen_segments(app) -> tuple[str, list]:
    """The screen as text (what a person reads) and every segment style on it."""
    from console.textual_adapter import screen_update as render_screen

    lines = [[seg for strip in line for seg in strip] for line in render_screen(app).strips]
    text = "\n".join("".join(seg.text for seg in line) for line in lines)
    return text, [seg.style for line in lines for seg in line if seg.style is not None]
