"""The panel's widgets on their own: a table synced by key keeps its rows, the chart's bars."""

from __future__ import annotations

from textual.app import App, ComposeResult

from widgets.hour_chart import HourChart, HourSeries, bar
from widgets.kpi_tiles import KpiTiles, TileView
from widgets.synced_table import SyncedTable


class Harness(App[None]):
    def compose(self) -> ComposeResult:
        yield SyncedTable([("a", "A"), ("b", "B")], id="t")
        yield KpiTiles([TileView("x", "X", "1")], id="tiles")
        yield HourChart(id="chart")


def rows(table: SyncedTable) -> list[tuple[str, list[str]]]:
    return [(table.coordinate_to_cell_key((i, 0))[0].value, [str(c) for c in table.get_row_at(i)])
            for i in range(table.row_count)]


async def test_sync_updates_by_key_and_keeps_order():
    app = Harness()
    async with app.run_test() as pilot:
        table = app.query_one(SyncedTable)
        table.sync([("k1", ("1", "one")), ("k2", ("2", "two")), ("k3", ("3", "three"))])
        await pilot.pause()
        table.move_cursor(row=1)
        updates: list[tuple] = []
        original = table.update_cell
        table.update_cell = lambda *a, **k: (updates.append(a), original(*a, **k))[1]
        table.sync([("k1", ("1", "one")), ("k2", ("2", "TWO")), ("k3", ("3", "three"))])
        assert updates == [("k2", "b", "TWO")]  # one changed cell, nothing refilled
        assert table.cursor_key() == "k2"
        table.sync([("k4", ("4", "four")), ("k2", ("2", "TWO")), ("k1", ("1", "one"))])
        await pilot.pause()
        assert rows(table) == [("k4", ["4", "four"]), ("k2", ["2", "TWO"]), ("k1", ["1", "one"])]
        assert table.keys == ["k4", "k2", "k1"]


async def test_tiles_and_chart_take_plain_values():
    app = Harness()
    async with app.run_test(size=(100, 40)) as pilot:
        tiles = app.query_one(KpiTiles)
        tiles.show([TileView("x", "X", "92.0%", "excellent", "excellent"), TileView("y", "Y", "3")])
        await pilot.pause()
        assert tiles.value_of("x") == "92.0%" and tiles.value_of("y") == "3"
        assert app.query_one("#tile-x").has_class("-excellent")
        chart = app.query_one(HourChart)
        chart.show(HourSeries(tuple(range(24)), tuple(float(h) / 2 for h in range(24)), current=10))
        await pilot.pause()
        lines = chart.render().plain.splitlines()
        assert len(lines) == 24 and lines[10].startswith("10 ") and lines[10].rstrip().endswith("5.0")


def test_bar_eighths():
    assert bar(0, 10, 8) == ""
    assert bar(10, 10, 8) == "█" * 8
    assert bar(5, 10, 8) == "█" * 4
    assert bar(1, 8, 1) == "▏"
    assert bar(50, 10, 4) == "████"  # never past its width
