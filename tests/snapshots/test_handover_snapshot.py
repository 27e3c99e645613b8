"""The handover editor in zh-TW at the end of the seeded morning shift (clock frozen, no blink)."""

from __future__ import annotations

from support.handover_seed import END_OF_MORNING, seed

from console.i18n import set_language


def test_handover_screen_zh_tw(snap_compare, tmp_path) -> None:
    set_language("zh-TW")
    db, _ = seed(tmp_path / "h.db")
    db.dispose()
    from console.app import ShiftdeskApp
    from console.context import CliState
    from console.services import build_services
    from store.clock import FrozenClock

    services = build_services(CliState(db_url=str(tmp_path / "h.db"), as_agent="lead.lin", lang="zh-TW"),
                              clock=FrozenClock(END_OF_MORNING))
    app = ShiftdeskApp(services)

    async def run_before(pilot) -> None:
        await pilot.press("f4")
        for _ in range(200):
            if type(app.screen).__name__ == "HandoverScreen":
                break
            await pilot.pause(0.05)
        await app.workers.wait_for_complete()
        for area in app.screen.query("TextArea"):
            area.cursor_blink = False
        await pilot.press("n", *"優先處理", "enter")
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(130, 34), run_before=run_before)
