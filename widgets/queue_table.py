"""A virtual table for very long, live lists: rows live in windows, only visible lines are drawn.

The table knows how many rows there are and holds the few windows it has been given; when the
visible part needs rows it does not hold it posts `WindowNeeded`, and whoever owns the data
answers with `fill()`. Columns marked `live` depend on the time and are redrawn by
`refresh_live()` (a 1 Hz tick) from the row and "now"; everything else is drawn once per row
and cached. Rows are opaque objects with a key (their `id` by default).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.widget import Widget

from widgets.countdown import Palette
from widgets.queue_rows import ELLIPSIS, CellRenderer, Column, RowPainter, signature

__all__ = ["CellRenderer", "Column", "QueueTable"]


class QueueTable(ScrollView, can_focus=True):
    """Rows from a very long, sorted, changing list, drawn with the Line API."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="queue_table.down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="queue_table.up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="queue_table.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="queue_table.page_up"),
        Binding("home", "first", "First", show=False, id="queue_table.first"),
        Binding("end", "last", "Last", show=False, id="queue_table.last"),
        Binding("enter", "activate", "Open", show=False, id="queue_table.activate"),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "queue-table--header",
        "queue-table--cursor",
        "queue-table--placeholder",
        "queue-table--error",
        "queue-table--warning",
        "queue-table--success",
        "queue-table--muted",
        "queue-table--accent",
    }
    DEFAULT_CSS = """
    QueueTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        overflow-x: hidden;
        overflow-y: scroll;
        /* No scrollbar widget (repainting it on every page costs a quarter of the frame): the
           header says which rows show, and the wheel, the keys and the mouse still scroll. */
        scrollbar-size-vertical: 0;
        & > .queue-table--header { text-style: bold; background: $panel; color: $foreground; }
        & > .queue-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .queue-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        & > .queue-table--placeholder { color: $text-disabled; }
        & > .queue-table--error { color: $text-error; text-style: bold; }
        & > .queue-table--warning { color: $text-warning; }
        & > .queue-table--success { color: $text-success; }
        & > .queue-table--muted { color: $text-muted; }
        & > .queue-table--accent { color: $text-accent; }
    }
    """

    BLOCK = 100  # rows per window asked for
    KEEP_BLOCKS = 12  # windows kept around the cursor before older ones are dropped

    class CursorMoved(Message):
        """The cursor is on another row, or its row's data arrived or changed."""

        def __init__(self, table: QueueTable, index: int, key: object | None, row: Any | None) -> None:
            super().__init__()
            self.table, self.index, self.key, self.row = table, index, key, row

        @property
        def control(self) -> QueueTable:
            return self.table

    class WindowNeeded(Message):
        """Rows start..start+count-1 are about to show and the table does not hold them."""

        def __init__(self, table: QueueTable, epoch: int, start: int, count: int) -> None:
            super().__init__()
            self.table, self.epoch, self.start, self.count = table, epoch, start, count

        @property
        def control(self) -> QueueTable:
            return self.table

    class Activated(Message):
        """Enter on a row."""

        def __init__(self, table: QueueTable, key: object, row: Any) -> None:
            super().__init__()
            self.table, self.key, self.row = table, key, row

        @property
        def control(self) -> QueueTable:
            return self.table

    def __init__(self, columns: Sequence[Column], render_cell: CellRenderer, *,
                 now: Callable[[], datetime] | None = None, key: Callable[[Any], object] | None = None,
                 name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._now = now or (lambda: datetime.now(UTC))
        self._key = key or (lambda row: row.id)
        self._painter = RowPainter(columns, render_cell, self._key)
        self._total = 0
        self._loaded = False
        self._rows: dict[int, Any] = {}
        self._index_of: dict[object, int] = {}
        self._cursor = 0
        self._last_reported: tuple[int, object | None, int] = (-1, None, 0)
        self._epoch = 0
        self._requested: set[int] = set()
        self._palette_cache: Palette | None = None
        self.empty_text = ""
        self.loading_text = ""
        self._failure: str | None = None  # why no rows came (shown instead of loading/empty)
        self._line_width = 0
        self._line_base = Style()
        self._prerender_timer: Timer | None = None
        self._drawn: LRUCache[int, tuple[Any, tuple]] = LRUCache(512)  # what each row index last showed

    # -- data in -------------------------------------------------------------------------------

    @property
    def epoch(self) -> int:
        """Bumped by every reset; windows asked for under an older epoch are ignored."""
        return self._epoch

    @property
    def total(self) -> int:
        return self._total

    @property
    def cursor_index(self) -> int:
        return self._cursor

    @property
    def cursor_row(self) -> Any | None:
        return self._rows.get(self._cursor)

    @property
    def cursor_key(self) -> object | None:
        row = self.cursor_row
        return None if row is None else self._key(row)

    @property
    def loaded(self) -> bool:
        """True once the first reset() arrived."""
        return self._loaded

    def fail(self, message: str) -> None:
        """The read behind the table failed: say so where "loading" (or "empty") would show."""
        self._failure = message
        self.refresh()

    def index_of(self, key: object) -> int | None:
        return self._index_of.get(key)

    def held_rows(self) -> list[Any]:
        """The rows the table holds now, in order (for search and tests)."""
        return [self._rows[i] for i in sorted(self._rows)]

    def reset(self, total: int, start: int, rows: Sequence[Any], *, cursor: int | None = None) -> None:
        """Start over with a new total and one window; the cursor keeps its line on screen."""
        old_line = self._cursor - int(self.scroll_y)
        self._epoch += 1
        self._loaded = True
        self._failure = None
        self._total = max(0, total)
        self._rows = {}
        self._index_of = {}
        self._requested = set()
        self._painter.forget(lines_only=True)
        self._drawn.clear()
        self._store(start, rows)
        if start % self.BLOCK == 0 and (len(rows) >= self.BLOCK or start + len(rows) >= self._total):
            self._requested.add(start // self.BLOCK)
        target = self._cursor if cursor is None else cursor
        self._cursor = min(max(0, target), max(0, self._total - 1))
        size = Size(0, self._total + 1)
        if size != self.virtual_size:
            # Not through the reactive: that would re-lay out the whole screen for a new row count.
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
        self._scroll_to_line(self._cursor - old_line)
        self.refresh()
        self._want()
        self._report()

    def fill(self, epoch: int, start: int, rows: Sequence[Any]) -> None:
        """Rows for a window asked for by WindowNeeded (ignored if the table was reset since)."""
        if epoch != self._epoch:
            return
        self._store(start, rows)
        self._evict()
        self.refresh()
        self._report()
        self._prerender_soon()

    def replace_row(self, row: Any) -> bool:
        """Swap in a newer version of a row the table holds; False if it holds no such row."""
        index = self._index_of.get(self._key(row))
        if index is None:
            return False
        self._rows[index] = row
        self._refresh_index(index)
        if index == self._cursor:
            self._report(force=True)
        return True

    def _store(self, start: int, rows: Sequence[Any]) -> None:
        for offset, row in enumerate(rows):
            index = start + offset
            if index >= self._total:
                break
            previous = self._rows.get(index)
            if previous is not None:
                self._index_of.pop(self._key(previous), None)
            self._rows[index] = row
            self._index_of[self._key(row)] = index

    def _evict(self) -> None:
        if len(self._rows) <= self.BLOCK * self.KEEP_BLOCKS:
            return
        centre = self._cursor // self.BLOCK
        top = int(self.scroll_y) // self.BLOCK
        far = [i for i in self._rows if min(abs(i // self.BLOCK - centre), abs(i // self.BLOCK - top)) > 3]
        for index in far:
            row = self._rows.pop(index)
            self._index_of.pop(self._key(row), None)
            self._requested.discard(index // self.BLOCK)

    # -- asking for rows ---------------------------------------------------------------------------

    def _viewport_rows(self) -> int:
        """Rows that fit under the header (no horizontal scrollbar, so the height is the size's)."""
        return max(1, self.size.height - 1)

    def _want(self) -> None:
        """Ask for every window the visible rows (and one page either side) fall in."""
        if not self._loaded or self._total == 0:
            return
        page = self._viewport_rows()
        top = int(self.scroll_y)
        first = max(0, min(top, self._cursor) - page)
        last = min(self._total - 1, max(top + page, self._cursor) + page)
        for block in range(first // self.BLOCK, last // self.BLOCK + 1):
            if block in self._requested:
                continue
            start = block * self.BLOCK
            count = min(self.BLOCK, self._total - start)
            if all((start + i) in self._rows for i in range(count)):
                self._requested.add(block)
                continue
            self._requested.add(block)
            self.post_message(self.WindowNeeded(self, self._epoch, start, count))

    # -- cursor ------------------------------------------------------------------------------------

    def move_cursor(self, index: int) -> None:
        if self._total == 0:
            return
        index = min(max(0, index), self._total - 1)
        old = self._cursor
        self._cursor = index
        page = self._viewport_rows()
        top = int(self.scroll_y)
        if index < top:
            self._scroll_to_line(index)
        elif index >= top + page:
            self._scroll_to_line(index - page + 1)
        else:
            self._refresh_index(old)
            self._refresh_index(index)
        self._want()
        self._report()

    def _scroll_to_line(self, top: int) -> None:
        top = max(0, min(top, max(0, self._total + 1 - self.size.height)))
        moved = top - int(self.scroll_y)
        if moved:
            self.scroll_to(y=top, animate=False, force=True)
            # Right after this frame, draw the next page in the direction of travel.
            self.call_after_refresh(self.prerender_ahead, 1 if moved > 0 else -1)
        self.refresh()
        self._prerender_soon()

    def _prerender_soon(self) -> None:
        """Once things are quiet, draw the rows a page away so the next page key finds them ready."""
        if self._prerender_timer is not None:
            self._prerender_timer.stop()
        self._prerender_timer = self.set_timer(0.1, self.prerender, name="prerender")

    def _report(self, force: bool = False) -> None:
        row = self._rows.get(self._cursor)
        key = None if row is None else self._key(row)
        state = (self._cursor, key, id(row))
        if force or state != self._last_reported:
            self._last_reported = state
            self.post_message(self.CursorMoved(self, self._cursor, key, row))

    def action_cursor_down(self) -> None:
        self.move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self._cursor - 1)

    def action_page_down(self) -> None:
        page = self._viewport_rows()
        self._scroll_to_line(int(self.scroll_y) + page)
        self.move_cursor(self._cursor + page)

    def action_page_up(self) -> None:
        page = self._viewport_rows()
        self._scroll_to_line(int(self.scroll_y) - page)
        self.move_cursor(self._cursor - page)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self._total - 1)

    def action_activate(self) -> None:
        row = self.cursor_row
        if row is not None:
            self.post_message(self.Activated(self, self._key(row), row))

    def _on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            self.move_cursor(int(self.scroll_y) + event.y - 1)

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        self._want()

    def _on_resize(self, event: events.Resize) -> None:
        self._painter.forget(lines_only=True)
        self._want()

    def on_focus(self) -> None:
        self._painter.forget(lines_only=True)
        self.refresh()

    def on_blur(self) -> None:
        self._painter.forget(lines_only=True)
        self.refresh()

    # -- drawing -----------------------------------------------------------------------------------

    def refresh_live(self) -> None:
        """Redraw, for a new "now" (the 1 Hz tick), the visible rows whose live cells read differently.

        Runs no query; most ticks change a line or two, since countdowns show minutes.
        """
        if not self._total or not self._painter.live:
            return
        palette, now, width = self.palette, self._now(), self.size.width
        top = int(self.scroll_y)
        for line in range(1, self.size.height):
            index = top + line - 1
            row = self._rows.get(index)
            if row is None:
                continue
            drawn = self._drawn.get(index)
            if drawn is not None and drawn[0] is row and drawn[1] == signature(self._painter.live_texts(row, now, palette)):
                continue
            self.refresh(Region(0, line, width, 1))

    def _refresh_index(self, index: int) -> None:
        line = index - int(self.scroll_y) + 1
        if 1 <= line < self.size.height:
            self.refresh(Region(0, line, self.size.width, 1))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._palette_cache = None
        self._painter.forget()

    @property
    def palette(self) -> Palette:
        if self._palette_cache is None:
            get = self.get_component_rich_style
            self._palette_cache = Palette(
                error=get("queue-table--error", partial=True),
                warning=get("queue-table--warning", partial=True),
                success=get("queue-table--success", partial=True),
                muted=get("queue-table--muted", partial=True),
                accent=get("queue-table--accent", partial=True),
            )
        return self._palette_cache

    def render_lines(self, crop: Region) -> list[Strip]:
        # Worked out once per render, not per line: neither is cheap to ask for.
        self._line_width = self.scrollable_content_region.width
        self._line_base = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width, base = self._line_width, self._line_base
        painter = self._painter
        if y == 0:
            note = ""
            if self._total:
                top = int(self.scroll_y)
                note = f"{top + 1:,}–{min(self._total, top + self._viewport_rows()):,} / {self._total:,}"
            return painter.header(width, base + self.get_component_rich_style("queue-table--header"), note)
        index = int(self.scroll_y) + y - 1
        if index >= self._total:
            if index == 0:
                message = self._failure or (self.empty_text if self._loaded else self.loading_text)
                return painter.message(message, width, base + self.get_component_rich_style("queue-table--placeholder"))
            return Strip.blank(width, base)
        row = self._rows.get(index)
        if row is None:
            style = base + self.get_component_rich_style("queue-table--placeholder")
            if index == self._cursor:
                style += self.get_component_rich_style("queue-table--cursor")
            return painter.message(ELLIPSIS, width, style)
        now, palette = self._now(), self.palette
        live = painter.live_texts(row, now, palette)
        self._drawn[index] = (row, signature(live))
        under, over = base, None
        if index == self._cursor:
            cursor = self.get_component_rich_style("queue-table--cursor")
            under = base + Style(color=cursor.color, bold=cursor.bold)
            over = Style(bgcolor=cursor.bgcolor)
        return painter.line(row, live, width, now, palette, under, over)

    def prerender_ahead(self, direction: int) -> None:
        """Draw the static cells of the page after (or before) the visible one."""
        page = self._viewport_rows()
        top = int(self.scroll_y)
        self._prerender_range(top + page if direction > 0 else top - page, page)

    def prerender(self, rows: int | None = None) -> None:
        """Draw the static cells of the rows a page above and below ahead of time (idle work)."""
        page = rows or self._viewport_rows()
        self._prerender_range(int(self.scroll_y) - page, 3 * page)

    def _prerender_range(self, first: int, count: int) -> None:
        width = self._line_width
        if not width:
            return
        palette, base, now = self.palette, self._line_base, self._now()
        for index in range(max(0, first), min(self._total, first + count)):
            row = self._rows.get(index)
            if row is not None and index != self._cursor:
                self._painter.runs(row, width, now, palette, base, None)
