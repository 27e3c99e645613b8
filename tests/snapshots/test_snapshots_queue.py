"""Snapshots of the queue on the seeded team, clock frozen: English and Chinese, a breached row,
an at-risk row and a paused clock. Regenerate with `--snapshot-update` and look at the SVGs."""

from __future__ import annotations

SIZE = (160, 45)


def run_before(queue_ui, *keys: str, cursor_on: int | None = None):
    async def steps(pilot) -> None:
        await queue_ui.settle(pilot)
        for key in keys:
            await pilot.press(key)
            await queue_ui.settle(pilot)
        if cursor_on is not None:
            table = pilot.app.screen.table
            while table.cursor_key != cursor_on:
                await pilot.press("j")
            await queue_ui.settle(pilot)
        await pilot.pause(0.2)

    return steps


def test_queue_english_cursor_on_a_paused_ticket(snap_compare, queue_app, queue_ui, seed_small):
    app = queue_app("amy", lang="en")
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=run_before(queue_ui, cursor_on=seed_small.tickets["paused"]))


def test_queue_chinese_cursor_on_a_breached_ticket(snap_compare, queue_app, queue_ui, seed_small):
    app = queue_app("amy", lang="zh-TW")
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=run_before(queue_ui, cursor_on=seed_small.tickets["breached"]))


def test_queue_chinese_at_risk_view_next_breach_first(snap_compare, queue_app, queue_ui, seed_small):
    app = queue_app("lead.lin", lang="zh-TW")
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=run_before(queue_ui, "4", "o", cursor_on=seed_small.tickets["at_risk"]))


def test_status_dialog_english(snap_compare, queue_app, queue_ui, seed_small):
    app = queue_app("amy", lang="en")

    async def steps(pilot) -> None:
        await run_before(queue_ui, cursor_on=seed_small.tickets["mine"])(pilot)
        await pilot.press("s")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZE, run_before=steps)
