"""The ticket lists of a handover and its SLA summary, drawn from sanitised plain values."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual import events
from textual.message import Message
from textual.widgets import DataTable

from console import keys
from console.handover_export import item_facts, summary_lines
from console.i18n import t
from console.sanitize import clean_line
from console.zone import local
from store.handover.content import HandoverContent, TicketItem

SLA_STYLE = {"breached": "bold red", "at_risk": "yellow", "ok": "green", "paused": "dim"}
PRIORITY_STYLE = {"urgent": "bold red", "high": "yellow", "normal": "", "low": "dim"}
NARROW = 100  # terminal columns under which the lists drop the priority column (it joins the facts)
COLUMNS = (("ticket", 6), ("subject", 28), ("priority", 8), ("note", 20), ("state", None))
NARROW_COLUMNS = (("ticket", 6), ("subject", 16), ("note", 13), ("state", None))


def item_row(item: TicketItem, section: str, *, narrow: bool = False) -> tuple[Text, ...]:
    """Cells of one item; every piece of data is a plain Text, never markup.

    Narrow (under 100 columns) the priority joins the facts and each fact takes a line of its
    own, so that none of them is cut off at the right edge.
    """
    facts = item_facts(item, section, clean_line, priority=narrow)  # wide: the priority has its own column
    state = Text(("\n" if narrow else " · ").join(facts), style=SLA_STYLE.get(item.sla_state, ""))
    number, subject = Text(f"#{item.ticket_id}"), Text(clean_line(item.subject, limit=80))
    note = Text(clean_line(item.note), style="bold")
    if narrow:
        return number, subject, note, state
    return number, subject, Text(t(f"priority.{item.priority}"), style=PRIORITY_STYLE.get(item.priority, "")), note, state


class ItemTable(DataTable):
    """One section's ticket items; keys reorder, remove, annotate and open them."""

    BINDINGS = keys.bindings(keys.HANDOVER_ITEMS)

    @dataclass
    class Act(Message):
        """The lead asked for something on the item under the cursor."""

        table: ItemTable
        action: str  # open | move | annotate | remove | undo
        index: int
        step: int = 0

        @property
        def control(self) -> ItemTable:
            return self.table

    def __init__(self, section: str, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        keys.localize(self)
        self.section = section
        self._shown: tuple[TicketItem, ...] = ()
        self._narrow = False

    def on_mount(self) -> None:
        self._lay_out(self.app.size.width < NARROW)

    def _lay_out(self, narrow: bool) -> None:
        # The lead's note comes right after the ticket; the facts take whatever width is left.
        self._narrow = narrow
        columns = NARROW_COLUMNS if narrow else COLUMNS
        for key, width in columns:
            self.add_column(Text(t(f"handover.col.{key}")), key=key, width=width)

    def on_resize(self, event: events.Resize) -> None:
        narrow = self.app.size.width < NARROW
        if narrow != self._narrow:
            row = self.cursor_row
            self.clear(columns=True)
            self._lay_out(narrow)
            self.show(self._shown, cursor=row)

    def show(self, items: tuple[TicketItem, ...], *, cursor: int | None = None) -> None:
        """Redraw the (short) list, keeping the cursor where it was or at `cursor`."""
        row = self.cursor_row if cursor is None else cursor
        self._shown = items
        self.clear()
        for item in items:
            cells = item_row(item, self.section, narrow=self._narrow)
            self.add_row(*cells, key=str(item.ticket_id), height=None if self._narrow else 1)
        if items:
            self.move_cursor(row=max(0, min(row, len(items) - 1)), animate=False)

    def _post(self, action: str, step: int = 0) -> None:
        if self.row_count or action == "undo":
            self.post_message(self.Act(self, action, self.cursor_row, step))

    def action_undo_item(self) -> None:
        self._post("undo")

    def action_open_item(self) -> None:
        self._post("open")

    def action_move(self, step: int) -> None:
        self._post("move", step)

    def action_annotate(self) -> None:
        self._post("annotate")

    def action_remove_item(self) -> None:
        self._post("remove")


def summary_table(content: HandoverContent) -> Table:
    """The shift's SLA numbers as a Rich table (our own labels and integers only)."""
    s = content.summary
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    lines = summary_lines(content)
    table.add_row(t("handover.md.sla"), lines[0])
    for row in s.attainment:
        total = row.met + row.breached
        rate = "—" if total == 0 else f"{row.met / total:.0%} ({row.met}/{total})"
        style = "" if total == 0 else ("green" if row.met / total >= 0.9 else "yellow" if row.met / total >= 0.75 else "red")
        table.add_row(t(f"metric.{row.metric}"), Text(rate, style=style))
    table.add_row("", lines[2])
    if content.window_start:
        span = f"{local(content.window_start)} – {local(content.window_end, '%H:%M')}"  # the zone is in the header
        table.add_row("", Text(span, style="dim"))
    return table
