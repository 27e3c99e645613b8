"""Start-up: on an existing SQLite file the queue paints before the full services exist; an
unknown agent is refused before any screen shows; anything else takes the full path."""

from __future__ import annotations

import subprocess
import sys

import pytest

from console.context import CliState

SIZE = (160, 45)


def test_fast_boot_on_an_existing_database(seed_small):
    from console.boot import quick_boot

    boot = quick_boot(CliState(db_url=str(seed_small.path), as_agent="ben", lang="en"))
    assert boot is not None
    assert (boot.agent_id, boot.agent_label, boot.agent_role) == (seed_small.agents["ben"], "Ben Lin", "agent")
    assert boot.sqlite_path == seed_small.path


def test_no_fast_boot_for_a_new_file_or_another_database(tmp_path):
    from console.boot import quick_boot

    assert quick_boot(CliState(db_url=str(tmp_path / "new.db"), as_agent="amy")) is None
    assert quick_boot(CliState(db_url="postgresql+psycopg://u@localhost/x", as_agent="amy")) is None


def test_unknown_agent_is_refused_before_the_ui_with_the_known_names(seed_small):
    code = ("from console.app import build_app; from console.context import CliState; "
            f"build_app(CliState(db_url={str(seed_small.path)!r}, as_agent='nobody', lang='en'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 1
    assert "nobody" in out.stderr and "amy" in out.stderr and "shiftdesk agents add nobody" in out.stderr


async def test_the_queue_paints_then_the_services_come_up_and_actions_work(seed_small, queue_ui, monkeypatch):
    from console.app import build_app
    from store.models import Ticket

    monkeypatch.setattr("store.clock._clock", seed_small.clock)
    app = build_app(CliState(db_url=str(seed_small.path), as_agent="amy", lang="en"))
    assert app.boot is not None and not app.services_ready
    tid = seed_small.tickets["unassigned"]
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        assert app.screen.table.total == 8
        while app.screen.table.cursor_key != tid:
            await pilot.press("j")
        await pilot.press("c")
        await queue_ui.settle(pilot)
        assert app.services_ready
        with seed_small.db.read() as session:
            assert session.get(Ticket, tid).assignee_id == seed_small.agents["amy"]


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
async def test_services_asked_for_on_the_main_thread_are_built_there(seed_small, lang):
    from console.app import build_app

    app = build_app(CliState(db_url=str(seed_small.path), as_agent="amy", lang=lang))
    async with app.run_test(size=SIZE) as pilot:
        services = app.services  # before the queue asked for them: built here, no deadlock
        assert services.agent.name == "amy"
        await pilot.pause()
        assert app.services_ready


def test_the_start_up_window_is_one_table_block():
    from console.boot import FIRST_WINDOW
    from widgets.queue_table import QueueTable

    assert FIRST_WINDOW == QueueTable.BLOCK
