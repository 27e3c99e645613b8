"""Past handovers by date and shift, searchable by their text; enter opens one."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from console import keys
from console.failures import ReportsFailures
from console.i18n import t
from console.sanitize import clean_line
from console.zone import local, zone_name
from store.handover.lifecycle import HandoverRow
from widgets.zone_header import ZoneHeader

SEARCH_DELAY = 0.3
STATUS_STYLE = {"draft": "yellow", "submitted": "bold", "acknowledged": "green"}


class HandoverHistoryScreen(ReportsFailures, Screen[None]):
    CSS_PATH = "handover.tcss"
    BINDINGS = keys.bindings(keys.HANDOVER_HISTORY)

    @dataclass
    class Listed(Message):
        rows: list[HandoverRow]
        query: str

    def __init__(self) -> None:
        super().__init__()
        keys.localize(self)
        self._pending_search = None

    def compose(self) -> ComposeResult:
        yield ZoneHeader(zone_name())
        yield Input(placeholder=t("handover.history.search"), id="history-search")
        yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="history-empty")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = t("handover.history.title")
        table = self.query_one("#history-table", DataTable)
        for key in ("date", "shift", "status", "author", "ack"):
            table.add_column(Text(t(f"handover.history.col.{key}")), key=key)
        table.focus()
        self._load("")

    @on(Input.Changed, "#history-search")
    def _typed(self, event: Input.Changed) -> None:
        if self._pending_search is not None:
            self._pending_search.stop()
        self._pending_search = self.set_timer(SEARCH_DELAY, lambda: self._load(event.value))

    @on(Input.Submitted, "#history-search")
    def _search_now(self, event: Input.Submitted) -> None:
        self._load(event.value)
        self.query_one("#history-table").focus()

    @work(thread=True, exclusive=True, group="handover-history", exit_on_error=False)
    def _load(self, query: str) -> None:
        from store.handover.lifecycle import list_handovers

        services = self.app.services
        with services.db.read() as session:
            rows = list_handovers(session, services.agent.team, search=query)
        self.post_message(self.Listed(rows, query))

    @on(Listed)
    def _listed(self, message: Listed) -> None:
        table = self.query_one("#history-table", DataTable)
        table.clear()
        for row in message.rows:
            ack = f"{row.acknowledged_by} {local(row.acknowledged_at, '%m/%d %H:%M')}" if row.acknowledged_at else ""
            table.add_row(
                Text(row.shift_date.strftime("%Y/%m/%d")),
                Text(clean_line(f"{row.from_shift}→{row.to_shift}")),
                Text(t(f"handover.status.{row.status}"), style=STATUS_STYLE.get(row.status, "")),
                Text(clean_line(row.author)),
                Text(clean_line(ack)),
                key=str(row.id),
            )
        empty = self.query_one("#history-empty", Static)
        empty.update(Text(t("handover.history.empty"), style="dim") if not message.rows else Text(""))

    @on(DataTable.RowSelected, "#history-table")
    def _open(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.handover_route("open_handover_id", int(event.row_key.value))

    def worker_failed(self, group: str, text: str) -> None:
        """The list could not load (console/failures.py told the user): say so where it would be."""
        if group == "handover-history":
            self.query_one("#history-empty", Static).update(Text(text, style="dim"))

    def action_search(self) -> None:
        self.query_one("#history-search", Input).focus()

    def action_back(self) -> None:
        self.dismiss()
