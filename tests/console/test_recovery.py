"""A lock held by another process is a passing condition, never a permanent state.

The console starts while another process holds SQLite's write lock for 45 s (an ordinary
10,000-ticket import holds it for about a minute): the queue paints and moves at once, an
action tried meanwhile is refused in one plain sentence after a bounded wait in its worker,
and once the lock is gone the next claim succeeds, without restarting the console.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from console.context import CliState

SIZE = (160, 45)
HOLD = 45.0
HOLDER = """
import sqlite3, sys, time
conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=30)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
conn.rollback()
conn.close()
print("released", flush=True)
"""


def hold_write_lock(path, seconds: float) -> subprocess.Popen:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE,
                              text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


def record_toasts(app) -> list[str]:
    seen: list[str] = []
    notify = app.notify

    def recording(message, **kwargs):
        seen.append(str(message))
        notify(message, **kwargs)

    app.notify = recording
    return seen


async def until(pilot, condition, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out after {timeout} s waiting for {condition}")


def test_a_write_that_cannot_get_the_lock_gives_up_within_its_bound(seed_small):
    from store.db.engine import DatabaseBusy, open_database
    from store.team.agents import find_agent

    db = open_database(seed_small.path, lock_wait=1.5)
    holder = hold_write_lock(seed_small.path, 4)
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseBusy) as caught, db.write():
            raise AssertionError("the body must not run without the lock")
        waited = time.monotonic() - started
        assert 1.0 <= waited < 3.5, waited
        assert "another process" in str(caught.value)
        with db.read() as session:  # reading goes on under WAL
            assert find_agent(session, "amy").name == "amy"
    finally:
        holder.wait(30)
    with db.write() as session:  # and once the lock is gone, writing works on the same Database
        assert find_agent(session, "amy").name == "amy"
    db.dispose()


@pytest.mark.slow
async def test_a_console_started_under_a_45_second_lock_claims_once_it_is_released(seed_small, queue_ui,
                                                                                   monkeypatch):
    from console.app import build_app
    from console.services import CONSOLE_LOCK_WAIT
    from store.models import Ticket

    monkeypatch.setattr("store.clock._clock", seed_small.clock)
    tid = seed_small.tickets["unassigned"]
    holder = hold_write_lock(seed_small.path, HOLD)
    locked_at = time.monotonic()
    try:
        app = build_app(CliState(db_url=str(seed_small.path), as_agent="amy", lang="en"))
        toasts = record_toasts(app)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: app.screen.id == "queue" and app.screen.table.total == 8, 10)
            # The services try to come up (migrations, defaults) and cannot: told once, plainly.
            await until(pilot, lambda: any("another program is holding the database" in m for m in toasts),
                        CONSOLE_LOCK_WAIT + 10)
            assert not app.services_ready
            # The event loop never waits on the lock: every key is handled at once.
            for _ in range(3):
                before = app.screen.table.cursor_index
                pressed = time.monotonic()
                await pilot.press("j")
                assert time.monotonic() - pressed < 1.0
                assert app.screen.table.cursor_index == before + 1
            table = app.screen.table
            while table.cursor_key != tid:
                await pilot.press("j" if table.index_of(tid) > table.cursor_index else "k")
            # A claim tried under the lock waits in its worker, bounded, then says so.
            toasts.clear()
            await pilot.press("c")
            await until(pilot, lambda: toasts, CONSOLE_LOCK_WAIT + 10)
            assert "another program is holding the database" in toasts[0] and "can be repeated" in toasts[0]
            with seed_small.db.read() as session:
                assert session.get(Ticket, tid).assignee_id is None
            assert time.monotonic() - locked_at < HOLD, "the lock must still be held here for the test to mean much"
            assert holder.wait(HOLD + 30) == 0  # the other process lets go
            assert holder.stdout is not None and holder.stdout.read().strip() == "released"
            toasts.clear()
            await pilot.press("c")  # the very next claim: services built again, then the claim
            await until(pilot, lambda: toasts, CONSOLE_LOCK_WAIT + 10)
            await queue_ui.settle(pilot, timeout=CONSOLE_LOCK_WAIT)
            assert app.services_ready
            with seed_small.db.read() as session:
                assert session.get(Ticket, tid).assignee_id == seed_small.agents["amy"]
            assert app.is_running
    finally:
        if holder.poll() is None:
            holder.kill()
