"""The handover in the real console: draft at the end of a shift, edit, survive a kill, submit,
acknowledge as the incoming lead, export, and merge when two leads edit one draft."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from sqlmodel import select
from support.handover_seed import END_OF_MORNING, seed, tpe
from support.pilot import until
from typer.testing import CliRunner

from console.i18n import set_language
from store.clock import FrozenClock
from store.db.engine import open_database
from store.handover.draft import WAITING_ON_US, WORK_KINDS
from store.models import Handover, Ticket, TicketEvent

GOLDEN = Path(__file__).parents[1] / "golden" / "handover.md"


@pytest.fixture
def db_path(tmp_path):
    set_language("zh-TW")
    db, ids = seed(tmp_path / "h.db")
    db.dispose()
    return tmp_path / "h.db", ids


def make_app(path: Path, who: str, at):
    from console.app import ShiftdeskApp
    from console.context import CliState
    from console.services import build_services

    services = build_services(CliState(db_url=str(path), as_agent=who, lang="zh-TW"), clock=FrozenClock(at))
    return ShiftdeskApp(services)


def screen_name(app) -> str:
    return type(app.screen).__name__


async def open_editor(app, pilot):
    await pilot.press("f4")
    await until(pilot, lambda: screen_name(app) == "HandoverScreen" and app.screen.query("#items-pending"))
    await pilot.pause()
    return app.screen


async def settle(app, pilot) -> None:
    """Let every worker finish and its messages land."""
    await until(pilot, lambda: not getattr(app.screen, "saving", False))
    await app.workers.wait_for_complete()
    await pilot.pause()


def stored(path: Path) -> Handover:
    db = open_database(path, migrate=False)
    try:
        with db.read() as s:
            return s.exec(select(Handover)).one()
    finally:
        db.dispose()


def expected_lists(path: Path):
    """The pending and in-progress tickets, recomputed from the database the plain way."""
    from store.team.shifts import current_shift

    db = open_database(path, migrate=False)
    try:
        with db.read() as s:
            window = current_shift(s, END_OF_MORNING)
            events = s.exec(select(TicketEvent).where(TicketEvent.at >= window.start, TicketEvent.at < window.end)).all()
            tickets = s.exec(select(Ticket).where(Ticket.is_open == True)).all()  # noqa: E712
    finally:
        db.dispose()
    worked = {e.ticket_id for e in events if e.kind in WORK_KINDS and e.actor_id is not None}
    order = lambda t: (t.priority_rank, t.due_key, t.id)  # noqa: E731
    pending = [t.id for t in sorted(tickets, key=order) if t.status in WAITING_ON_US and t.id not in worked]
    progress = [t.id for t in sorted(tickets, key=order) if t.id in worked]
    return pending, progress


@pytest.mark.slow
def test_full_handover_lifecycle(db_path) -> None:
    asyncio.run(_full_handover_lifecycle(db_path))


async def _full_handover_lifecycle(db_path) -> None:
    path, ids = db_path
    first = make_app(path, "lead.lin", END_OF_MORNING)
    async with first.run_test(size=(130, 36)) as pilot:
        editor = await open_editor(first, pilot)
        pending, progress = expected_lists(path)
        assert [i.ticket_id for i in editor.content.pending] == pending == [ids["t1"], ids["t3"], ids["t7"]]
        assert [i.ticket_id for i in editor.content.in_progress] == progress
        table = editor.query_one("#items-pending")
        assert [int(k.value) for k in table.rows] == pending
        # Annotate the urgent one, then move the second one up above it.
        await pilot.press("n")
        await until(pilot, lambda: screen_name(first) == "LineDialog")
        await pilot.press(*"優先處理", "enter")
        await until(pilot, lambda: screen_name(first) == "HandoverScreen")
        await pilot.press("down", "shift+up")
        # Remove the first in-progress item, write the next shift's notes.
        await pilot.press("ctrl+n", "d")
        await pilot.press("ctrl+n", "ctrl+n", "ctrl+n")
        assert first.focused.id == "text-next"
        await pilot.press(*"留意 #0003 付款")
        await pilot.press("ctrl+pageup")  # leaving the section saves at once
        await settle(first, pilot)
        saved = stored(path)
        assert saved.status == "draft" and saved.content["texts"]["next"] == "留意 #0003 付款"
        # More typing, picked up by the autosave timer alone.
        await pilot.press("ctrl+n", *"失敗")
        await pilot.pause(3.5)
        await settle(first, pilot)
        assert stored(path).content["texts"]["next"] == "留意 #0003 付款失敗"

        # The first console is never shut down cleanly: a second one opens the same file.
        second = make_app(path, "lead.lin", END_OF_MORNING.replace(minute=55))
        async with second.run_test(size=(130, 36)) as pilot2:
            reopened = await open_editor(second, pilot2)
            c = reopened.content
            assert c.text("next") == "留意 #0003 付款失敗"
            assert [(i.ticket_id, i.note) for i in c.pending] == [
                (ids["t3"], ""), (ids["t1"], "優先處理"), (ids["t7"], "")]
            assert [i.ticket_id for i in c.in_progress] == progress[1:]
            await pilot2.press("ctrl+t")
            await until(pilot2, lambda: screen_name(second) == "ConfirmDialog")
            await pilot2.press("enter")
            await until(pilot2, lambda: screen_name(second) == "HandoverDocScreen")
    assert stored(path).status == "submitted"

    # The incoming lead opens the console: the handover comes first, and is acknowledged.
    third = make_app(path, "lead.wang", tpe(2024, 1, 15, 15, 2))
    async with third.run_test(size=(130, 36)) as pilot:
        await until(pilot, lambda: screen_name(third) == "HandoverDocScreen")
        await pilot.press("ctrl+k")
        await until(pilot, lambda: screen_name(third) == "LineDialog")
        await pilot.press(*"收到,謝謝", "enter")
        await until(pilot, lambda: third.screen.view.status == "acknowledged")
    row = stored(path)
    assert (row.status, row.ack_reply) == ("acknowledged", "收到,謝謝")

    result = CliRunner().invoke(__import__("console.cli", fromlist=["app"]).app,
                                ["--db", str(path), "--lang", "zh-TW", "handover", "export", "--latest"])
    assert result.exit_code == 0, result.output
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(result.output, encoding="utf-8")
    assert result.output == GOLDEN.read_text(encoding="utf-8")


@pytest.mark.slow
def test_two_leads_one_draft_merge_keeps_both(db_path) -> None:
    asyncio.run(_two_leads_one_draft_merge_keeps_both(db_path))


async def _two_leads_one_draft_merge_keeps_both(db_path) -> None:
    path, _ = db_path
    lin = make_app(path, "lead.lin", END_OF_MORNING)
    wang = make_app(path, "lead.wang", END_OF_MORNING)
    async with lin.run_test(size=(130, 36)) as p1, wang.run_test(size=(130, 36)) as p2:
        mine = await open_editor(lin, p1)
        theirs = await open_editor(wang, p2)
        for app, pilot, text in ((wang, p2, "王:金流維護"), (lin, p1, "林:客服電話改線")):
            await pilot.press("ctrl+n", "ctrl+n", "ctrl+n", *text, "ctrl+s")
            await settle(app, pilot)
        assert theirs.conflict is None and mine.conflict is not None
        assert mine.content.text("system") == "林:客服電話改線"  # still on screen, not lost
        await p1.press("ctrl+r")
        await until(p1, lambda: screen_name(lin) == "MergeScreen")
        merge = lin.screen
        assert merge.query_one("#theirs-system").text == "王:金流維護"
        assert merge.query_one("#mine-system").text == "林:客服電話改線"
        await p1.press("ctrl+s")
        await until(p1, lambda: screen_name(lin) == "HandoverScreen")
        await settle(lin, p1)
    text = stored(path).content["texts"]["system"]
    assert "王:金流維護" in text and "林:客服電話改線" in text


def test_enter_on_an_item_opens_it_in_the_queue(db_path) -> None:
    asyncio.run(_enter_on_an_item_opens_it_in_the_queue(db_path))


async def _enter_on_an_item_opens_it_in_the_queue(db_path) -> None:
    path, ids = db_path
    app = make_app(path, "lead.lin", END_OF_MORNING)
    async with app.run_test(size=(130, 36)) as pilot:
        await open_editor(app, pilot)
        # A note (saved at once), then straight to the queue while that save may still run.
        await pilot.press("down", "n", *"先回電", "enter", "ctrl+n", "ctrl+n", "ctrl+n", *"交給大夜")
        await pilot.press("ctrl+pagedown", "ctrl+pagedown", "ctrl+pagedown")  # next, summary, pending
        assert app.focused.id == "items-pending"
        await pilot.press("enter")  # the cursor is still on the annotated ticket
        await until(pilot, lambda: screen_name(app) == "QueueScreen")
        await until(pilot, lambda: app.screen._pinned == ids["t3"] or app.screen.table.cursor_key == ids["t3"])
        await app.workers.wait_for_complete()
    content = stored(path).content
    assert content["pending"][1]["note"] == "先回電" and content["texts"]["system"] == "交給大夜"


def test_agents_see_the_latest_handover_read_only(db_path) -> None:
    asyncio.run(_agents_see_the_latest_handover_read_only(db_path))


async def _agents_see_the_latest_handover_read_only(db_path) -> None:
    path, _ = db_path
    app = make_app(path, "amy", END_OF_MORNING)
    async with app.run_test(size=(130, 36)) as pilot:
        await pilot.press("f4")
        await until(pilot, lambda: screen_name(app) == "HandoverHistoryScreen")


def test_acknowledging_shows_itself_at_once_never_the_old_state(db_path) -> None:
    asyncio.run(_acknowledging_shows_itself(db_path))


async def _acknowledging_shows_itself(db_path) -> None:
    """No blank wait: "acknowledging…" the moment the reply is given, then the acknowledgement,
    and never "not acknowledged yet" on screen once it went through (issue 13)."""
    from support.pilot import screen_text

    from store.handover.lifecycle import handover_windows, open_draft, submit
    from store.team.agents import find_agent

    path, _ids = db_path
    db = open_database(path, migrate=False)
    with db.write() as s:
        lin = find_agent(s, "lead.lin")
        ending, incoming = handover_windows(s, END_OF_MORNING)
        view = open_draft(s, END_OF_MORNING, lin, ending, incoming)
        submit(s, END_OF_MORNING, view.id, view.content.with_text("next", "第一行\n第二行"), view.version, lin)
    db.dispose()
    app = make_app(path, "lead.wang", tpe(2024, 1, 15, 15, 2))
    async with app.run_test(size=(130, 36)) as pilot:
        await until(pilot, lambda: screen_name(app) == "HandoverDocScreen")
        doc = app.screen

        def shown() -> bool:  # the Markdown laid out, "preparing" gone
            return doc.is_mounted and not doc.query_one("#doc-status").display \
                and doc.query_one("#handover-markdown").display

        await until(pilot, shown)
        await pilot.pause()
        assert "尚未接班確認" in screen_text(app)
        await pilot.press("ctrl+k")
        await until(pilot, lambda: screen_name(app) == "LineDialog")
        await pilot.press(*"收到", "enter")
        await until(pilot, lambda: screen_name(app) == "HandoverDocScreen")
        # "確認接班中" shows in place until the write is back (too quick here to catch every time).
        seen_stale = []

        def done() -> bool:
            text = screen_text(app)
            if doc.view.status == "acknowledged" and "尚未接班確認" in text:
                seen_stale.append(text)
            return doc.view.status == "acknowledged" and shown()

        await until(pilot, done, step=0.005)
        await pilot.pause()
        assert seen_stale == []
        text = screen_text(app)
        assert "已由 王組長" in text and "確認接班" in text
        assert "時間以" not in text and text.count("Asia/Taipei") == 1  # the zone: once, in the header
        doc.query_one("#handover-doc").scroll_end(animate=False)
        await pilot.pause()
        text = screen_text(app)
        assert "第一行" in text and "第二行" in text
        lines = text.splitlines()
        assert any(line.strip().startswith("第一行") and "第二行" not in line for line in lines)  # two lines
