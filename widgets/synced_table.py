"""A DataTable that a live view updates by row key: changed cells only, no clear-and-refill.

`sync(rows)` takes the whole wanted content as (key, cells) in order. Rows that stay keep
their cursor and scroll position; only cells whose value changed are updated (each update
drops one line's cache); new rows are added, gone rows removed, and the order restored with
one sort when it moved.

A table narrower than its columns drops whole columns (those named in `drop`, in that order)
rather than cutting the last ones off, and brings them back when it grows: every value still
shown is whole, and no header is cut to a stub. A `fill` column (free text such as a subject)
is instead cut to the width the others leave it, so it never runs past the table's edge.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey

__all__ = ["SyncedTable"]


class SyncedTable(DataTable):
    DEFAULT_CSS = """
    SyncedTable {
        height: auto;
        max-height: 100%;
    }
    """

    def __init__(self, columns: Sequence[tuple[str, str]] = (), *, drop: Sequence[str] = (),
                 fill: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("cursor_type", "row")
        kwargs.setdefault("zebra_stripes", True)
        super().__init__(**kwargs)
        self._wanted_columns = list(columns)
        self._drop = tuple(drop)  # column keys, the first to go first when the table is too narrow
        self._fill = fill  # a column of free text that is cut to the width left, rather than overflow
        self._shown = [key for key, _ in self._wanted_columns]
        self._fill_width: int | None = None  # its width when cut (None: as wide as its text)
        self._cells: dict[str, tuple] = {}
        self._order: list[str] = []

    def on_mount(self) -> None:
        for key, label in self._wanted_columns:
            self.add_column(label, key=key)

    @property
    def shown_columns(self) -> list[str]:
        """The keys of the columns on screen now, in order."""
        return list(self._shown)

    def _visible(self, cells: tuple) -> tuple:
        """A row's cells for the columns on screen."""
        if len(self._shown) == len(self._wanted_columns):
            return cells
        return tuple(cell for (key, _), cell in zip(self._wanted_columns, cells, strict=False) if key in self._shown)

    def sync(self, rows: Sequence[tuple[str, Sequence[Any]]]) -> None:
        """Make the table show exactly `rows` (key, cells), in that order."""
        wanted = {key: tuple(cells) for key, cells in rows}
        order = [key for key, _ in rows]
        for key in [k for k in self._order if k not in wanted]:
            self.remove_row(key)
            self._cells.pop(key, None)
        for key in order:
            cells = wanted[key]
            old = self._cells.get(key)
            if old is None:
                self.add_row(*self._visible(cells), key=key)
            elif old != cells:
                self._update_row(key, old, cells)
            self._cells[key] = cells
        kept = [k for k in self._order if k in wanted]
        now = kept + [k for k in order if k not in kept]
        if now != order:
            self._reorder(order)
        self._order = order
        self._fit()
        self._pin_widths()

    def _pin_widths(self) -> None:
        """Give each column the width of its widest value now. DataTable works out automatic widths
        later, on an idle pass, so a picture taken (or a frame drawn) before that pass showed the
        columns only as wide as their headers."""
        changed = False
        for index, (key, label) in enumerate(self._wanted_columns):
            column = self.columns.get(ColumnKey(key))
            if column is None or key not in self._shown or (key == self._fill and self._fill_width is not None):
                continue
            width = self._natural_width(index, label) - 2 * self.cell_padding
            if column.auto_width or column.width != width:
                column.auto_width, column.width = False, width
                changed = True
        if changed:
            self.refresh(layout=True)

    def _update_row(self, key: str, old: tuple, cells: tuple) -> None:
        for (column, _), before, after in zip(self._wanted_columns, old, cells, strict=False):
            if before != after and column in self._shown:
                try:
                    self.update_cell(key, column, after)  # widths: _pin_widths, once per sync
                except CellDoesNotExist:
                    pass  # the row went in a rebuild of this same sync: it was added with its new cells

    # -- fitting the width -------------------------------------------------------------------------

    def on_resize(self, event: events.Resize) -> None:
        self._fit()

    def _natural_width(self, index: int, label: str) -> int:
        """A column's width with every value whole: its widest cell or its header, and padding."""
        cells = (cell_len(c.plain) if isinstance(c, Text) else cell_len(str(c)) for c in
                 (row[index] for row in self._cells.values() if index < len(row)))
        return max([cell_len(label), *cells]) + 2 * self.cell_padding

    def _fit(self) -> None:
        """Show the columns that fit the table's width whole, dropping them in `drop` order."""
        width = self.scrollable_content_region.width
        if not (self._drop or self._fill) or not width or not self.is_mounted:
            return
        widths = {key: self._natural_width(i, label) for i, (key, label) in enumerate(self._wanted_columns)}
        shown = [key for key, _ in self._wanted_columns]
        for key in self._drop:
            if sum(widths[k] for k in shown) <= width:
                break
            shown.remove(key)
        fill_width = None
        if self._fill in shown and sum(widths[k] for k in shown) > width:
            label = dict(self._wanted_columns)[self._fill]
            rest = sum(widths[k] for k in shown if k != self._fill)
            fill_width = max(cell_len(label), width - rest - 2 * self.cell_padding)
        if (shown, fill_width) != (self._shown, self._fill_width):
            self._rebuild(shown, fill_width)

    def _rebuild(self, shown: list[str], fill_width: int | None) -> None:
        """Lay the table out again with other columns; the row under the cursor stays under it."""
        cursor = self.cursor_key()
        self._shown, self._fill_width = shown, fill_width
        self.clear(columns=True)
        for key, label in self._wanted_columns:
            if key in shown:
                self.add_column(label, key=key, width=fill_width if key == self._fill else None)
        for key in self._order:
            self.add_row(*self._visible(self._cells[key]), key=key)
        if cursor is not None and cursor in self._order:
            self.move_cursor(row=self._order.index(cursor), animate=False)

    def _reorder(self, order: list[str]) -> None:
        """Put the rows in `order` with the public `DataTable.sort`.

        `sort` hands its key function a row's cell values, not its key; the table holds the very
        objects `sync` gave it, so their identities name the row. Two rows whose cells are the
        same objects look the same, and their order between them does not show.
        """
        rank = {tuple(map(id, self._visible(self._cells[key]))): index for index, key in enumerate(order)}
        self.sort(key=lambda values: rank.get(tuple(map(id, values)), len(rank)))

    @property
    def keys(self) -> list[str]:
        return list(self._order)

    def cursor_key(self) -> str | None:
        if not self._order or self.cursor_row < 0 or self.cursor_row >= self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key((self.cursor_row, 0))
        return row_key.value
