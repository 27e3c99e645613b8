"""How the queue table turns a row into a screen line: columns, fitted cells, cached runs.

A row's line is its static cells (drawn once per row, width and look, then cached as styled
segment runs) with its live cells (countdowns, ages) drawn fresh in between. Everything here
works on plain values: no widget, no query.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.strip import Strip

from widgets.countdown import Palette

__all__ = ["ELLIPSIS", "CellRenderer", "Column", "RowPainter", "choose_columns", "fit"]

ELLIPSIS = "…"


@dataclass(frozen=True, slots=True)
class Column:
    """One column: its header, its width in cells (the minimum, for a flexible one).

    A line too narrow for every column drops whole columns, highest `rank` first, rather than
    squeezing any of them: a flexible column keeps at least `width` cells and `share` of the
    line, and a fixed one is either shown at its width or not at all.
    """

    key: str
    header: str
    width: int
    flex: bool = False  # shares the width left over by the fixed columns
    live: bool = False  # depends on the time: redrawn on every tick
    align: str = "left"  # left | right
    rank: int = 0  # 0: always shown; else columns with a lower rank are kept first
    share: float = 0.0  # a flexible column's least share of the line (0..1)


CellRenderer = Callable[[Any, Column, datetime, Palette], Text]


class _Console:
    """Just enough of a Console for Text.render: styles are Style objects already."""

    def get_style(self, name: object, *, default: object = None) -> Style:
        return name if isinstance(name, Style) else Style.parse(str(name) or "none")


_CONSOLE: Any = _Console()


def fit(text: Text, width: int, align: str = "left") -> list[Segment]:
    """A cell's text cut (with an ellipsis) or padded to exactly `width` cells, as segments."""
    if width <= 0:
        return []
    style = text.style if isinstance(text.style, Style) else Style.parse(text.style or "none")
    if not text.spans:
        plain = text.plain
        if cell_len(plain) > width:
            plain = set_cell_size(plain, width - 1) + ELLIPSIS if width > 1 else ELLIPSIS
        pad = width - cell_len(plain)
        plain = plain + " " * pad if align == "left" else " " * pad + plain
        return [Segment(plain, style)]
    fitted = text.copy()
    fitted.truncate(width, overflow="ellipsis", pad=True)
    if align == "right":
        fitted.align("right", width)
    return list(fitted.render(_CONSOLE, end=""))


def _used(widths: Sequence[int]) -> int:
    """Cells taken by the shown columns of a line: a space before each, one at the start."""
    return 1 + sum(w + 1 for w in widths if w)


def signature(texts: Sequence[Text]) -> tuple:
    """What a list of cell texts looks like, to tell whether a line must be drawn again."""
    return tuple((t.plain, t.style, tuple(t.spans) if t.spans else ()) for t in texts)


def _least(column: Column, width: int) -> int:
    """The cells a column needs on a line `width` wide, with the space before it."""
    return 1 + (max(column.width, int(width * column.share)) if column.flex else column.width)


def choose_columns(columns: Sequence[Column], width: int) -> frozenset[str]:
    """The keys of the columns a line `width` cells wide shows: rank 0, then by rank while they fit."""
    shown = {c.key for c in columns if c.rank == 0}
    used = 1 + sum(_least(c, width) for c in columns if c.rank == 0)
    for column in sorted((c for c in columns if c.rank), key=lambda c: c.rank):
        need = _least(column, width)
        if used + need <= width:
            shown.add(column.key)
            used += need
    return frozenset(shown)


class RowPainter:
    """Draws rows, the header and messages as Strips, caching all that does not change with time."""

    def __init__(self, columns: Sequence[Column], render_cell: CellRenderer, key: Callable[[Any], object]) -> None:
        self.columns = tuple(columns)
        self.live = tuple(c for c in self.columns if c.live)
        self._render_cell = render_cell
        self._key = key
        self._widths: tuple[int, tuple[int, ...]] = (-1, ())
        self._runs: LRUCache[object, tuple[Any, tuple, list[list[Segment]]]] = LRUCache(4096)
        self._lines: LRUCache[tuple, tuple[Any, object, Strip]] = LRUCache(1024)

    def forget(self, *, lines_only: bool = False) -> None:
        """Drop cached drawings (all of them after a style change, the lines after a reset)."""
        self._lines.clear()
        if not lines_only:
            self._runs.clear()

    def layout(self, width: int) -> tuple[int, ...]:
        """Column widths for a line `width` cells wide (0: the column is dropped at this width).

        Columns of rank 0 always show; the others join in rank order while they fit beside the
        flexible columns' least widths, and the flexible columns share what is left.
        """
        if self._widths[0] == width:
            return self._widths[1]
        shown = choose_columns(self.columns, width)
        cols = [c for c in self.columns if c.key in shown]
        fixed = sum(c.width for c in cols if not c.flex) + len(cols) + 1  # a space before each column
        flex = [c for c in cols if c.flex]
        spare = max(0, width - fixed - sum(c.width for c in flex))
        widths = tuple(0 if c.key not in shown else c.width + spare // len(flex) if c.flex else c.width
                       for c in self.columns)
        self._widths = (width, widths)
        return widths

    def live_texts(self, row: Any, now: datetime, palette: Palette) -> list[Text]:
        return [self._render_cell(row, col, now, palette) for col in self.live]

    @staticmethod
    def strip(segments: list[Segment], width: int, under: Style, over: Style | None = None) -> Strip:
        """One Strip of exactly `width` cells with the line's styles applied in a single pass."""
        length = sum(cell_len(seg.text) for seg in segments)
        if length < width:
            segments.append(Segment(" " * (width - length)))
        styled = list(Segment.apply_style(segments, under, over))
        return Strip(styled, width) if length <= width else Strip(styled).crop(0, width)

    def header(self, width: int, style: Style, note: str = "") -> Strip:
        """The column titles; `note` (where the view is scrolled to) sits right in the flexible one."""
        key = ("header", width, style, note)
        hit = self._lines.get(key)
        if hit is not None:
            return hit[2]
        segments = [Segment(" ")]
        for col, w in zip(self.columns, self.layout(width), strict=True):
            if not w:
                continue
            title = col.header
            if note and col.flex and cell_len(title) + cell_len(note) + 2 <= w:
                title = title + " " * (w - cell_len(title) - cell_len(note) - 1) + note
            segments += fit(Text(title), w, col.align)
            segments.append(Segment(" "))
        strip = self.strip(segments, width, style)
        self._lines[key] = (None, None, strip)
        return strip

    def message(self, message: str, width: int, style: Style) -> Strip:
        return self.strip([Segment(" "), *fit(Text(message), max(0, width - 1))], width, style)

    def runs(self, row: Any, width: int, now: datetime, palette: Palette, under: Style,
             over: Style | None) -> list[list[Segment]]:
        """The row's styled segments between its live cells, drawn once per row, width and look."""
        key = (self._key(row), over is not None)
        look = (width, under, over)
        hit = self._runs.get(key)
        if hit is not None and hit[0] is row and hit[1] == look:
            return hit[2]
        widths = self.layout(width)
        runs: list[list[Segment]] = [[Segment(" ")]]
        for col, w in zip(self.columns, widths, strict=True):
            if col.live:
                runs.append([Segment(" ")] if w else [])  # a dropped live cell: nothing, no space
            elif w:
                runs[-1] += fit(self._render_cell(row, col, now, palette), w, col.align)
                runs[-1].append(Segment(" "))
        used = _used(widths)
        if used < width:
            runs[-1].append(Segment(" " * (width - used)))
        styled = [list(Segment.apply_style(run, under, over)) for run in runs]
        self._runs[key] = (row, look, styled)
        return styled

    def line(self, row: Any, live: list[Text], width: int, now: datetime, palette: Palette, under: Style,
             over: Style | None) -> Strip:
        """A row's line: cached unless the row, the look or what its live cells read changed."""
        seen = signature(live)
        key = (self._key(row), width, under, over)
        hit = self._lines.get(key)
        if hit is not None and hit[0] is row and hit[1] == seen:
            return hit[2]
        runs = self.runs(row, width, now, palette, under, over)
        widths = self.layout(width)
        segments = list(runs[0])
        live_widths = [(col, w) for col, w in zip(self.columns, widths, strict=True) if col.live]
        for (column, w), text, run in zip(live_widths, live, runs[1:], strict=True):
            segments.extend(Segment.apply_style(fit(text, w, column.align), under, over))
            segments += run
        used = _used(widths)
        strip = Strip(segments, width) if used <= width else Strip(segments).crop(0, width)
        self._lines[key] = (row, seen, strip)
        return strip
