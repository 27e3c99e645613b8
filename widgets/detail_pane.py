"""The pane under the queue: a ticket's header, its live clocks and its thread.

It shows what it is given (rich Text built by the caller from cleaned strings, plus clock
faces) and redraws only the clocks on each tick.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from widgets.countdown import ClockFace, Palette, clock_text

__all__ = ["DetailPane"]


class DetailPane(VerticalScroll, can_focus=True):
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
        padding: 0 1;
        & > #detail-head { margin-bottom: 1; }
        & > #detail-clocks { margin-bottom: 1; }
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
        self._faces: tuple[ClockFace, ...] = ()
        self._shown: object | None = None
        self._palette: Palette | None = None
        self._clocks_shown: Text | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(""), id="detail-head")
        yield Static(Text(""), id="detail-clocks")
        yield Static(Text(""), id="detail-thread")

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

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._palette = None

    def show(self, key: object, head: Text, clocks: Sequence[ClockFace], thread: Text) -> None:
        """Show a ticket; scroll back to the top only when it is another ticket."""
        moved = key != self._shown
        self._shown = key
        self._faces = tuple(clocks)
        self._clocks_shown = None
        self.query_one("#detail-head", Static).update(head)
        self.query_one("#detail-thread", Static).update(thread)
        self.refresh_clocks()
        if moved:
            self.scroll_home(animate=False)

    def clear(self, message: Text) -> None:
        self._shown = None
        self._faces = ()
        self._clocks_shown = None
        self.query_one("#detail-head", Static).update(message)
        self.query_one("#detail-clocks", Static).update(Text(""))
        self.query_one("#detail-thread", Static).update(Text(""))

    def refresh_clocks(self) -> None:
        """Redraw the clocks for the current time (the 1 Hz tick)."""
        now = self._now()
        width = max((cell_len(f.label) for f in self._faces), default=0)
        lines = [clock_text(face, now, palette=self.palette, label_width=width) for face in self._faces]
        text = Text("\n").join(lines)
        if text == self._clocks_shown:
            return
        # A new line count changes the pane's layout; new figures in the same lines do not.
        relayout = self._clocks_shown is None or len(lines) != self._clocks_shown.plain.count("\n") + 1
        self._clocks_shown = text
        self.query_one("#detail-clocks", Static).update(text, layout=relayout)
