"""Pilot tests for what the queue gained on top of the actions: next ticket, presence, history."""

from __future__ import annotations

from support.pilot import goto, toasts, until

from store.models import Ticket

SIZE = (160, 45)


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


async def test_next_ticket_from_a_view_without_it_lands_in_mine(queue_app, queue_ui, seed_small):
    """Issue 13: `t` from a view that does not hold the new ticket switches to Mine, not All open."""
    urgent = seed_small.tickets["breached"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await pilot.press("6")  # a channel view (chat) that does not hold the urgent email ticket
        await queue_ui.settle(pilot)
        assert app.screen.query_state.view == "channel:chat"
        await pilot.press("t")
        await queue_ui.settle(pilot)
        assert assignee(seed_small, urgent) == seed_small.agents["amy"]
        assert app.screen.query_state.view == "mine"
        assert app.screen.table.cursor_key == urgent
        assert any("switched to Mine" in m for m in toasts(app))


async def test_next_ticket_when_none_is_left(queue_app, queue_ui, seed_small):
    from store.tickets.actions import next_ticket

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
    from console.screens.queue.commands import _commands

    app = queue_app("amy", lang="zh-TW")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        assert "下一件" in queue_ui.screen_text(app)
        titles = [title for title, *_ in _commands(app.screen)]
        assert "認領下一件案件" in titles


def test_presence_heartbeats_alone_do_not_announce_a_change(seed_small):
    from store.db.changes import SqliteProbe
    from store.tickets.actions import add_note
    from store.tickets.presence import COMPOSING, VIEWING, leave, touch

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


def presence_of(seed, agent: str):
    from store.models import Presence

    with seed.db.read() as session:
        row = session.get(Presence, seed.agents[agent])
        return None if row is None else (row.ticket_id, row.activity)


async def test_detail_pane_shows_who_else_is_here_and_the_queue_beats(queue_app, queue_ui, seed_small):
    from datetime import timedelta

    from store.models import Agent
    from store.tickets.presence import COMPOSING, VIEWING, touch

    tid = seed_small.tickets["english"]
    now = seed_small.clock.now()
    with seed_small.db.write() as session:
        session.get(Agent, seed_small.agents["ben"]).display_name = "[red]Ben\x1b[31m"
        touch(session, seed_small.agents["ben"], tid, COMPOSING, now)
        touch(session, seed_small.agents["lead.lin"], tid, VIEWING, now)
        touch(session, seed_small.agents["chief"], tid, VIEWING, now - timedelta(seconds=90))  # gone
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        text = app.screen.detail.plain
        assert "Also here: [red]Ben␛[31m (writing a reply), 林組長" in text  # literal, not markup
        assert "\x1b" not in text
        assert "周主管" not in text
        assert presence_of(seed_small, "amy") == (tid, VIEWING)
        other = seed_small.tickets["chinese"]
        await goto(pilot, other)
        await app.workers.wait_for_complete()
        assert presence_of(seed_small, "amy") == (other, VIEWING)
        assert "Also here" not in app.screen.detail.plain


async def test_composer_says_composing_and_back_to_viewing(queue_app, queue_ui, seed_small):
    from store.tickets.presence import COMPOSING, VIEWING

    tid = seed_small.tickets["english"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        await pilot.press("r")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        assert presence_of(seed_small, "amy") == (tid, COMPOSING)
        await pilot.press("escape")
        await pilot.pause(0.3)
        await app.workers.wait_for_complete()
        assert presence_of(seed_small, "amy") == (tid, VIEWING)


async def test_detail_pane_shows_the_audit_history(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["unassigned"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        assert "History" in app.screen.detail.plain
        assert "陳雅婷" not in app.screen.detail.plain.split("History", 1)[1]
        await pilot.press("c")
        await queue_ui.settle(pilot)
        await pilot.pause(0.1)
        await queue_ui.settle(pilot)
        history = app.screen.detail.plain.split("History", 1)[1]
        assert "陳雅婷 · claimed  assignee — → 陳雅婷" in history  # a person, not `assignee_id — → 1`
        assert "assignee_id" not in history and f"→ {seed_small.agents['amy']}" not in history


async def test_history_tells_two_people_of_one_display_name_apart(queue_app, queue_ui, seed_small):
    from store.models import Agent
    from store.tickets.ownership import assign

    with seed_small.db.write() as session:
        session.add(Agent(name="amy2", role="agent", display_name="陳雅婷", created_at=seed_small.clock.now()))
    with seed_small.db.read() as session:
        from sqlmodel import select

        other = session.exec(select(Agent).where(Agent.name == "amy2")).one().id
    tid = seed_small.tickets["unassigned"]
    seed_small.act(assign, tid, seed_small.agents["lead.lin"], other)
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        history = app.screen.detail.plain.split("History", 1)[1]
        assert "assignee — → 陳雅婷 (amy2)" in history


async def test_the_ticket_under_the_cursor_stays_when_others_change_the_list(queue_app, queue_ui, seed_small):
    from store.tickets.actions import create_ticket, set_priority

    tid = seed_small.tickets["english"]
    app = queue_app("amy", "en")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await pilot.press("3")  # All open
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        before = app.screen.table.cursor_index
        # Another console: a new urgent ticket and a priority change, both sorting above this one.
        seed_small.act(create_ticket, subject="Site down", priority="urgent", customer_id=seed_small.customers["Bob Lee"])
        seed_small.act(set_priority, seed_small.tickets["chinese"], seed_small.agents["lead.lin"], "urgent")
        await until(pilot, lambda: app.screen.table.total == 9)
        await queue_ui.settle(pilot)
        assert app.screen.table.cursor_index == before + 2 and app.screen.table.cursor_key == tid
        assert app.screen.detail.shown == tid


async def test_the_ticket_worked_stays_selected_when_the_action_takes_it_out_of_the_view(
        queue_app, queue_ui, seed_small):
    """Claiming in Unassigned takes the ticket out of that view: the cursor follows it into Mine."""
    tid = seed_small.tickets["english"]
    app = queue_app("amy", "en")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await pilot.press("2")  # Unassigned
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        await pilot.press("c")
        await until(pilot, lambda: app.screen.query_state.view == "mine")
        await queue_ui.settle(pilot)
        assert app.screen.table.cursor_key == tid
        await until(pilot, lambda: app.screen.detail.shown == tid)


async def test_the_ticket_answered_stays_selected(queue_app, queue_ui, seed_small):
    """A reply from the Unassigned view claims the ticket; back on the queue it is still selected."""
    from console.screens.composer.screen import ComposerScreen
    from console.screens.queue.screen import QueueScreen

    tid = seed_small.tickets["english"]
    app = queue_app("amy", "en")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await pilot.press("2")
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.screen._data)
        await pilot.press("tab", "tab", *"Use the reset link on the sign-in page.", "ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, QueueScreen))
        await until(pilot, lambda: app.screen.query_state.view == "mine")
        await queue_ui.settle(pilot)
        assert app.screen.table.cursor_key == tid
