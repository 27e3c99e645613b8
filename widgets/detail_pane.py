"""The pane under the queue: a ticket's header, its live clocks and its thread.

It shows what it is given (rich Text built by the caller from cleaned strings, plus clock
faces). Like the queue table it draws lines itself (Line API): showing another ticket or a
new second on a clock repaints lines, never re-lays out the screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widget import Widget

from widgets.countdown import ClockFace, Palette, clock_text

__all__ = ["DetailPane"]

MARGIN = 1  # cells left blank on either side


class DetailPane(ScrollView, can_focus=True):
    """Header, clocks and thread of one ticket; scrolls when the thread is long."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "detail-pane--error",
        "detail-pane--warning",
        "detail-pane--success",
        "detail-pane--muted",
        "detail-pane--accent",
    }
    DEFAULT_CSS = """
    DetailPane {
        height: 1fr;
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        & > .detail-pane--error { color: $text-error; text-style: bold; }
        & > .detail-pane--warning { color: $text-warning; }
        & > .detail-pane--success { color: $text-success; }
        & > .detail-pane--muted { color: $text-muted; }
        & > .detail-pane--accent { color: $text-accent; }
    }
    """

    def __init__(self, *, now: Callable[[], datetime] | None = None, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._now = now or (lambda: datetime.now(UTC))
        self._shown: object | None = None
        self._head = Text("")
        self._faces: tuple[ClockFace, ...] = ()
        self._thread = Text("")
        self._palette: Palette | None = None
        self._width = 0  # the width the lines below were wrapped to
        self._above: list[Text] = []  # header lines and the blank line after them
        self._below: list[Text] = []  # the blank line before the thread, then the thread
        self._clocks: list[Text] = []
        self._strips: LRUCache[int, Strip] = LRUCache(256)

    # -- what to show --------------------------------------------------------------------------

    @property
    def shown(self) -> object | None:
        """The key of what the pane shows (a ticket id), or None."""
        return self._shown

    @property
    def palette(self) -> Palette:
        if self._palette is None:
            get = self.get_component_rich_style
            self._palette = Palette(
                error=get("detail-pane--error", partial=True),
                warning=get("detail-pane--warning", partial=True),
                success=get("detail-pane--success", partial=True),
                muted=get("detail-pane--muted", partial=True),
                accent=get("detail-pane--accent", partial=True),
            )
        return self._palette

    @property
    def plain(self) -> str:
        """Everything the pane holds as plain text, scrolled into view or not."""
        return "\n".join(line.plain for line in (*self._above, *self._clocks, *self._below))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._palette = None
        self._strips.clear()

    def show(self, key: object, head: Text, clocks: Sequence[ClockFace], thread: Text) -> None:
        """Show a ticket; scroll back to the top only when it is another ticket."""
        moved = key != self._shown
        self._shown, self._head, self._faces, self._thread = key, head, tuple(clocks), thread
        self._clocks = self._clock_lines()
        if self._width:
            self._wrap(self._width)
        else:  # not drawn yet: the first render wraps for the real width
            self.refresh()
        if moved:
            self.scroll_to(y=0, animate=False, force=True)

    def clear(self, message: Text) -> None:
        self.show(None, message, (), Text(""))
        self._shown = None

    def refresh_clocks(self) -> None:
        """Redraw the clocks for the current time (the 1 Hz tick), only if a figure changed."""
        lines = self._clock_lines()
        if lines == self._clocks:
            return
        self._clocks = lines
        first = len(self._above)
        for index in range(first, first + len(lines)):
            self._strips.discard(index)
        self.refresh(Region(0, first - int(self.scroll_y), self.size.width, len(lines)))

    def _clock_lines(self) -> list[Text]:
        now = self._now()
        width = max((cell_len(f.label) for f in self._faces), default=0)
        return [clock_text(face, now, palette=self.palette, label_width=width) for face in self._faces]

    # -- lines ---------------------------------------------------------------------------------

    def _wrap(self, width: int, *, repaint: bool = True) -> None:
        """Split header and thread into screen lines for `width`, and size the scroll area."""
        self._width = width
        self._strips.clear()
        inner = max(1, width - 2 * MARGIN)
        console = self.app.console
        self._above = [*self._head.wrap(console, inner), Text("")] if self._head.plain else []
        thread = list(self._thread.wrap(console, inner)) if self._thread.plain else []
        self._below = [Text(""), *thread] if thread and self._faces else thread
        height = len(self._above) + len(self._clocks) + len(self._below)
        size = Size(width, height)
        if size != self.virtual_size:
            # Set without the reactive's relayout of the whole screen: only this pane's scroll area changed.
            self.set_reactive(Widget.virtual_size, size)
            self._scroll_update(size)
        if repaint:
            self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        width = self.scrollable_content_region.width
        if width != self._width:
            self._wrap(width, repaint=False)
        self._base = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width, base = self._width, self._base
        hit = self._strips.get(index)
        if hit is not None:
            return hit
        above, clocks = len(self._above), len(self._clocks)
        if index < above:
            line = self._above[index]
        elif index < above + clocks:
            line = self._clocks[index - above]
        elif index - above - clocks < len(self._below):
            line = self._below[index - above - clocks]
        else:
            return Strip.blank(width, base)
        segments = [Segment(" " * MARGIN), *line.render(self.app.console, end="")]
        strip = Strip(list(Segment.apply_style(segments, base)))
        strip = strip.adjust_cell_length(width, base)
        self._strips[index] = strip
        return strip

    _base: Style = Style()
