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


async def test_every_screen_shows_the_team_zone_not_the_machines(queue_app, queue_ui, seed_small, monkeypatch):
    """TZ says New York, the team works in Taipei: the queue, thread and composer show Taipei
    times (13:55, not 00:55), and the header names the zone once."""
    import time

    from support.pilot import until

    from console.screens.composer.screen import ComposerScreen

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        tid = seed_small.tickets["unassigned"]  # created 13:55 Taipei = 00:55 New York
        app = queue_app("amy", "en")
        async with app.run_test(size=SIZE) as pilot:
            await queue_ui.settle(pilot)
            await goto(pilot, tid)
            text = queue_ui.screen_text(app)
            assert "Created 01-15 13:55" in text and "01-15 13:55  Ticket created" in text
            assert "00:55" not in text
            assert text.split("\n", 1)[0].rstrip().endswith("Asia/Taipei")  # in the header, once
            assert text.count("Asia/Taipei") == 1
            await pilot.press("r")
            await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.screen._data)
            await pilot.pause()
            composer_text = queue_ui.screen_text(app)
            assert "Asia/Taipei" in composer_text.split("\n", 1)[0]
            assert "00:55" not in composer_text
    finally:
        monkeypatch.setenv("TZ", "Asia/Taipei")
        time.tzset()


async def test_the_timezone_setting_beats_the_team_zone_on_screen(queue_app, queue_ui, seed_small):
    from console import zone

    zone.prefer("UTC")
    tid = seed_small.tickets["unassigned"]  # created 05:55 UTC
    app = queue_app("amy", "en")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        text = queue_ui.screen_text(app)
        assert "Created 01-15 05:55" in text and "13:55" not in text
        assert text.split("\n", 1)[0].rstrip().endswith("UTC")


async def test_row_detail_composer_panel_and_handover_agree_after_a_priority_change(queue_app, queue_ui, seed_small):
    """Resolution breached, then pending, then priority low: the clock is paused with time left on
    its new target. Before, the row said `‖...` and the detail "resolution breached"."""

    from store.handover.draft import sla_state
    from store.models import Ticket
    from store.sla.clocks import record_breaches
    from store.tickets.actions import add_reply, set_priority, set_status

    tid = seed_small.tickets["breached"]  # urgent: resolution due 4 h after creation, 08:00 UTC
    lin = seed_small.agents["lead.lin"]
    seed_small.act(add_reply, tid, lin, "Looking into it.")  # the first reply stops (breached)
    seed_small.clock.advance(hours=3)  # 09:00: the resolution clock is an hour overdue
    with seed_small.db.write() as session:
        record_breaches(session, seed_small.clock.now())
    seed_small.act(set_status, tid, lin, "pending")
    seed_small.act(set_priority, tid, lin, "low")
    app = queue_app("amy", "en")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        row = queue_ui.row_text(app, tid)
        detail = app.screen.detail.plain
        assert "‖" in row
        left = row.split("‖", 1)[1].split()[0]
        resolution = next(line for line in detail.split("\n") if line.strip().startswith("resolution"))
        assert f"‖{left} paused" in resolution and "breached once already" in resolution
        assert "resolution  breached" not in detail
    with seed_small.db.read() as session:
        ticket = session.get(Ticket, tid)
        assert sla_state(ticket.due_key, ticket.risk_key, ticket.status, seed_small.clock.now()) == "paused"
