"""Pilot tests for what the queue gained on top of the actions: next ticket, presence, history."""

from __future__ import annotations

from store.models import Ticket

SIZE = (160, 45)


def toasts(app) -> list[str]:
    return [n.message for n in app._notifications]


def assignee(seed, ticket_id: int) -> int | None:
    with seed.db.read() as session:
        return session.get(Ticket, ticket_id).assignee_id


async def test_next_ticket_claims_the_most_urgent_and_moves_the_cursor(queue_app, queue_ui, seed_small):
    urgent = seed_small.tickets["breached"]  # the only unclaimed urgent ticket
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await pilot.press("j", "j")
        await queue_ui.settle(pilot)
        assert app.screen.table.cursor_key != urgent
        await pilot.press("t")
        await queue_ui.settle(pilot)
        assert assignee(seed_small, urgent) == seed_small.agents["amy"]
        assert app.screen.table.cursor_key == urgent
        assert any(f"#{urgent}" in m for m in toasts(app))
        assert app.screen.detail.shown == urgent


async def test_next_ticket_when_none_is_left(queue_app, queue_ui, seed_small):
    from store.tickets import next_ticket

    while seed_small.act(next_ticket, seed_small.agents["ben"]) is not None:
        pass
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        before = app.screen.table.cursor_key
        await pilot.press("t")
        await queue_ui.settle(pilot)
        assert any("No unclaimed ticket" in m for m in toasts(app))
        assert app.screen.table.cursor_key == before


async def test_next_ticket_is_in_footer_and_palette(queue_app, queue_ui):
    from console.screens.queue_commands import _commands

    app = queue_app("amy", lang="zh-TW")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        assert "下一張" in queue_ui.screen_text(app)
        titles = [title for title, *_ in _commands(app.screen)]
        assert "認領下一張工單" in titles


def test_presence_heartbeats_alone_do_not_announce_a_change(seed_small):
    from console.livesync import SqliteProbe
    from store.presence import COMPOSING, VIEWING, leave, touch
    from store.tickets import add_note

    tid, ben = seed_small.tickets["english"], seed_small.agents["ben"]
    probe = SqliteProbe(seed_small.path)
    first = probe.version()
    for activity in (VIEWING, COMPOSING, VIEWING):
        with seed_small.db.write() as session:
            touch(session, ben, tid, activity, seed_small.clock.now())
        assert probe.version() == first
    with seed_small.db.write() as session:
        leave(session, ben)
    assert probe.version() == first
    seed_small.act(add_note, tid, ben, "a real change")
    assert probe.version() != first
    probe.close()
