"""Each screen at 80x24 (and the queue at 100x30) reads whole: no value printed on end, no
column squeezed to a stub or cut at the right edge, no header cut, "esc Back" in the footer.

The column choice is worked out by hand from the widths in console/screens/queue/view.py: a
space before every column and one at the start of the line; the subject keeps max(24, 30%).
"""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from support import pilot as harness
from support.screens import AGENT, SCREENS
from textual.app import App, ComposeResult

from console.i18n import set_language, t
from console.screens.queue.view import columns, label
from widgets.queue_rows import Column, RowPainter, choose_columns
from widgets.synced_table import SyncedTable

SMALL = (80, 24)


def _shown(width: int) -> dict[str, int]:
    painter = RowPainter(columns(), lambda *a: None, lambda row: row)
    return {c.key: w for c, w in zip(painter.columns, painter.layout(width), strict=True) if w}


def test_queue_columns_drop_whole_by_rank_and_the_subject_keeps_the_room():
    set_language("en")
    # priority 7, sla 7, id 7, status 7 ("on hold"): 1 + 4 * 8 = 33 cells before the subject.
    # 80: subject 24 (+1) = 58, assignee +11 = 69, customer +17 would be 86, age +7 = 76;
    # channel +8 = 84 and category +13 do not fit: the subject gets 24 + (80 - 76) = 28.
    assert _shown(80) == {"priority": 7, "sla": 7, "id": 7, "subject": 28, "assignee": 10, "status": 7, "age": 6}
    # 100: subject at least 30: 33 + 31 = 64, assignee 75, customer 92, age 99; channel no; 30 + 1.
    assert _shown(100) == {"priority": 7, "sla": 7, "id": 7, "subject": 31, "customer": 16, "assignee": 10,
                           "status": 7, "age": 6}
    # 160: every column; the fixed ones take 7 + 7 + 7 + 16 + 7 + 12 + 10 + 7 + 6 = 79 and the
    # line 11 spaces, so the subject has 160 - 79 - 11 = 70.
    wide = _shown(160)
    assert set(wide) == {c.key for c in columns()}
    assert wide["subject"] == 70


def test_a_column_never_shows_squeezed():
    cols = (Column("a", "A", 5), Column("s", "S", 10, flex=True, share=0.5), Column("b", "B", 8, rank=1),
            Column("c", "C", 3, rank=2))
    # 30 cells: 1 + 6 + max(10, 15) + 1 = 23; b needs 9 (32 > 30): dropped; c needs 4: 27.
    assert choose_columns(cols, 30) == frozenset({"a", "s", "c"})
    # 40: 1 + 6 + 21 = 28; b 37; c 41 > 40: dropped.
    assert choose_columns(cols, 40) == frozenset({"a", "s", "b"})
    assert choose_columns(cols, 10) == frozenset({"a", "s"})  # rank 0 always shows


class _Tables(App[None]):
    def compose(self) -> ComposeResult:
        yield SyncedTable([("name", "Name"), ("x", "Xxxxxxxx"), ("y", "Yyyyyyyy"), ("z", "Zzzzzzzz")],
                          id="t", drop=("y", "x"))


async def test_a_table_too_narrow_drops_columns_in_order_and_brings_them_back():
    app = _Tables()
    async with app.run_test(size=(40, 10)) as pilot:
        table = app.query_one(SyncedTable)
        table.sync([("r1", ("first", "1", "2", "3")), ("r2", ("second", "4", "5", "6"))])
        table.move_cursor(row=1)
        await pilot.pause()
        # Each column: widest of header and cells, plus 2 of padding: 8 + 10 * 3 = 38 <= 40.
        assert table.shown_columns == ["name", "x", "y", "z"]
        await pilot.resize_terminal(30, 10)
        await pilot.pause()
        # 38 > 30: y goes (28).
        assert table.shown_columns == ["name", "x", "z"]
        assert [c.plain if hasattr(c, "plain") else c for c in table.get_row("r2")] == ["second", "4", "6"]
        assert table.cursor_key() == "r2"
        table.sync([("r1", ("first", "1", "2", "33")), ("r2", ("second", "4", "5", "6"))])
        await pilot.pause()
        assert table.get_row("r1")[2] == "33"
        await pilot.resize_terminal(20, 10)
        await pilot.pause()
        assert table.shown_columns == ["name", "z"]  # 8 + 10 = 18
        await pilot.resize_terminal(60, 10)
        await pilot.pause()
        assert table.shown_columns == ["name", "x", "y", "z"]
        assert table.get_row("r1")[3] == "33"


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
@pytest.mark.parametrize("size", [SMALL, (100, 30)], ids=["80x24", "100x30"])
async def test_queue_rows_show_status_and_assignee_whole(queue_app, seed_small, lang, size):
    app = queue_app("amy", lang)
    async with app.run_test(size=size) as pilot:
        await SCREENS["queue"](pilot, seed_small)
        table = app.screen.table
        header = table.render_line(0).text
        for key in ("queue.col.status", "queue.col.assignee", "queue.col.age", "queue.col.subject"):
            assert t(key) in header, key
        assert (t("queue.col.customer") in header) == (size[0] >= 100)
        for row in table.held_rows():
            line = harness.row_text(app, row.id)
            assert cell_len(line) == size[0]
            assert f" {label('status', row.status)} " in line, line
            assert f"#{row.id}" in line
        footer = harness.screen_text(app).splitlines()[-1]
        assert "^p" in footer


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
async def test_panel_tiles_show_title_and_value_on_one_line_at_80x24(queue_app, seed_small, lang):
    app = queue_app("chief", lang)
    async with app.run_test(size=SMALL) as pilot:
        await SCREENS["panel"](pilot, seed_small)
        screen = app.screen
        tiles = list(screen.query("KpiTile"))
        assert len(tiles) == 8
        for tile in tiles:
            tile.scroll_visible(animate=False)
            await pilot.pause()
            text = harness.screen_text(app)
            assert tile.view.title in text, tile.view.title
            assert any(tile.view.value in line for line in text.splitlines()), tile.view.value
            assert tile.size.width >= cell_len(tile.view.title) + 4  # border, corners and spaces
        assert len({tile.region.x for tile in tiles}) == 2  # two to a row


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
async def test_panel_tables_fit_with_headers_whole_at_80x24(queue_app, seed_small, lang):
    app = queue_app("chief", lang)
    async with app.run_test(size=SMALL) as pilot:
        await SCREENS["panel"](pilot, seed_small)
        screen = app.screen
        tabs = screen.query_one("#breakdowns Tabs")
        for tab in ("agent", "channel", "priority", "category"):
            if tab != "agent":
                tabs.focus()
                await pilot.press("right")
                await harness.until(pilot, lambda tab=tab: screen.query_one("#breakdowns").active == f"tab-{tab}")
                await harness.until(pilot, lambda: all(worker.is_finished for worker in app.workers))
                await pilot.pause(0.1)
            table = screen.query_one(f"#by-{tab}", SyncedTable)
            table.scroll_visible(animate=False)
            await pilot.pause()
            assert table.virtual_size.width <= table.scrollable_content_region.width, (tab, table.shown_columns)
            assert table.shown_columns[0] == ("agent" if tab == "agent" else "group")
            labels = [str(column.label) for column in table.columns.values()]
            lines = harness.screen_text(app).splitlines()
            assert any(all(label in line for label in labels) for line in lines), labels  # no header cut
        for name in ("attainment", "breached", "at-risk", "open"):
            table = screen.query_one(f"#{name}")
            assert table.virtual_size.width <= table.region.width, name


@pytest.mark.parametrize("screen", ["composer", "handover", "handover_doc", "handover_history", "panel"])
async def test_footer_keeps_esc_back_at_80_columns(queue_app, seed_small, screen):
    app = queue_app(AGENT[screen], "en")
    async with app.run_test(size=SMALL) as pilot:
        await SCREENS[screen](pilot, seed_small)
        footer = harness.screen_text(app).splitlines()[-1]
        assert "esc Back" in footer, footer  # first, or after the focused list's own keys


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
async def test_handover_lists_show_each_fact_whole_at_80x24(queue_app, seed_small, lang):
    from console.handover_export import item_facts
    from console.sanitize import clean_line

    app = queue_app("lead.lin", lang)
    async with app.run_test(size=SMALL) as pilot:
        await SCREENS["handover"](pilot, seed_small)
        screen = app.screen
        table = screen.query_one("#items-pending")
        assert [str(c.label) for c in table.columns.values()] == [
            t(f"handover.col.{k}") for k in ("ticket", "subject", "note", "state")]
        text = harness.screen_text(app)
        items = screen.content.pending
        assert items
        shown = [i for i in items if f"#{i.ticket_id} " in text]
        assert shown
        for item in shown:
            for fact in item_facts(item, "pending", clean_line):
                assert fact in text, fact


class _Subjects(App[None]):
    def compose(self) -> ComposeResult:
        yield SyncedTable([("id", "#"), ("subject", "Subject")], id="t", fill="subject")


async def test_a_fill_column_is_cut_to_the_width_left_and_widens_again():
    app = _Subjects()
    async with app.run_test(size=(30, 6)) as pilot:
        table = app.query_one(SyncedTable)
        table.sync([("a", ("#1", "x" * 40))])
        await pilot.pause()
        # "#1" column: 2 + 2 padding = 4; the subject gets 30 - 4 - 2 padding = 24 cells.
        assert table.columns[next(k for k in table.columns if k.value == "subject")].width == 24
        assert table.virtual_size.width <= 30
        await pilot.resize_terminal(60, 6)
        await pilot.pause()
        assert table.virtual_size.width == 4 + 42  # whole again
