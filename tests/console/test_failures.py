"""One failure path (console/failures.py): a read that fails in any screen is told to the user in
plain text, logged with its traceback, and leaves no "loading" line behind."""

from __future__ import annotations

import logging
import sqlite3
import time

import pytest

from console.failures import describe
from console.i18n import set_language
from console.textual_adapter import notifications
from store.errors import NotFound

SIZE = (160, 45)


def toasts(app) -> list[str]:
    return [str(n.message) for n in notifications(app)]


async def until(pilot, condition, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {condition}")


def boom(*_args, **_kwargs):
    raise RuntimeError("[bold]boom[/bold]")


def test_what_the_user_reads_per_kind_of_error():
    set_language("en")
    assert describe("queue-load", RuntimeError("x")) == "The queue could not load: RuntimeError"
    assert describe("queue-load", NotFound("ticket #9 does not exist")) == (
        "The queue could not load: ticket #9 does not exist")
    locked = RuntimeError("wrapped")
    locked.__cause__ = sqlite3.OperationalError("database is locked")
    assert describe("panel-poll", locked) == (
        "The panel could not refresh: another program is holding the database (an import, perhaps); nothing was changed, so the same action can be repeated in a moment")
    assert describe("no-such-group", KeyError("k")) == "Background work failed: KeyError"


async def test_queue_read_fails(queue_app, queue_ui, monkeypatch, caplog):
    from store.tickets import queue

    monkeypatch.setattr(queue, "count", boom)
    app = queue_app("amy")
    with caplog.at_level(logging.ERROR, logger="shiftdesk"):
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: any("could not load" in m for m in toasts(app)))
            await pilot.pause()
            text = queue_ui.screen_text(app)
            assert "The queue could not load: RuntimeError" in text
            assert "Loading" not in text
            assert all(not n.markup for n in notifications(app))
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)


async def test_queue_detail_read_fails(queue_app, queue_ui, monkeypatch):
    from store.tickets import queue

    monkeypatch.setattr(queue, "ticket_detail", boom)
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await until(pilot, lambda: any("The ticket could not load" in m for m in toasts(app)))
        await pilot.pause()
        text = queue_ui.screen_text(app)
        assert "The ticket could not load: RuntimeError" in text
        assert "Loading #" not in text


async def test_composer_read_fails(queue_app, queue_ui, seed_small, monkeypatch):
    from store.tickets import queue

    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        monkeypatch.setattr(queue, "ticket_detail", boom)
        app.open_composer(seed_small.tickets["breached"])
        await until(pilot, lambda: any("Cannot open the ticket" in m for m in toasts(app)))
        await pilot.pause()
        text = queue_ui.screen_text(app)
        assert "Cannot open the ticket: RuntimeError" in text
        assert "Loading the ticket" not in text
        await pilot.press("escape")  # going back still works
        await until(pilot, lambda: app.screen.id == "queue")


async def test_handover_history_read_fails(queue_app, queue_ui, monkeypatch):
    from console.screens.handover.history import HandoverHistoryScreen
    from store.handover import lifecycle

    monkeypatch.setattr(lifecycle, "list_handovers", boom)
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        app.push_screen(HandoverHistoryScreen())
        await until(pilot, lambda: any("history could not load" in m for m in toasts(app)))
        await pilot.pause()
        assert "The handover history could not load: RuntimeError" in queue_ui.screen_text(app)


async def test_panel_read_fails_and_polls_again(queue_app, queue_ui, monkeypatch):
    from console.screens.panel.screen import PanelScreen
    from store.reports import live

    calls: list[int] = []

    def failing(*_args, **_kwargs):
        calls.append(1)
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(PanelScreen, "INTERVAL", 0.1)
    monkeypatch.setattr(live, "panel_snapshot", failing)
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, PanelScreen) and len(calls) >= 2)
        await pilot.pause()
        text = queue_ui.screen_text(app)
        assert "another program is holding the database (an import, perhaps); nothing was changed, so the same action can be repeated in a moment" in text
        assert "Loading…" not in text
        assert any(m.startswith("The panel could not refresh: another program") for m in toasts(app))


@pytest.mark.parametrize("group", ["queue-presence", "composer-presence", "livesync"])
def test_heartbeats_are_logged_not_shown(group, caplog):
    from console.failures import report_error

    shown: list[str] = []

    class App:
        def notify(self, text, **_kwargs):
            shown.append(text)

    with caplog.at_level(logging.ERROR, logger="shiftdesk"):
        report_error(App(), group, RuntimeError("busy"))
    assert shown == []
    assert [r.exc_info[0] for r in caplog.records if r.exc_info] == [RuntimeError]
