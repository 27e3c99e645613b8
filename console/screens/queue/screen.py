"""The agent's queue: views, filter, sort, live countdowns, the detail pane and the actions.

Data flow: workers read (store.tickets.queue through the app's reader) or write (store.tickets.actions) and
post messages; the handlers here own every state change and hand the widgets plain views.
The 1 Hz tick only repaints; a database change (any console's) reloads around the ticket the
cursor is on, so the cursor stays on it.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, Static

import console.sanitize as clean
from console import keys
from console.failures import ReportsFailures
from console.i18n import t
from console.screens.queue.activity import BEAT_SECONDS, QueuePresence, here_line, history_text
from console.screens.queue.commands import QueueCommands
from console.screens.queue.keys import QUEUE_BINDINGS, VIEW_KEYS, view_label
from console.screens.queue.messages import DetailLoaded, Loaded, WindowLoaded
from console.screens.queue.prompts import QueueActionKeys
from console.screens.queue.view import clock_faces, columns, detail_head, render_cell, thread_text
from console.screens.safe_inputs import SafeInput
from console.zone import zone_name
from store.tickets import activity as ticket_activity
from store.tickets import queue
from store.tickets.queue import VIEWS, QueueQuery
from widgets.detail_pane import DetailPane
from widgets.queue_table import QueueTable
from widgets.zone_header import ZoneHeader

if TYPE_CHECKING:
    from console.app import ShiftdeskApp
    from store.views import TicketRow

__all__ = ["QueueScreen"]

FILTER_DELAY = 0.15
DETAIL_DELAY = 0.05
PREFETCH_WAIT = 0.3


def _ready(future: Future, timeout: float) -> bool:
    try:
        future.result(timeout=timeout)
    except Exception:  # not done in time, or failed: the screen reads the normal way
        return False
    return True


class QueueScreen(QueueActionKeys, QueuePresence, ReportsFailures, Screen[None]):
    """The screen an agent lives in: the queue above, the ticket below."""

    CSS_PATH = "queue.tcss"
    BINDINGS: ClassVar[list[BindingType]] = QUEUE_BINDINGS
    COMMANDS = {QueueCommands}
    AUTO_FOCUS = "#queue-table"

    def __init__(self) -> None:
        super().__init__(id="queue")
        keys.localize(self)
        self.query_state = QueueQuery()
        self._gen = 0
        self._detail_timer: Timer | None = None
        self._detail_wanted: int | None = None
        self._filter_timer: Timer | None = None
        self._pinned: int | None = None
        self._count: int | None = None
        self._first_paint: list[Callable[[], object]] = []
        self._boot_window = True

    @property
    def shiftdesk(self) -> ShiftdeskApp:
        return self.app  # type: ignore[return-value]

    def _now(self) -> datetime:
        return self.shiftdesk.boot.clock.now()

    def compose(self) -> ComposeResult:
        yield ZoneHeader(zone_name())
        yield Static(Text(""), id="queue-bar")
        yield SafeInput(placeholder=t("queue.filter.placeholder"), id="queue-filter")
        yield QueueTable(columns(), render_cell, now=self._now, id="queue-table")
        yield DetailPane(now=self._now, id="queue-detail")
        yield Footer(compact=True)

    @property
    def table(self) -> QueueTable:
        return self.query_one("#queue-table", QueueTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one("#queue-detail", DetailPane)

    def on_mount(self) -> None:
        self.query_state = QueueQuery(agent_id=self.shiftdesk.boot.agent_id)
        table = self.table
        table.loading_text = t("queue.loading")
        table.empty_text = t("queue.empty")
        self.detail.clear(Text(t("detail.none")))
        future = self.shiftdesk.boot.first_window
        if future is not None and _ready(future, PREFETCH_WAIT):
            # Read while Textual was starting. Waiting a moment for it here costs nothing (there is
            # nothing to show without it) and saves drawing a "loading" screen first.
            self._gen += 1
            early = self._prefetched(self.query_state, None)
            if early is not None:
                self.post_message(Loaded(self._gen, early[0], 0, early[1], 0, None, False, True))
            else:
                self.reload(follow=True)
        else:
            self.reload(follow=True)
        self._render_bar()
        self.set_interval(1.0, self._tick, name="countdown")
        self.set_interval(BEAT_SECONDS, self.heartbeat, name="presence")
        self.watch(self.app, "db_generation", self._database_changed, init=False)

    # -- the bar above the table ---------------------------------------------------------------------

    def _render_bar(self) -> None:
        bar = Text()
        for view in VIEWS:
            current = view == self.query_state.view
            bar.append(f" {VIEW_KEYS[view]} ", style="bold reverse" if current else "dim")
            bar.append(view_label(view) + " ", style="bold reverse" if current else "")
        bar.append("  ")
        bar.append("⇅ " + t(f"queue.sort.{self.query_state.sort}"), style="bold")
        if self._count is not None:
            bar.append("  ")
            bar.append(t("queue.count", n=f"{self._count:,}"))
        if self.query_state.text:
            bar.append("  " + t("queue.filtered"), style="dim")
            bar.append(clean.clean_line(self.query_state.text, limit=40))
        if self.working:
            bar.append("  " + t("queue.working"), style="bold")
        self.query_one("#queue-bar", Static).update(bar)

    # -- loading -------------------------------------------------------------------------------------

    def reload(self, *, anchor: int | None = None, fallback: int | None = None, follow: bool = False,
               top: bool = False) -> None:
        """Count the view again and load the window around `anchor` (default: the cursor's ticket).

        `top`: start at the first (most urgent) row instead, as a new view or sort should.
        """
        self._gen += 1
        table = self.table
        key = None if top else anchor if anchor is not None else table.cursor_key
        where = table.cursor_index if fallback is None else fallback
        page = max(10, table.size.height)
        self._load(self.query_state, self._gen, key if isinstance(key, int) else None, where, page, follow)

    def _prefetched(self, q: QueueQuery, anchor: int | None) -> tuple[int, list[TicketRow]] | None:
        """The first window read during start-up, if it answers this load (used once)."""
        boot = self.shiftdesk.boot
        future, boot_window = boot.first_window, self._boot_window
        self._boot_window = False
        if future is None or not boot_window or anchor is not None:
            return None
        try:
            query, total, rows = future.result(timeout=10)
        except Exception:
            return None
        return (total, rows) if query == q else None

    @work(thread=True, exclusive=True, group="queue-load", exit_on_error=False)
    def _load(self, q: QueueQuery, gen: int, anchor: int | None, fallback: int, page: int, follow: bool) -> None:
        early = self._prefetched(q, anchor)
        if early is not None:
            total, rows = early
            self.post_message(Loaded(gen, total, 0, rows, 0, None, False, follow))
            return
        with self.shiftdesk.reader.read() as conn:
            got = queue.page(q, anchor=anchor, fallback=fallback, reach=page, block=QueueTable.BLOCK, conn=conn,
                             now=self._now(), clean=clean)
        self.post_message(Loaded(gen, got.total, got.start, got.rows, got.cursor, anchor, got.found, follow))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.gen != self._gen:
            return
        table = self.table
        if not message.follow and message.anchor is not None and table.cursor_key not in (None, message.anchor):
            self.reload()  # the cursor moved while we read: read again around where it is now
            return
        first = not table.loaded
        table.reset(message.total, message.start, message.rows, cursor=message.cursor)
        self._count = message.total
        self._render_bar()
        if first:
            self.call_after_refresh(self._painted)

    def after_first_paint(self, callback: Callable[[], object]) -> None:
        """Run `callback` once the first rows are on screen (heavier start-up work waits for it)."""
        self._first_paint.append(callback)

    def _painted(self) -> None:
        self.shiftdesk.start_services()
        callbacks, self._first_paint = self._first_paint, []
        for callback in callbacks:
            callback()

    @on(QueueTable.WindowNeeded)
    def _window_needed(self, message: QueueTable.WindowNeeded) -> None:
        self._fetch(self.query_state, self._gen, message.epoch, message.start, message.count)

    @work(thread=True, group="queue-window", exit_on_error=False)
    def _fetch(self, q: QueueQuery, gen: int, epoch: int, start: int, count: int) -> None:
        with self.shiftdesk.reader.read() as conn:
            rows = queue.window(q, start, count, conn=conn, now=self._now(), clean=clean)
        self.post_message(WindowLoaded(gen, epoch, start, rows))

    @on(WindowLoaded)
    def _window_loaded(self, message: WindowLoaded) -> None:
        if message.gen == self._gen:
            self.table.fill(message.epoch, message.start, message.rows)

    def _database_changed(self, _generation: int) -> None:
        self.reload()
        shown = self.detail.shown
        if isinstance(shown, int):
            self._load_detail(shown)

    # -- the detail pane -----------------------------------------------------------------------------

    @on(QueueTable.CursorMoved)
    def _cursor_moved(self, message: QueueTable.CursorMoved) -> None:
        if not isinstance(message.key, int):
            return
        self._pinned = None
        self._detail_wanted = message.key
        if self._detail_timer is not None:  # still waiting: start the wait again for the new ticket
            self._detail_timer.reset()
        else:
            self._detail_timer = self.set_timer(DETAIL_DELAY, self._open_detail)

    def _open_detail(self) -> None:
        self._detail_timer = None
        ticket_id = self._detail_wanted
        if ticket_id is not None:
            self._load_detail(ticket_id)
            self.beat(ticket_id)

    @work(thread=True, exclusive=True, group="queue-detail", exit_on_error=False)
    def _load_detail(self, ticket_id: int) -> None:
        me = self.shiftdesk.boot.agent_id
        with self.shiftdesk.reader.read() as conn:
            found = queue.ticket_detail(ticket_id, conn=conn, clean=clean)
            if found is None:
                self.post_message(DetailLoaded(ticket_id, None))
                return
            here = ticket_activity.others_here(ticket_id, conn=conn, clean=clean, now=self._now(), me=me)
            history, omitted = ticket_activity.history(ticket_id, conn=conn, clean=clean)
        self.post_message(DetailLoaded(ticket_id, found, here, history, omitted))

    @on(DetailLoaded)
    def _detail_loaded(self, message: DetailLoaded) -> None:
        wanted = self._pinned if self._pinned is not None else self.table.cursor_key
        if message.ticket_id != wanted:
            return
        pane = self.detail
        if message.detail is None:
            pane.clear(Text(t("queue.not_found", id=message.ticket_id)))
            return
        palette = pane.palette
        head = detail_head(message.detail, palette)
        if message.here:
            head.append("\n")
            head.append_text(here_line(message.here, palette))
        thread = thread_text(message.detail, palette)
        if message.history:
            thread.append("\n\n")
            thread.append_text(history_text(message.history, message.history_omitted, palette))
        pane.show(message.ticket_id, head, clock_faces(message.detail), thread)

    def worker_failed(self, group: str, text: str) -> None:
        """A read failed (console/failures.py told the user): no loading line stays behind."""
        if group in ("queue-load", "queue-window"):
            self.table.fail(text)
        elif group == "queue-detail":
            self.detail.clear(Text(text))
        elif group == "queue-write":  # the write failed: it is no longer under way
            self._busy(-1)

    # -- the tick ------------------------------------------------------------------------------------

    def _tick(self) -> None:
        if self.app.screen is not self:  # a dialog is open: nothing here is being looked at
            return
        self.table.refresh_live()
        self.detail.refresh_clocks()

    # -- views, sort, filter -------------------------------------------------------------------------

    def action_view(self, view: str) -> None:
        if view == self.query_state.view:
            return
        self.query_state = self.query_state.with_(view=view)
        self._count = None
        self._render_bar()
        self.reload(fallback=0, follow=True, top=True)

    def action_next_view(self) -> None:
        index = VIEWS.index(self.query_state.view)
        self.action_view(VIEWS[(index + 1) % len(VIEWS)])

    def action_toggle_sort(self) -> None:
        sort = "breach" if self.query_state.sort == "priority" else "priority"
        self.query_state = self.query_state.with_(sort=sort)
        self._render_bar()
        self.reload(fallback=0, follow=True, top=True)

    def action_focus_filter(self) -> None:
        self.query_one("#queue-filter", Input).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#queue-filter", Input)
        if box.has_focus:
            self.table.focus()
        elif box.value:
            box.value = ""

    def action_toggle_focus(self) -> None:
        if self.table.has_focus:
            self.detail.focus()
        else:
            self.table.focus()

    @on(Input.Changed, "#queue-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        text = event.value
        self._filter_timer = self.set_timer(FILTER_DELAY, lambda: self._apply_filter(text))

    def _apply_filter(self, text: str) -> None:
        if text == self.query_state.text:
            return
        self.query_state = self.query_state.with_(text=text)
        self._render_bar()
        self.reload(fallback=0, follow=True)

    @on(Input.Submitted, "#queue-filter")
    def _filter_submitted(self) -> None:
        self.table.focus()

    def on_key(self, event) -> None:
        box = self.query_one("#queue-filter", Input)
        if event.key == "down" and box.has_focus:
            self.table.focus()
            event.stop()
