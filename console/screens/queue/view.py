"""How queue rows and ticket details look: columns, cells, the detail header, clocks and thread.

Everything here builds `rich.text.Text` from the (already cleaned) strings of store.views;
no markup is ever parsed.
"""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text

from console.i18n import get_language, has, t
from console.zone import local
from store.categories import category_label, category_leaf
from store.views import ClockView, EventView, TicketDetail, TicketRow
from widgets.countdown import ClockFace, Palette, countdown, format_span, paused
from widgets.queue_table import Column

__all__ = ["clock_faces", "columns", "detail_head", "label", "local_time", "render_cell", "thread_text"]

PRIORITIES = ("urgent", "high", "normal", "low")
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
CHANNELS = ("email", "chat", "phone", "web", "social")
VIP_MARK = "★"
ESCALATED_MARK = "▲"
NOBODY = "—"
TIER_STYLES = {
    "gold": Style(color="yellow", bold=True),
    "platinum": Style(color="bright_white", bold=True),
    "diamond": Style(color="bright_cyan", bold=True),
}


def label(group: str, value: str) -> str:
    """The word for an enumerated value (status, priority...), or the value itself if unknown."""
    key = f"{group}.{value}"
    return t(key) if has(key) else value


def _widest(*texts: str) -> int:
    return max(cell_len(x) for x in texts)


def columns() -> tuple[Column, ...]:
    """The queue's columns in the current language, each as wide as its longest word.

    Priority, SLA, number, subject and status always show; as the terminal narrows the others
    drop whole (category first, then channel, age, customer, assignee) so that the subject keeps
    at least 30% of the line and no column is squeezed to an unreadable stub.
    """
    return (
        Column("priority", t("queue.col.priority"),
               _widest(t("queue.col.priority"), *(label("priority", p) for p in PRIORITIES)) + 1),
        Column("sla", t("queue.col.sla"), 7, live=True, align="right"),
        Column("id", t("queue.col.id"), 7, align="right"),
        Column("subject", t("queue.col.subject"), 24, flex=True, share=0.3),
        Column("customer", t("queue.col.customer"), 16, rank=2),
        Column("channel", t("queue.col.channel"),
               _widest(t("queue.col.channel"), *(label("channel", c) for c in CHANNELS)), rank=4),
        Column("category", t("queue.col.category"), 12, rank=5),
        Column("assignee", t("queue.col.assignee"), 10, rank=1),
        Column("status", t("queue.col.status"), _widest(t("queue.col.status"), *(label("status", s) for s in STATUSES))),
        Column("age", t("queue.col.age"), 6, live=True, align="right", rank=3),
    )


def _priority(row: TicketRow, palette: Palette) -> Text:
    style = {"urgent": palette.error, "high": palette.warning, "low": palette.muted}.get(row.priority, Style())
    text = Text(label("priority", row.priority), style=style)
    if row.escalated:
        text = Text.assemble((ESCALATED_MARK, palette.error), text)
    return text


def _sla(row: TicketRow, now: datetime, palette: Palette) -> Text:
    if row.due_at is not None:
        risk = row.risk_at if row.risk_at is not None else None
        return countdown(row.due_at, now, risk_at=risk, palette=palette)
    clock = row.nearest()
    if clock is not None and clock.paused_left is not None:
        return paused(clock.paused_left, palette=palette)
    return Text(NOBODY, style=palette.muted)


def _customer(row: TicketRow) -> Text:
    style = TIER_STYLES.get(row.customer_tier)
    if style is None:
        return Text(row.customer_name)
    return Text.assemble((VIP_MARK, style), row.customer_name)


def render_cell(row: TicketRow, column: Column, now: datetime, palette: Palette) -> Text:
    """One cell of the queue table (the table calls this; live columns on every tick)."""
    key = column.key
    if key == "sla":
        return _sla(row, now, palette)
    if key == "age":
        return Text(format_span(max(0.0, (now - row.created_at).total_seconds())), style=palette.muted)
    if key == "priority":
        return _priority(row, palette)
    if key == "id":
        return Text(f"#{row.id}", style=palette.accent)
    if key == "subject":
        return Text(row.subject)
    if key == "customer":
        return _customer(row)
    if key == "channel":
        return Text(label("channel", row.channel))
    if key == "category":
        return Text(category_leaf(row.category, get_language()))
    if key == "assignee":
        return Text(row.assignee_name) if row.assignee_id is not None else Text(NOBODY, style=palette.muted)
    if key == "status":
        style = palette.muted if row.status in ("pending", "on_hold") else Style()
        return Text(label("status", row.status), style=style)
    return Text("")


# -- the detail pane ---------------------------------------------------------------------------------


def local_time(at: datetime | None) -> str:
    """A timestamp in the display zone (console/zone.py: the one the header names), short form."""
    return local(at, "%m-%d %H:%M")


def detail_head(d: TicketDetail, palette: Palette) -> Text:
    row, customer = d.row, d.customer
    head = Text()
    head.append(f"#{row.id} ", style=palette.accent)
    head.append(row.subject, style=Style(bold=True))
    if row.escalated:
        head.append("  ")
        head.append(ESCALATED_MARK + t("detail.escalated"), style=palette.error)
    head.append("\n")
    head.append(t("detail.customer") + " ", style=palette.muted)
    head.append_text(_customer(row) if customer.name == row.customer_name else Text(customer.name))
    head.append("  " + t("detail.tier") + " ", style=palette.muted)
    head.append(label("tier", customer.tier), style=TIER_STYLES.get(customer.tier, Style()))
    if customer.contact:
        head.append("  " + t("detail.contact") + " ", style=palette.muted)
        head.append(customer.contact)
    head.append("\n")
    head.append_text(_priority(row, palette))
    head.append(" · " + label("status", row.status) + " · " + label("channel", row.channel) + " · ")
    head.append(category_label(row.category, get_language()) if row.category else NOBODY)
    head.append("  " + t("detail.assignee") + " ", style=palette.muted)
    head.append(row.assignee_name if row.assignee_id is not None else t("detail.nobody"))
    head.append("  " + t("detail.created") + " ", style=palette.muted)
    head.append(local_time(row.created_at))
    if d.policy_name:
        head.append("  " + t("detail.policy") + " ", style=palette.muted)
        head.append(d.policy_name)
    if d.fields:
        head.append("\n")
        head.append_text(fields_line(d.fields, palette.muted))
    return head


def fields_line(fields: tuple[tuple[str, str], ...], muted: Style) -> Text:
    """`Fields  order_id A1234 · eta 2024-01-18`: every value a template's `{name}` can take from
    the ticket, so what a reply fills in is never something the agent cannot see."""
    line = Text(t("detail.fields") + " ", style=muted)
    for index, (name, value) in enumerate(fields):
        if index:
            line.append(" · ", style=muted)
        line.append(name + " ", style=muted)
        line.append(value)
    return line


def _face(clock: ClockView) -> ClockFace:
    """A live clock shows its countdown (or its pause), as the row does; a decided one its outcome."""
    state = clock.state if clock.live else (clock.outcome or clock.state)
    note = t("detail.due", at=local_time(clock.due_at)) if clock.running and clock.due_at else ""
    if clock.live and clock.outcome == "breached":  # breached before its due time moved (a priority change)
        note = (note + "  " if note else "") + t("detail.breached_before")
    return ClockFace(label=label("metric", clock.metric), state=state, state_label=label("clock", state),
                     due=clock.due_at, risk_at=clock.risk_at, paused_left=clock.paused_left, note=note)


def clock_faces(d: TicketDetail) -> list[ClockFace]:
    """Live clocks first (all of them), then the latest decided clock of each other metric."""
    live = [c for c in d.clocks if c.live]
    shown = {c.metric for c in live}
    done: dict[str, ClockView] = {}
    for c in d.clocks:
        if not c.live and c.metric not in shown:
            done[c.metric] = c
    return [_face(c) for c in (*live, *done.values())]


def _event_line(e: EventView, palette: Palette) -> Text:
    line = Text()
    line.append(local_time(e.at) + "  ", style=palette.muted)
    kind_style = {
        "customer_message": palette.accent, "created": palette.accent, "internal_note": palette.warning,
        "sla_breached": palette.error, "escalated": palette.error, "agent_reply": palette.success,
    }.get(e.kind, Style(bold=True))
    line.append(label("event", e.kind), style=kind_style)
    who = e.actor_name or (t("event.customer") if e.kind in ("created", "customer_message") else t("event.system"))
    line.append(" · " + who, style=palette.muted)
    if e.kind == "sla_breached" and e.metric:
        line.append("  " + label("metric", e.metric), style=palette.error)
    elif e.before or e.after:
        group = {"status_changed": "status", "priority_changed": "priority", "escalated": "priority",
                 "tier_changed": "tier"}.get(e.kind)
        before = label(group, e.before) if group else e.before
        after = label(group, e.after) if group else e.after
        line.append("  " + (before or NOBODY) + " → " + (after or NOBODY))
    return line


def thread_text(d: TicketDetail, palette: Palette) -> Text:
    """The conversation and every change, oldest first, bodies indented under their entry."""
    out = Text()
    out.append(t("detail.thread"), style=Style(bold=True))
    if d.events_omitted:
        out.append("\n")
        out.append(t("detail.omitted", n=d.events_omitted), style=palette.muted)
    for e in d.events:
        out.append("\n")
        out.append_text(_event_line(e, palette))
        if e.body:
            body_style = palette.warning if e.kind == "internal_note" else Style()
            for body_line in e.body.split("\n"):
                out.append("\n  ")
                out.append(body_line, style=body_style)
    return out
