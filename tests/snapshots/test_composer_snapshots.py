"""The composer in zh-TW and English: a template picked and filled, holes marked, the draft saved.

Clock frozen (conftest: 2024-01-15 14:00 Taipei), cursor blink off, the user's own template
file kept out, and the picture taken only once the share is measured and the draft saved.
"""

from __future__ import annotations

import time

import pytest

SIZE = (160, 45)


@pytest.fixture(autouse=True)
def _shipped_templates_only(monkeypatch, tmp_path):
    monkeypatch.setenv("SHIFTDESK_TEMPLATES", str(tmp_path / "no-user-templates.toml"))


def _run_before(app, queue_ui, ticket_id: int, query: str):
    async def run_before(pilot) -> None:
        from console.screens.composer.screen import ComposerScreen

        await queue_ui.settle(pilot)
        table = app.screen.table
        while table.cursor_key != ticket_id:
            await pilot.press("j")
        await queue_ui.settle(pilot)
        await pilot.press("r")
        deadline = time.monotonic() + 10
        while not (isinstance(app.screen, ComposerScreen) and app.screen._data) and time.monotonic() < deadline:
            await pilot.pause(0.02)
        composer = app.screen
        for widget in composer.query("Input, TextArea"):
            widget.cursor_blink = False
        await pilot.press(*query, "enter")
        # The share is measured after a pause in typing; the draft is saved every two seconds.
        while (composer._drafts.saved != composer._snapshot() or composer.query_one("#composer-share").share is None) \
                and time.monotonic() < deadline:
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        await pilot.pause(0.1)

    return run_before


def test_composer_zh_tw(snap_compare, queue_app, queue_ui, seed_small) -> None:
    app = queue_app("amy", "zh-TW")
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=_run_before(app, queue_ui, seed_small.tickets["chinese"], "商品"))


def test_composer_english(snap_compare, queue_app, queue_ui, seed_small) -> None:
    app = queue_app("amy", "en")
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=_run_before(app, queue_ui, seed_small.tickets["english"], "password"))
