"""Pilot tests for issue 13's "reads right" items: one language per screen, one ticket-number
form, people by name, one time zone, one state per ticket."""

from __future__ import annotations

from support.pilot import goto

SIZE = (160, 45)


async def test_english_screens_show_english_category_labels(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["at_risk"]  # 售後支援/退換貨
    app = queue_app("amy", "en")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        row = queue_ui.row_text(app, tid)
        assert "Returns" in row and "退換貨" not in row
        head = app.screen.detail.plain.split("\n")[:4]
        assert any("After-sales / Returns & exchanges" in line for line in head)
        assert "售後支援" not in queue_ui.screen_text(app)


async def test_chinese_screens_keep_the_chinese_categories(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["at_risk"]
    app = queue_app("amy", "zh-TW")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        assert "退換貨" in queue_ui.row_text(app, tid)
        assert "售後支援/退換貨" in app.screen.detail.plain
