"""Pilot tests: real keys for every queue action, checked in the database and on the screen."""

from __future__ import annotations

from sqlmodel import select
from support.pilot import goto, toasts, until

from store.db.engine import open_database
from store.models import SlaClock, Ticket, TicketEvent

SIZE = (160, 45)


def ticket(seed, ticket_id: int) -> Ticket:
    with seed.db.read() as session:
        return session.get(Ticket, ticket_id)


def events(seed, ticket_id: int, kind: str) -> list[TicketEvent]:
    with seed.db.read() as session:
        return list(session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id,
                                                           TicketEvent.kind == kind)).all())


def clock_state(seed, ticket_id: int, metric: str) -> str:
    with seed.db.read() as session:
        clocks = session.exec(select(SlaClock).where(SlaClock.ticket_id == ticket_id, SlaClock.metric == metric)
                              .order_by(SlaClock.id)).all()
        return clocks[-1].state


async def test_claim(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["unassigned"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        assert "—" in queue_ui.row_text(app, tid)
        await pilot.press("c")
        await queue_ui.settle(pilot)
        assert ticket(seed_small, tid).assignee_id == seed_small.agents["amy"]
        assert events(seed_small, tid, "assigned")[-1].actor_id == seed_small.agents["amy"]
        assert "陳雅婷" in queue_ui.row_text(app, tid)
        assert app.screen.table.cursor_key == tid
        assert any(f"#{tid}" in m for m in toasts(app))


async def test_claim_lost_names_the_winner(queue_app, queue_ui, seed_small):
    from store.tickets.actions import claim

    tid = seed_small.tickets["english"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        seed_small.act(claim, tid, seed_small.agents["ben"])  # another console wins the race
        await pilot.press("c")
        await queue_ui.settle(pilot)
        assert ticket(seed_small, tid).assignee_id == seed_small.agents["ben"]
        assert any("Ben Lin" in m and f"#{tid}" in m for m in toasts(app))
        assert "Ben Lin" in queue_ui.row_text(app, tid)
        assert len(events(seed_small, tid, "assigned")) == 1


async def test_assign_through_the_agent_picker(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["at_risk"]
    app = queue_app("lead.lin")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        await pilot.press("a")
        await queue_ui.settle(pilot)
        await pilot.press("b", "e", "n", "enter")
        await queue_ui.settle(pilot)
        assert ticket(seed_small, tid).assignee_id == seed_small.agents["ben"]
        event = events(seed_small, tid, "assigned")[-1]
        assert event.actor_id == seed_small.agents["lead.lin"] and event.data["to"] == seed_small.agents["ben"]
        assert "Ben Lin" in queue_ui.row_text(app, tid)


def picker_options(app) -> list[str]:
    from textual.widgets import OptionList

    options = app.screen.query_one("#dialog-options", OptionList)
    return [options.get_option_at_index(i).prompt.plain for i in range(options.option_count)]


async def test_an_agent_is_offered_only_whom_they_may_assign(queue_app, queue_ui, seed_small):
    """An agent may take a free ticket or release their own; the picker offers just that."""
    from console.screens.dialogs import ChoiceDialog

    free, bens, mine = (seed_small.tickets[k] for k in ("at_risk", "bens", "mine"))
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, free)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert picker_options(app) == ["陳雅婷  amy"]  # herself only: no Ben, no lead
        await pilot.press("escape")
        await goto(pilot, mine)
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        assert picker_options(app) == ["(nobody)"]
        await pilot.press("escape")
        await goto(pilot, bens)
        await pilot.press("a")
        await queue_ui.settle(pilot)
        assert not isinstance(app.screen, ChoiceDialog)
        assert any("needs the lead role" in m for m in toasts(app))
        assert ticket(seed_small, bens).assignee_id == seed_small.agents["ben"]


async def test_a_lead_is_offered_everyone_but_the_holder(queue_app, queue_ui, seed_small):
    from console.screens.dialogs import ChoiceDialog

    app = queue_app("lead.lin")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, seed_small.tickets["bens"])
        await pilot.press("a")
        await until(pilot, lambda: isinstance(app.screen, ChoiceDialog))
        shown = picker_options(app)
        assert shown[0] == "(nobody)" and len(shown) == 4  # nobody, amy, chief, lin itself; not ben
        assert not any("Ben Lin" in option for option in shown)


async def test_set_status_pending_pauses_resolution(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["mine"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        await pilot.press("s")  # open, pending, on hold, solved; the cursor starts on the current one
        await pilot.press("home", "down", "enter")
        await queue_ui.settle(pilot)
        assert ticket(seed_small, tid).status == "pending"
        assert events(seed_small, tid, "status_changed")[-1].data == {"from": "open", "to": "pending"}
        assert clock_state(seed_small, tid, "resolution") == "paused"
        # The first reply still runs (pending pauses resolution only), so the row keeps its countdown
        # and the detail pane marks the resolution clock paused.
        assert "pending" in queue_ui.row_text(app, tid) and "40m" in queue_ui.row_text(app, tid)
        clocks = [line for line in queue_ui.screen_text(app).splitlines() if line.strip().startswith("resolution")]
        assert clocks and "‖" in clocks[0] and "paused" in clocks[0]


async def test_set_status_solved_stops_resolution_and_leaves_the_queue(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["mine"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        await pilot.press("s", "end", "enter")
        await queue_ui.settle(pilot)
        assert ticket(seed_small, tid).status == "solved"
        assert clock_state(seed_small, tid, "resolution") == "stopped"
        assert app.screen.table.index_of(tid) is None  # solved tickets are not in the open queue
        assert f"#{tid}" not in queue_ui.screen_text(app).split("Thread")[0]
        assert not any("not in the queue" in m for m in toasts(app))  # done with it: the list moves on


async def test_change_priority_moves_the_row_and_the_cursor_follows(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["chinese"]  # low
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        before = app.screen.table.cursor_index
        await pilot.press("p", "home", "enter")  # urgent
        await queue_ui.settle(pilot)
        assert ticket(seed_small, tid).priority == "urgent"
        assert events(seed_small, tid, "priority_changed")[-1].data == {"from": "low", "to": "urgent"}
        table = app.screen.table
        assert table.cursor_key == tid and table.cursor_index < before
        assert "urgent" in queue_ui.row_text(app, tid)


async def test_internal_note(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["english"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        await pilot.press("n")
        await pilot.press(*"Called back")
        await pilot.press("ctrl+s")
        await queue_ui.settle(pilot)
        notes = events(seed_small, tid, "internal_note")
        assert [n.body for n in notes] == ["Called back"] and notes[0].public is False
        assert "Called back" in queue_ui.screen_text(app)


async def test_escalate_needs_a_reason(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["english"]  # normal
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        await pilot.press("e", "enter")  # empty: refused, the dialog stays
        assert app.screen.__class__.__name__ == "PromptDialog"
        await pilot.press(*"VIP", "enter")
        await queue_ui.settle(pilot)
        row = ticket(seed_small, tid)
        assert row.escalated and row.priority == "high"
        assert events(seed_small, tid, "escalated")[-1].body == "VIP"
        assert "▲" in queue_ui.row_text(app, tid)


async def test_jump_to_ticket_by_number(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["unassigned"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await pilot.press("1")  # Mine: the ticket is not in this view
        await queue_ui.settle(pilot)
        assert app.screen.table.index_of(tid) is None
        await pilot.press("g", *str(tid), "enter")
        await queue_ui.settle(pilot)
        assert app.screen.query_state.view == "open"
        assert app.screen.table.cursor_key == tid
        assert app.screen.detail.shown == tid


async def test_jump_to_a_number_past_the_largest_id_says_so(queue_app, queue_ui, seed_small):
    """19 nines fit the prompt but no SQLite integer: a warning, no failed worker, the queue intact."""
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        before = app.screen.table.cursor_key
        await pilot.press("g", *"9" * 19, "enter")
        await queue_ui.settle(pilot)
        assert any("9999999999999999999" in m and "9223372036854775807" in m for m in toasts(app))
        assert app.screen.table.cursor_key == before
        await pilot.press("g", *str(seed_small.tickets["unassigned"]), "enter")  # and it still works
        await queue_ui.settle(pilot)
        assert app.screen.table.cursor_key == seed_small.tickets["unassigned"]


async def test_jump_to_a_solved_ticket_shows_its_details(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["solved"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await pilot.press("number_sign", *str(tid), "enter")
        await queue_ui.settle(pilot)
        assert app.screen.detail.shown == tid
        assert "已解決的舊問題" in queue_ui.screen_text(app)


async def test_actions_are_in_the_command_palette(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["unassigned"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        await pilot.press("ctrl+p")
        await pilot.press(*"Claim ticket")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await queue_ui.settle(pilot)
        assert ticket(seed_small, tid).assignee_id == seed_small.agents["amy"]


async def test_views_sort_and_filter_keys(queue_app, queue_ui, seed_small):
    t = seed_small.tickets
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        table = app.screen.table
        assert table.total == 8
        await pilot.press("1")
        await queue_ui.settle(pilot)
        assert {r.id for r in table.held_rows()} == {t["paused"], t["mine"]}
        await pilot.press("4")
        await queue_ui.settle(pilot)
        assert t["breached"] in {r.id for r in table.held_rows()}
        await pilot.press("3", "o")
        await queue_ui.settle(pilot)
        assert app.screen.query_state.sort == "breach"
        assert [r.id for r in table.held_rows()][-1] == t["paused"]
        await pilot.press("slash", *"password")
        await pilot.pause(0.3)
        await queue_ui.settle(pilot)
        assert [r.id for r in table.held_rows()] == [t["english"]]
        await pilot.press("enter", "escape")
        await pilot.pause(0.3)
        await queue_ui.settle(pilot)
        assert table.total == 8


async def test_a_new_view_or_sort_starts_at_its_most_urgent_row(queue_app, queue_ui, seed_small):
    """Issue 13: switching keeps no ticket pinned at the top; the first row is the most urgent."""
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        table = app.screen.table
        await pilot.press("j", "j", "j")
        await queue_ui.settle(pilot)
        picked = table.cursor_key
        assert table.cursor_index == 3
        await pilot.press("4")  # breached / at risk
        await queue_ui.settle(pilot)
        assert (table.cursor_index, int(table.scroll_y)) == (0, 0)
        assert table.cursor_key == table.held_rows()[0].id
        await pilot.press("3")  # all open again: the top, not the ticket picked before
        await queue_ui.settle(pilot)
        assert table.cursor_index == 0 and table.cursor_key != picked
        await pilot.press("j", "j", "o")  # sort by next breach
        await queue_ui.settle(pilot)
        assert table.cursor_index == 0
        assert table.cursor_key == table.held_rows()[0].id


async def test_every_binding_has_an_id_and_a_palette_entry(queue_app, queue_ui):
    from console.screens.queue.commands import _commands

    app = queue_app("amy", lang="zh-TW")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        from console.screens.queue.keys import QUEUE_BINDINGS
        from widgets.queue_table import QueueTable

        screen = app.screen
        shown = [a.binding for a in screen.active_bindings.values() if a.node is screen and a.binding.show]
        assert all(b.id for b in [*QUEUE_BINDINGS, *QueueTable.BINDINGS, *type(app).BINDINGS])
        callbacks = {getattr(cb, "__name__", "") for _t, _h, cb, _e in _commands(screen)}
        for binding in shown:
            if binding.action == "help":
                continue
            assert f"action_{binding.action}" in callbacks, binding.action
        # Footer words come from the catalogue, in the chosen language.
        assert "認領" in queue_ui.screen_text(app)


def test_claim_race_has_one_winner_and_the_loser_is_told_who(seed_small):
    """Two consoles (own connections, own threads) claim one ticket at the same moment."""
    import threading
    from dataclasses import replace

    from conftest import make_services

    from console.screens.queue.actions import perform
    from store.db.reader import SqliteReader
    from store.tickets.commands import Claim

    tid = seed_small.tickets["chinese"]
    results: dict[str, object] = {}
    barrier = threading.Barrier(2)

    def console(agent: str) -> None:
        database = open_database(seed_small.path)
        services = replace(make_services(seed_small, agent), db=database)
        reader = SqliteReader(seed_small.path)
        barrier.wait()
        results[agent] = perform(services, reader, Claim(), tid)
        reader.close()
        database.dispose()

    threads = [threading.Thread(target=console, args=(name,)) for name in ("amy", "ben")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    owner = ticket(seed_small, tid).assignee_id
    winner = "amy" if owner == seed_small.agents["amy"] else "ben"
    loser = "ben" if winner == "amy" else "amy"
    assert owner == seed_small.agents[winner]
    assert len(events(seed_small, tid, "assigned")) == 1
    won, lost = results[winner], results[loser]
    assert won.severity == "information" and won.row.assignee_id == owner
    assert lost.severity == "warning"
    assert {"amy": "陳雅婷", "ben": "Ben Lin"}[winner] in lost.message


async def test_palette_in_chinese_also_answers_to_english_words(queue_app, queue_ui, seed_small):
    app = queue_app("amy", lang="zh-TW")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await pilot.press("ctrl+p", *"escalate")
        await pilot.pause(0.5)
        assert "升級案件" in queue_ui.screen_text(app)
        await pilot.press("enter")
        await pilot.pause(0.2)
        assert app.screen.__class__.__name__ == "PromptDialog"


async def test_an_agent_may_not_change_a_ticket_someone_else_holds(queue_app, queue_ui, seed_small):
    """Status on ben's ticket, pressed by amy: refused with who holds it, nothing written (SQLite: the
    store's rule, the same as the PostgreSQL guard's)."""
    tid = seed_small.tickets["bens"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        await pilot.press("s", "end", "enter")  # solved
        await queue_ui.settle(pilot)
        assert ticket(seed_small, tid).status == "open"
        assert events(seed_small, tid, "status_changed")[-1].actor_id == seed_small.agents["ben"]
        assert any(f"#{tid} is held by Ben Lin" in m for m in toasts(app))
        await pilot.press("n", *"插手", "ctrl+s")
        await queue_ui.settle(pilot)
        assert events(seed_small, tid, "internal_note") == []


async def test_a_slow_write_says_working_in_place(queue_app, queue_ui, seed_small, monkeypatch):
    """While a write is under way the bar says so, then the row shows the result (no blank wait)."""
    import threading

    from console.screens.queue import actions

    release = threading.Event()
    real = actions.perform

    def slow(*args, **kwargs):
        release.wait(10)
        return real(*args, **kwargs)

    monkeypatch.setattr(actions, "perform", slow)
    tid = seed_small.tickets["unassigned"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        await pilot.press("c")
        bar = app.screen.query_one("#queue-bar")
        await until(pilot, lambda: "working…" in bar.render().plain)
        release.set()
        await until(pilot, lambda: "working…" not in bar.render().plain)
        await queue_ui.settle(pilot)
        assert "陳雅婷" in queue_ui.row_text(app, tid)
