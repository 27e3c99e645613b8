"""Customer text is data: hostile subjects, names and bodies through the table, the detail pane,
notifications and the command palette. Nothing is read as markup, nothing reaches the
terminal as a control sequence, and the app keeps running."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.pilot import screen_segments

from console.textual_adapter import notifications
from store.models import Agent, Customer

SIZE = (160, 45)
HOSTILE = {
    "markup": "[bold]x[/]",
    "click": "[@click=app.quit]x[/]",
    "csi": "\x1b[31mred\x1b[0m \x1b[2J",
    "osc52": "\x1b]52;c;ZXZpbA==\x07 clipboard",
    "osc8": "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "title": "\x1b]0;pwned\x07 title",
    "c1": "\x9b31m \x9d0;x\x9c c1",
    "bidi": "invoice \u202etxt.exe\u202c bidi",
    "lines": "\n".join(f"line {i}" for i in range(5000)),
    "huge": "y" * 100_000,
}
EVIL_NAME = "[@click=app.quit]Mallory\x1b[2J\u202e"
EVIL_AGENT = "[red]Eve[/]\x1b]0;t\x07"
CONTROL = {chr(c) for c in range(0x20)} - {"\n"} | {chr(c) for c in range(0x7F, 0xA0)} | {
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


@pytest.fixture
def hostile(seed_small):
    from store.tickets.actions import add_note, create_ticket

    seed = seed_small
    at = seed.clock.now() - timedelta(minutes=1)
    with seed.db.write() as session:
        session.add(Customer(name=EVIL_NAME, tier="gold", contact="\x1b]8;;x\x07@evil", created_at=at))
        session.add(Agent(name="eve", role="agent", display_name=EVIL_AGENT, created_at=at))
    with seed.db.read() as session:
        from sqlmodel import select

        evil = session.exec(select(Customer).where(Customer.name == EVIL_NAME)).one().id
        seed.agents["eve"] = session.exec(select(Agent).where(Agent.name == "eve")).one().id
    for key, subject in HOSTILE.items():
        ticket = seed.act(create_ticket, at=at, subject=subject, customer_id=evil, priority="urgent",
                          body=subject + "\n" + HOSTILE["osc52"])
        seed.tickets[f"hostile_{key}"] = ticket.id
        seed.act(add_note, ticket.id, seed.agents["amy"], HOSTILE["csi"] + HOSTILE["click"], at=at)
    return seed


def assert_inert(app) -> str:
    text, styles = screen_segments(app)
    assert not CONTROL & set(text), sorted(repr(c) for c in CONTROL & set(text))
    for style in styles:
        assert "app.quit" not in str(style.meta or ""), style.meta
        assert not style.link, style.link
    assert app.is_running
    return text


def test_the_one_sanitiser_cleans_what_enters_the_views(hostile):
    import console.sanitize as clean
    from store.db.reader import SqliteReader
    from store.tickets import queue

    reader = SqliteReader(hostile.path)
    ids = [v for k, v in hostile.tickets.items() if k.startswith("hostile_")]
    with reader.read() as conn:
        rows = queue.ticket_rows(ids, conn=conn, clean=clean)
        details = [queue.ticket_detail(i, conn=conn, clean=clean) for i in ids]
    reader.close()
    for row in rows:
        assert "\n" not in row.subject and len(row.subject) <= clean.MAX_LINE
        assert not CONTROL & set(row.subject + row.customer_name)
        assert "⟨RLO⟩" in row.customer_name
    by_subject = {r.id: r.subject for r in rows}
    assert by_subject[hostile.tickets["hostile_markup"]] == "[bold]x[/]"
    assert by_subject[hostile.tickets["hostile_click"]] == "[@click=app.quit]x[/]"
    assert by_subject[hostile.tickets["hostile_osc52"]].startswith("␛]52;c;ZXZpbA==␇")
    assert by_subject[hostile.tickets["hostile_c1"]].startswith("⟨U+009B⟩31m")
    for detail in details:
        for event in detail.events:
            assert not CONTROL & set(event.body)
            assert len(event.body) <= clean.MAX_TEXT


async def test_hostile_text_in_the_table_and_detail_pane(queue_app, queue_ui, hostile):
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        table = app.screen.table
        for key in HOSTILE:
            tid = hostile.tickets[f"hostile_{key}"]
            while table.cursor_key != tid:
                await pilot.press("j" if table.index_of(tid) > table.cursor_index else "k")
            await queue_ui.settle(pilot)
            assert app.screen.detail.shown == tid
            text = assert_inert(app)
            row = queue_ui.row_text(app, tid)
            if key == "markup":
                assert "[bold]x[/]" in row and "[bold]x[/]" in text.split("Thread")[1]
            if key == "click":
                assert "[@click=app.quit]x[/]" in row
                # Clicking right on the text does nothing but move the cursor.
                line = table.index_of(tid) - int(table.scroll_y) + 1
                await pilot.click("#queue-detail", offset=(8, 0))
                await pilot.click("#queue-table", offset=(30, line))
                assert table.has_focus and table.cursor_key == tid
            if key == "osc52":
                assert "␛]52;c;ZXZpbA==␇" in row
            if key == "lines":
                assert "line 0 line 1 line 2" in row  # one line in the table
                thread = app.screen.detail.plain
                assert "line 4999" not in thread  # the body is cut, with a note saying so
                assert "more lines not shown" in thread
            if key == "bidi":
                assert "⟨RLO⟩" in row
        assert "[@click=app.quit]Mallory␛[2J⟨RLO⟩" in queue_ui.screen_text(app)
        assert app.is_running


async def test_hostile_names_in_notifications(queue_app, queue_ui, hostile):
    from store.tickets.actions import claim

    tid = hostile.tickets["hostile_markup"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        while app.screen.table.cursor_key != tid:
            await pilot.press("j")
        hostile.act(claim, tid, hostile.agents["eve"])
        await pilot.press("c")
        await queue_ui.settle(pilot)
        messages = [n.message for n in notifications(app)]
        assert any("[red]Eve[/]␛]0;t␇" in m for m in messages), messages
        assert all(not n.markup for n in notifications(app))
        await pilot.pause(0.2)
        text = assert_inert(app)
        assert "[red]Eve[/]␛]0;t␇" in text  # the toast shows the name literally


async def test_hostile_subjects_in_the_command_palette(queue_app, queue_ui, hostile):
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await pilot.press("ctrl+p", *"click=app")
        await pilot.pause(0.6)
        text = assert_inert(app)
        assert "[@click=app.quit]x[/]" in text
        await pilot.press("enter")
        await queue_ui.settle(pilot)
        assert app.is_running
        assert app.screen.table.cursor_key == hostile.tickets["hostile_click"]
        await pilot.press("ctrl+p", *"bold")
        await pilot.pause(0.6)
        assert "[bold]x[/]" in assert_inert(app)
        await pilot.press("escape")
        assert app.is_running


async def test_hostile_filter_text(queue_app, queue_ui, hostile):
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await pilot.press("slash", *"[@click=app.quit]x")
        await pilot.pause(0.4)
        await queue_ui.settle(pilot)
        assert [r.id for r in app.screen.table.held_rows()] == [hostile.tickets["hostile_click"]]
        assert "[@click=app.quit]" in assert_inert(app)
