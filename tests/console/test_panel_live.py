"""The SLA panel in the real console: F3 opens it, it shows the known figures, it changes when
another connection replies to a ticket, it stops polling while hidden, and rows open tickets."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.history import NOW, build_history
from support.pilot import until

from console.i18n import set_language
from store.clock import FrozenClock
from store.db.engine import open_database
from store.tickets.actions import Context, add_reply


@pytest.fixture
def panel_db(tmp_path: Path, monkeypatch):
    from console.screens.panel.screen import PanelScreen

    set_language("en")
    monkeypatch.setattr(PanelScreen, "INTERVAL", 0.1)
    path = tmp_path / "panel.db"
    history = build_history(f"sqlite:///{path}")
    history.db.dispose()
    return path, history


def make_app(path: Path):
    from console.app import ShiftdeskApp
    from console.context import CliState
    from console.services import build_services

    services = build_services(CliState(db_url=str(path), as_agent="chief", lang="en"), clock=FrozenClock(NOW))
    return ShiftdeskApp(services)


async def open_panel(app, pilot):
    from console.screens.panel.screen import PanelScreen

    await pilot.press("f3")
    await until(pilot, lambda: isinstance(app.screen, PanelScreen) and app.screen.polls >= 1)
    return app.screen


def cell(screen, table_id: str, row: str, column: int) -> str:
    table = screen.query_one(f"#{table_id}")
    return table.get_row(row)[column].plain


async def test_panel_shows_the_known_figures_and_follows_another_connection(panel_db):
    path, history = panel_db
    t5, t6 = history.tickets["T5"], history.tickets["T6"]
    app = make_app(path)
    async with app.run_test(size=(180, 70)) as pilot:
        panel = await open_panel(app, pilot)
        assert panel.query_one("#breached").keys == [f"t{t5}"]
        assert panel.query_one("#at-risk").keys == [f"t{t6}"]
        assert cell(panel, "attainment", "first_reply", 2) == "40.0% (2/5)"  # today
        assert cell(panel, "attainment", "resolution", 1) == "100.0% (2/2)"  # this shift
        assert cell(panel, "open", "total", 5) == "2"
        tiles = panel.query_one("#tiles")
        assert tiles.value_of("csat") == "100.0%"  # this shift: T7's 4
        await pilot.press("2")  # today
        await until(pilot, lambda: tiles.value_of("fcr") == "50.0%")
        assert tiles.value_of("frt") == "40m" and tiles.value_of("res") == "3.0h"
        assert "[bold]subject[/]" in cell(panel, "breached", f"t{t5}", 5)  # customer text stays literal

        other = open_database(path)  # another console, another connection
        with other.write() as session:
            add_reply(Context.open(session, NOW), t6, history.agents["amy"], "on it")
        other.dispose()
        await until(pilot, lambda: panel.query_one("#at-risk").keys == [])
        await until(pilot, lambda: cell(panel, "attainment", "first_reply", 2) == "50.0% (3/6)")
        assert tiles.value_of("frt") != "—"


async def test_breakdown_tabs_and_period_keys(panel_db):
    path, history = panel_db
    app = make_app(path)
    async with app.run_test(size=(180, 70)) as pilot:
        panel = await open_panel(app, pilot)
        await pilot.press("3")  # 7 days
        agents = panel.query_one("#by-agent")
        amy, ben = (f"a{history.agents[n]}" for n in ("amy", "ben"))
        await until(pilot, lambda: amy in agents.keys and cell(panel, "by-agent", amy, 1) == "4")
        assert [cell(panel, "by-agent", amy, i) for i in (2, 3, 4, 5, 6, 7)] == ["4", "3", "7", "0", "100.0%", "30m"]
        assert cell(panel, "by-agent", ben, 6) == "50.0%"
        assert cell(panel, "by-agent", "a", 5) == "2"  # breached while nobody held the ticket
        from textual.widgets import TabbedContent

        panel.query_one("#breakdowns", TabbedContent).active = "tab-category"
        categories = panel.query_one("#by-category")
        await until(pilot, lambda: len(categories.keys) == 4)
        flags = {key: cell(panel, "by-category", key, 10) for key in categories.keys}
        assert flags["g訂單服務/訂單狀態"] == "over 30%"
        assert flags["g其他/系統問題"] == "slow (>2x)"
        series = panel.query_one("#intake").series
        assert series.today[8:11] == (1, 2, 1) and series.average[8] == pytest.approx(1 / 7)


async def test_polling_pauses_while_hidden_and_rows_open_tickets(panel_db):
    from textual.screen import Screen

    path, history = panel_db
    app = make_app(path)
    opened: list[int] = []
    app.open_ticket = opened.append  # the queue's hook, observed
    async with app.run_test(size=(180, 70)) as pilot:
        panel = await open_panel(app, pilot)
        await until(pilot, lambda: panel.polls >= 3)
        app.push_screen(Screen())
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        hidden = panel.polls
        await pilot.pause(0.5)
        assert panel.polls == hidden  # nothing polled while something else is on top
        app.pop_screen()
        await until(pilot, lambda: panel.polls > hidden + 1)
        panel.query_one("#breached").focus()
        await pilot.press("enter")
        await until(pilot, lambda: opened == [history.tickets["T5"]])
