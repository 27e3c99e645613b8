"""A DataTable that a live view updates by row key: changed cells only, no clear-and-refill.

`sync(rows)` takes the whole wanted content as (key, cells) in order. Rows that stay keep
their cursor and scroll position; only cells whose value changed are updated (each update
drops one line's cache); new rows are added, gone rows removed, and the order restored with
one sort when it moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist

__all__ = ["SyncedTable"]


class SyncedTable(DataTable):
    DEFAULT_CSS = """
    SyncedTable {
        height: auto;
        max-height: 100%;
    }
    """

    def __init__(self, columns: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self._wanted_columns = list(columns)
        self._cells: dict[str, tuple] = {}
        self._order: list[str] = []

    def on_mount(self) -> None:
        for key, label in self._wanted_columns:
            self.add_column(label, key=key)

    def sync(self, rows: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Make the table show exactly `rows` (key, cells), in that order."""
        wanted = {key: tuple(cells) for key, cells in rows}
        order = [key for key, _ in rows]
        columns = [c.key for c in self.ordered_columns]
        for key in [k for k in self._order if k not in wanted]:
            self.remove_row(key)
            self._cells.pop(key, None)
        for key in order:
            cells = wanted[key]
            old = self._cells.get(key)
            if old is None:
                self.add_row(*cells, key=key)
            elif old != cells:
                for column, (before, after) in zip(columns, zip(old, cells, strict=True), strict=False):
                    if before != after:
                        try:
                            self.update_cell(key, column, after)
                        except CellDoesNotExist:
                            pass
            self._cells[key] = cells
        kept = [k for k in self._order if k in wanted]
        now = kept + [k for k in order if k not in kept]
        if now != order:
            self._reorder(order)
        self._order = order

    def _reorder(self, order: list[str]) -> None:
        """Put the rows in `order` with the public `DataTable.sort`.

        `sort` hands its key function a row's cell values, not its key; the table holds the very
        objects `sync` gave it, so their identities name the row. Two rows whose cells are the
        same objects look the same, and their order between them does not show.
        """
        rank = {tuple(map(id, self._cells[key])): index for index, key in enumerate(order)}
        self.sort(key=lambda values: rank.get(tuple(map(id, values)), len(rank)))

    @property
    def keys(self) -> list[str]:
        return list(self._order)

    def cursor_key(self) -> str | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key((self.cursor_row, 0))
        return row_key.value
