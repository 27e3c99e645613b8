"""Other consoles' writes reach an open queue within about two seconds, cursor unmoved."""

from __future__ import annotations

from datetime import timedelta

from support.pilot import until

from console.textual_adapter import notifications
from store.db.changes import SqliteProbe
from store.db.engine import open_database

SIZE = (160, 45)


def test_data_version_changes_only_when_another_connection_commits(seed_small):
    from store.tickets.actions import add_note

    probe = SqliteProbe(seed_small.path)
    first = probe.version()
    assert probe.version() == first
    seed_small.act(add_note, seed_small.tickets["english"], seed_small.agents["amy"], "hello")
    assert probe.version() != first
    probe.close()


async def test_another_consoles_claim_and_new_ticket_show_up_and_the_cursor_stays(queue_app, queue_ui, seed_small):
    from store.tickets.actions import claim, create_ticket

    watched = seed_small.tickets["english"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        table = app.screen.table
        while table.cursor_key != watched:
            await pilot.press("j")
        await queue_ui.settle(pilot)
        index_before = table.cursor_index
        # Another console: its own connection claims the ticket under amy's cursor and files an
        # urgent ticket that sorts above it.
        other = open_database(seed_small.path)
        with other.write() as session:
            from store.tickets.actions import Context

            ctx = Context.open(session, seed_small.clock.now())
            claim(ctx, watched, seed_small.agents["ben"])
        with other.write() as session:
            ctx = Context.open(session, seed_small.clock.now() - timedelta(seconds=1))
            create_ticket(ctx, subject="系統整個當機", customer_id=seed_small.customers["王小明"], priority="urgent")
        other.dispose()
        took = await until(pilot, lambda: "Ben Lin" in queue_ui.row_text(app, watched), timeout=2.5)
        assert took <= 2.5
        await until(pilot, lambda: table.total == 9, timeout=2.5)
        await queue_ui.settle(pilot)
        assert table.cursor_key == watched  # still on its ticket...
        assert table.cursor_index == index_before + 1  # ...which moved down one row
        assert "系統整個當機" in queue_ui.screen_text(app)
        assert "Ben Lin" in queue_ui.screen_text(app).split("Thread")[0]


async def test_two_apps_on_one_database(queue_app, queue_ui, seed_small):
    """Two consoles side by side: amy claims in hers, ben sees it in his."""
    watched = seed_small.tickets["unassigned"]
    amy, ben = queue_app("amy"), queue_app("ben")
    async with amy.run_test(size=SIZE) as p1, ben.run_test(size=SIZE) as p2:
        await queue_ui.settle(p1)
        await queue_ui.settle(p2)
        for pilot, app in ((p1, amy), (p2, ben)):
            while app.screen.table.cursor_key != watched:
                await pilot.press("j")
        await p1.press("c")
        await queue_ui.settle(p1)
        await until(p2, lambda: "陳雅婷" in queue_ui.row_text(ben, watched), timeout=2.5)
        assert ben.screen.table.cursor_key == watched
        await p2.press("c")  # ben is too late: told who has it
        await queue_ui.settle(p2)
        assert any("陳雅婷" in n.message for n in notifications(ben))


async def test_the_breach_sweep_records_breaches_as_time_passes(queue_app, queue_ui, seed_small):
    from sqlmodel import select

    from store.models import TicketEvent

    app = queue_app("amy")
    app.SWEEP_INTERVAL = 0.0
    tid = seed_small.tickets["at_risk"]
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        seed_small.clock.advance(minutes=30)  # its first reply ran out 10 minutes ago

        def recorded() -> bool:
            with seed_small.db.read() as session:
                return session.exec(select(TicketEvent).where(TicketEvent.ticket_id == tid,
                                                              TicketEvent.kind == "sla_breached")).first() is not None

        await until(pilot, recorded, timeout=3)
        await until(pilot, lambda: "-10m" in queue_ui.row_text(app, tid), timeout=3)


async def test_a_sweep_with_nothing_due_takes_no_write(queue_app, queue_ui, seed_small):
    """The sweep probes first: a console left open writes nothing until a clock falls due."""
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        services = app.wait_services()
        writes = []
        original = services.db.write

        def counting():
            writes.append(1)
            return original()

        services.db.write = counting
        try:
            assert app._sweep_breaches() == 0  # nothing overdue yet
            assert writes == []
            seed_small.clock.advance(minutes=30)  # the at-risk ticket's first reply ran out
            assert app._sweep_breaches() >= 1
            assert writes == [1]
        finally:
            services.db.write = original
