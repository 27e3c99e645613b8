"""The supervisor's live SLA panel.

Polling follows dolphie: one poll at a time in a thread worker, a one-shot timer re-armed only
after the poll's result (or failure) has been handled, nothing polled or painted while the
screen is suspended (another screen or a dialog on top). Tables are updated by row key, never
cleared and refilled; tiles repaint only when their value changed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane
from textual.worker import Worker, WorkerState

from console import keys
from console.failures import ReportsFailures
from console.i18n import get_language, t
from console.screens.panel import view
from console.zone import local, zone_name
from store.reports.live import PanelSnapshot
from store.vocab import OPEN_STATUSES
from widgets.hour_chart import HourChart
from widgets.kpi_tiles import KpiTiles
from widgets.synced_table import SyncedTable
from widgets.zone_header import ZoneHeader

__all__ = ["PanelLoaded", "PanelScreen"]

TABS = ("agent", "channel", "priority", "category", "intake")
# Columns a breakdown table drops, first to last, when the terminal is too narrow for all of
# them whole: the name, breaches, attainment and (per group) review flags always stay.
AGENT_DROP = ("replied", "assigned", "met", "solved", "frt_median", "csat")
GROUP_DROP = ("res_mean", "share", "res_median", "solved", "resolution_rate", "frt_median", "received", "csat")


@dataclass
class PanelLoaded(Message):
    """One poll's result, and how long the database work took."""

    snapshot: PanelSnapshot
    seconds: float


class PanelScreen(ReportsFailures, Screen[None]):
    CSS_PATH = "panel.tcss"
    INTERVAL: ClassVar[float] = 2.0
    BINDINGS: ClassVar[list[BindingType]] = list(keys.bindings(keys.PANEL))

    def __init__(self, *, interval: float | None = None) -> None:
        super().__init__()
        keys.localize(self)
        self.interval = interval if interval is not None else self.INTERVAL
        self.period = "shift"
        self.snapshot: PanelSnapshot | None = None
        self.polls = 0
        self._timer: Timer | None = None
        self._polling = False
        self._again = False  # a poll was asked for while one ran: run it right after

    # -- layout --------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ZoneHeader(zone_name())
        with VerticalScroll(id="panel-body"):
            yield Static(t("panel.loading"), id="panel-status")
            with Horizontal(id="panel-top"):
                yield SyncedTable([("metric", t("panel.col.metric")), ("shift", t("panel.period.shift")),
                                   ("today", t("panel.period.today")), ("week", t("panel.period.week"))],
                                  id="attainment", cursor_type="none", zebra_stripes=False)
                yield KpiTiles(id="tiles")
            with Horizontal(id="panel-live"):
                with Vertical(id="panel-lists"):
                    with Vertical(classes="live-box"):
                        yield Static(t("panel.breached", n="—"), id="breached-title", classes="box-title")
                        yield SyncedTable(self._ticket_columns(overdue=True), id="breached", fill="subject")
                    with Vertical(classes="live-box"):
                        yield Static(t("panel.at_risk", n="—"), id="risk-title", classes="box-title")
                        yield SyncedTable(self._ticket_columns(overdue=False), id="at-risk", fill="subject")
                with Vertical(id="open-box"):
                    yield Static(t("panel.open"), classes="box-title")
                    yield SyncedTable([("priority", t("panel.col.priority")),
                                       *((s, t(f"status.{s}")) for s in OPEN_STATUSES),
                                       ("total", t("report.total"))], id="open", cursor_type="none")
            with TabbedContent(id="breakdowns", initial="tab-agent"):
                with TabPane(t("panel.tab.agent"), id="tab-agent"):
                    yield SyncedTable(self._agent_columns(), id="by-agent", drop=AGENT_DROP)
                for dim in ("channel", "priority", "category"):
                    with TabPane(t(f"panel.tab.{dim}"), id=f"tab-{dim}"):
                        yield SyncedTable(self._group_columns(dim), id=f"by-{dim}", drop=GROUP_DROP)
                with TabPane(t("panel.tab.intake"), id="tab-intake"):
                    yield HourChart(id="intake")
        yield Footer(compact=True)

    @staticmethod
    def _ticket_columns(*, overdue: bool) -> list[tuple[str, str]]:
        return [("id", "#"), ("priority", t("panel.col.priority")), ("metric", t("panel.col.metric")),
                ("when", t("panel.col.overdue" if overdue else "panel.col.due_in")),
                ("assignee", t("panel.col.assignee")), ("subject", t("panel.col.subject"))]

    @staticmethod
    def _agent_columns() -> list[tuple[str, str]]:
        return [(k, t(f"panel.col.{k}")) for k in ("agent", "assigned", "replied", "solved", "met", "breached",
                                                   "attainment", "frt_median", "csat")]

    @staticmethod
    def _group_columns(dim: str) -> list[tuple[str, str]]:
        return [("group", t(f"panel.tab.{dim}")), *((k, t(f"panel.col.{k}")) for k in (
            "received", "share", "solved", "resolution_rate", "attainment", "frt_median", "res_median", "res_mean",
            "csat", "flags"))]

    # -- polling -------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.title = t("panel.title")
        self.poll_now()

    def on_screen_suspend(self) -> None:
        """Hidden: stop the timer; a poll already running finishes but re-arms nothing."""
        self._stop_timer()

    def on_screen_resume(self) -> None:
        if self.is_mounted:
            self.poll_now()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def poll_now(self) -> None:
        """Start a poll unless one runs; then one more follows right after it."""
        self._stop_timer()
        if self._polling:
            self._again = True
            return
        self._polling = True
        self._again = False
        self._load(self.period, self._dim())

    def _dim(self) -> str | None:
        try:
            active = self.query_one("#breakdowns", TabbedContent).active
        except Exception:  # not composed yet
            return "agent"
        tab = active.removeprefix("tab-") if active else "agent"
        return None if tab == "intake" else tab

    @work(thread=True, exclusive=True, group="panel-poll", exit_on_error=False)
    def _load(self, period: str, dim: str | None) -> None:
        from store.reports.live import panel_refresh

        services = self.app.wait_services()  # type: ignore[attr-defined]
        started = time.perf_counter()
        snapshot = panel_refresh(services.db, services.clock.now(), period=period, dim=dim)
        self.post_message(PanelLoaded(snapshot, time.perf_counter() - started))

    def _rearm(self) -> None:
        self._polling = False
        if not self.is_current:
            return
        if self._again:
            self.poll_now()
        else:
            self._stop_timer()
            self._timer = self.set_timer(self.interval, self.poll_now)

    @on(PanelLoaded)
    def _loaded(self, message: PanelLoaded) -> None:
        self.polls += 1
        if self.is_current:
            self.snapshot = message.snapshot
            with self.app.batch_update():
                self._paint(message.snapshot, message.seconds)
        self._rearm()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "panel-poll" and event.state == WorkerState.CANCELLED:
            self._polling = False

    def worker_failed(self, group: str, text: str) -> None:
        """A poll failed (console/failures.py told the supervisor): say so on the panel, poll again."""
        if group == "panel-poll":
            self.query_one("#panel-status", Static).update(Text(text))
            self._rearm()

    # -- painting ------------------------------------------------------------------------------------

    def _paint(self, snap: PanelSnapshot, seconds: float) -> None:
        lang = get_language()
        self.query_one("#panel-status", Static).update(Text(t(
            "panel.status", shift=snap.shift.name, start=local(snap.shift.start, "%H:%M"),
            end=local(snap.shift.end, "%H:%M"), period=t(f"panel.period.{self.period}"),
            at=local(snap.at, "%H:%M:%S"), ms=round(seconds * 1000))))
        self.query_one("#attainment", SyncedTable).sync(view.attainment_rows(snap))
        self.query_one("#tiles", KpiTiles).show(view.tiles(snap.totals[self.period], snap.repeat_window))
        self.query_one("#breached-title", Static).update(t("panel.breached", n=snap.breached_count))
        self.query_one("#risk-title", Static).update(t("panel.at_risk", n=snap.at_risk_count))
        self.query_one("#breached", SyncedTable).sync(view.ticket_rows(snap.breached, snap.at, overdue=True))
        self.query_one("#at-risk", SyncedTable).sync(view.ticket_rows(snap.at_risk, snap.at, overdue=False))
        self.query_one("#open", SyncedTable).sync(view.open_rows(snap))
        if snap.breakdown_period == self.period and snap.breakdown_dim == "agent":
            self.query_one("#by-agent", SyncedTable).sync(view.agent_rows(snap))
        elif snap.breakdown_period == self.period and snap.breakdown_dim in ("channel", "priority", "category"):
            self.query_one(f"#by-{snap.breakdown_dim}", SyncedTable).sync(view.group_rows(snap, lang))
        self.query_one("#intake", HourChart).show(view.hour_series(snap))

    # -- actions -------------------------------------------------------------------------------------

    def action_period(self, period: str) -> None:
        if period != self.period:
            self.period = period
            if self.snapshot is not None:
                self.query_one("#tiles", KpiTiles).show(view.tiles(self.snapshot.totals[period], self.snapshot.repeat_window))
            self.poll_now()

    def action_refresh_now(self) -> None:
        self.poll_now()

    def action_close(self) -> None:
        self.dismiss(None)

    @on(TabbedContent.TabActivated)
    def _tab_changed(self) -> None:
        if self.snapshot is not None:
            self.poll_now()

    @on(DataTable.RowSelected, "#breached, #at-risk")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        key = event.row_key.value or ""
        if key.startswith("t"):
            self.open_ticket(int(key[1:]))

    def action_open_selected(self) -> None:
        focused = self.focused
        if isinstance(focused, SyncedTable) and focused.id in ("breached", "at-risk"):
            key = focused.cursor_key()
            if key:
                self.open_ticket(int(key[1:]))

    def open_ticket(self, ticket_id: int) -> None:
        """Hand the ticket to the app (the queue shows it); say so if this console has no queue."""
        opener = getattr(self.app, "open_ticket", None)
        if callable(opener):
            opener(ticket_id)
        else:
            self.notify(t("panel.no_opener", id=ticket_id))
