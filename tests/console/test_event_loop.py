"""No database work on the event loop: the app is driven through its main screens with a tripwire
on every way into the database (the engine's sessions, the reader's connections, the change
probe); any of them called from the main thread while the app runs is recorded and refused."""

from __future__ import annotations

import threading
import time
import traceback

import pytest

from console.textual_adapter import notifications

SIZE = (160, 45)


async def until(pilot, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {condition}")


class OnTheEventLoop(AssertionError):
    pass


@pytest.fixture
def tripwire(monkeypatch):
    """Arm with `armed.set()`; every call from the main thread while armed lands in `calls`."""
    from store.db import changes, engine, reader

    armed = threading.Event()
    calls: list[str] = []

    def wrap(owner, name):
        original = getattr(owner, name)

        def guarded(*args, **kwargs):
            if armed.is_set() and threading.current_thread() is threading.main_thread():
                where = "".join(traceback.format_stack(limit=6)[:-1])
                calls.append(f"{owner.__name__}.{name}\n{where}")
                raise OnTheEventLoop(f"{owner.__name__}.{name} on the event loop")
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, guarded)

    for owner, name in ((engine.Database, "read"), (engine.Database, "write"), (reader.SqliteReader, "read"),
                        (reader.SqliteReader, "connect"), (reader.EngineReader, "read"),
                        (changes.SqliteProbe, "version"), (changes.EventProbe, "version")):
        wrap(owner, name)
    return armed, calls


@pytest.mark.slow
async def test_main_screens_do_no_database_work_on_the_event_loop(queue_app, queue_ui, seed_small, tripwire):
    from console.screens.composer.screen import ComposerScreen
    from console.screens.handover.history import HandoverHistoryScreen
    from console.screens.panel.screen import PanelScreen

    armed, calls = tripwire
    app = queue_app("amy")
    armed.set()
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await pilot.press("j", "j", "k")  # the detail pane follows the cursor
        await queue_ui.settle(pilot)
        await pilot.press("c")  # claim: a write
        await queue_ui.settle(pilot)
        await pilot.press("2")  # another view
        await queue_ui.settle(pilot)
        await pilot.press("1")
        await queue_ui.settle(pilot)

        await pilot.press("r")  # the composer: load, presence, autosave, leave (a save and a presence write)
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.screen.editor.disabled is False)
        app.screen.editor.focus()
        await pilot.press(*"thanks")
        await pilot.pause(0.3)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.id == "queue")
        await queue_ui.settle(pilot)

        await pilot.press("f3")  # the live panel polls
        await until(pilot, lambda: isinstance(app.screen, PanelScreen) and app.screen.polls >= 1)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen.id == "queue")

        await pilot.press("f4")  # the handover gate reads in a worker
        await pilot.pause(0.5)
        app.push_screen(HandoverHistoryScreen())
        await until(pilot, lambda: isinstance(app.screen, HandoverHistoryScreen))
        await pilot.pause(0.3)
        while app.screen.id != "queue":
            await pilot.press("escape")
            await pilot.pause(0.1)
        assert calls == [], calls[0] if calls else ""

        await pilot.press("r")  # quit with the composer open: its last save must not run here either
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.screen.editor.disabled is False)
        app.screen.editor.focus()
        await pilot.press(*"bye")
        toasts = [str(n.message) for n in notifications(app)]
    armed.clear()
    for thread in threading.enumerate():  # the composer's last save, in a thread of its own
        if thread.name in ("composer-last-save", "composer-presence"):
            thread.join(timeout=10)
    assert calls == [], calls[0] if calls else ""
    assert not any("on the event loop" in t for t in toasts)


async def test_a_quick_boot_does_no_database_work_on_the_event_loop(seed_small, queue_ui, tripwire):
    from console.app import ShiftdeskApp
    from console.boot import prefetch_first_window, quick_boot
    from console.context import CliState

    armed, calls = tripwire
    boot = quick_boot(CliState(db_url=str(seed_small.path), as_agent="amy", lang="en"), clock=seed_small.clock)
    assert boot is not None
    app = ShiftdeskApp(boot=prefetch_first_window(boot))
    armed.set()
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await until(pilot, lambda: app.services_ready, timeout=20)
        await pilot.press("j")
        await queue_ui.settle(pilot)
    armed.clear()
    assert calls == [], calls[0] if calls else ""
