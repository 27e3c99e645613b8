"""Two consoles on one PostgreSQL database: a claim in one shows in the other within two seconds,
carried by LISTEN/NOTIFY (no polling query), and the loser of a race is told who won."""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import FROZEN_AT, seed_team
from support.pilot import until

from console.textual_adapter import notifications
from store.db.changes import EventProbe
from store.db.engine import open_database
from store.defaults import ensure_defaults

SIZE = (160, 45)


@pytest.fixture
def pg_seed(pg_url, clock):
    db = open_database(pg_url)
    with db.write() as session:
        ensure_defaults(session, FROZEN_AT - timedelta(days=30))
    seed = seed_team(db, clock)
    yield seed
    db.dispose()


def console(seed, url: str, agent: str):
    """A console of its own: its own Database (engine, pool, listener) on the shared database."""
    from console.app import ShiftdeskApp
    from console.context import CliState
    from console.i18n import set_language
    from console.services import Services
    from store.team.agents import find_agent

    set_language("en")
    db = open_database(url)
    with db.read() as session:
        who = find_agent(session, agent)
    state = CliState(db_url=url, as_agent=agent, lang="en")
    return ShiftdeskApp(Services(db=db, agent=who, clock=seed.clock, lang="en", state=state)), db


@pytest.mark.postgres
async def test_a_claim_in_one_console_shows_in_the_other(pg_seed, pg_url, queue_ui):
    watched = pg_seed.tickets["unassigned"]
    (amy, amy_db), (ben, ben_db) = console(pg_seed, pg_url, "amy"), console(pg_seed, pg_url, "ben")
    try:
        async with amy.run_test(size=SIZE) as p1, ben.run_test(size=SIZE) as p2:
            await queue_ui.settle(p1)
            await queue_ui.settle(p2)
            probe = ben.livesync.probe
            assert isinstance(probe, EventProbe) and probe.listening is not None  # LISTEN, not a polling query
            await until(p2, lambda: probe.listening.listener is not None, timeout=3)
            for pilot, app in ((p1, amy), (p2, ben)):
                while app.screen.table.cursor_key != watched:
                    await pilot.press("j")
            await p1.press("c")
            await queue_ui.settle(p1)
            took = await until(p2, lambda: "陳雅婷" in queue_ui.row_text(ben, watched), timeout=2.5)
            assert took <= 2.0
            assert ben.screen.table.cursor_key == watched
            await p2.press("c")  # ben is too late: told who has it
            await queue_ui.settle(p2)
            assert any("陳雅婷" in n.message for n in notifications(ben))
    finally:
        amy_db.dispose()
        ben_db.dispose()
