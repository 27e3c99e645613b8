"""How the composer looks: ticket header, reply clock, the customer's last message, holes, changes.

Everything is `rich.text.Text` built from cleaned strings (store views are cleaned already);
no markup is parsed anywhere.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from rich.style import Style
from rich.text import Text

from console import sanitize
from console.i18n import get_language, has, t
from console.screens.queue.view import fields_line
from console.zone import local
from store.replies.drafts import SentReply
from store.replies.library import ReplyTemplate, category_label
from store.views import ClockView, EventView, TicketDetail
from widgets.countdown import countdown
from widgets.reply_editor import Hole
from widgets.template_picker import TemplateChoice

__all__ = [
    "change_lines",
    "choices",
    "clock_line",
    "head_text",
    "holes_text",
    "last_message",
    "local_time",
    "reply_clock",
    "sent_notice",
    "template_line",
]

MUTED = Style(dim=True)
BOLD = Style(bold=True)
WARN = Style(color="yellow", bold=True)
ERROR = Style(color="red", bold=True)
SEP = " · "
MAX_HOLES_SHOWN = 3


def _word(group: str, value: str) -> str:
    key = f"{group}.{value}"
    return t(key) if has(key) else value


def head_text(detail: TicketDetail) -> Text:
    """`#0012  Subject` over `customer · tier · priority · status · category · assignee`."""
    row = detail.row
    text = Text(f"#{row.id}", style=BOLD)
    text.append("  ")
    text.append(row.subject, style=BOLD)
    text.append("\n")
    text.append(detail.customer.name)
    for part in (_word("tier", detail.customer.tier), _word("priority", row.priority), _word("status", row.status),
                 category_label(row.category, get_language()) if row.category else "",
                 row.assignee_name or t("composer.head.unassigned")):
        if part:
            text.append(SEP, style=MUTED)
            text.append(part)
    if detail.fields:
        text.append("\n")
        text.append_text(fields_line(detail.fields, MUTED))
    return text


def reply_clock(detail: TicketDetail) -> ClockView | None:
    """The reply clock the next reply will stop: first reply, else a running next reply."""
    live = [c for c in detail.clocks if c.metric in ("first_reply", "next_reply") and c.live]
    return live[-1] if live else None


def clock_line(clock: ClockView | None, now: datetime) -> Text:
    """`First reply  1h40m left`, in the warning colour when at risk and red once overdue."""
    if clock is None or clock.due_at is None:
        return Text(t("composer.head.no_clock"), style=MUTED)
    text = Text(_word("metric", clock.metric))
    text.append("  ")
    left = countdown(clock.due_at, now, risk_at=clock.risk_at)
    if clock.breached(now):
        left.stylize(ERROR)
        text.append_text(left)
        text.append(" ")
        text.append(t("composer.head.overdue"), style=ERROR)
    else:
        if clock.at_risk(now):
            left.stylize(WARN)
        text.append_text(left)
        text.append(" ")
        text.append(t("composer.head.left"), style=MUTED)
    return text


def last_message(detail: TicketDetail) -> Text:
    """The customer's most recent public message, as written (cleaned multi-line text)."""
    for event in reversed(detail.events):
        if event.kind in ("customer_message", "created") and event.public and event.body.strip():
            return Text(event.body)
    return Text(t("composer.last.none"), style=MUTED)


def template_line(template: ReplyTemplate | None) -> Text:
    if template is None:
        return Text(t("composer.template.none"), style=MUTED)
    text = Text(t("composer.template.current"), style=MUTED)
    text.append(sanitize.clean_line(template.title), style=BOLD)
    text.append(f"  ({sanitize.clean_line(template.key, limit=64)})", style=MUTED)
    return text


def holes_text(holes: Sequence[Hole]) -> Text:
    """`2 placeholders to fill: {details} line 3, col 5 · {steps} …  F3 jumps to the next`."""
    if not holes:
        return Text(t("composer.holes.none"), style=Style(color="green"))
    text = Text(t("composer.holes.some", n=len(holes)), style=WARN)
    for index, hole in enumerate(holes[:MAX_HOLES_SHOWN]):
        if index:
            text.append(SEP, style=MUTED)
        text.append("{" + hole.name + "}", style=BOLD)
        text.append(" ")
        text.append(t("composer.holes.at", line=hole.row + 1, column=hole.column + 1), style=MUTED)
    if len(holes) > MAX_HOLES_SHOWN:
        text.append(" ")
        text.append(t("composer.holes.more", n=len(holes) - MAX_HOLES_SHOWN), style=MUTED)
    text.append("   ")
    text.append(t("composer.holes.hint"), style=MUTED)
    return text


def choices(templates: Iterable[ReplyTemplate], ui_language: str, current: str) -> list[TemplateChoice]:
    """Templates as the picker lists them: title, then category and language."""
    out = []
    for template in templates:
        language = t(f"composer.lang.{template.language}") if has(f"composer.lang.{template.language}") \
            else template.language
        detail = f"{language}{SEP}{category_label(template.category, ui_language)}"
        out.append(TemplateChoice(key=template.key, title=sanitize.clean_line(template.title),
                                  detail=sanitize.clean_line(detail), current=template.key == current))
    return out


def _who(event: EventView) -> str:
    return event.actor_name or t("composer.change.someone")


def change_lines(events: Sequence[EventView]) -> Text:
    """What happened after the composer opened, one line per event (the body of a reply too)."""
    text = Text()
    for event in events:
        if event.kind in ("agent_reply", "internal_note", "escalated"):
            line = t(f"composer.change.{event.kind}", who=_who(event))
        elif event.kind == "customer_message":
            line = t("composer.change.customer_message")
        elif event.kind in ("status_changed", "priority_changed", "tier_changed"):
            group = {"status_changed": "status", "priority_changed": "priority", "tier_changed": "tier"}[event.kind]
            line = t(f"composer.change.{event.kind}", before=_word(group, event.before),
                     after=_word(group, event.after))
        elif event.kind == "assigned":
            nobody = t("composer.head.unassigned")
            line = t("composer.change.assigned", before=event.before or nobody, after=event.after or nobody)
        else:
            continue
        if text:
            text.append("\n")
        text.append("• ")
        text.append(line, style=BOLD)
        if event.kind in ("agent_reply", "customer_message") and event.body.strip():
            quoted = sanitize.clean_line(event.body, limit=120)
            text.append("\n  ")
            text.append(quoted, style=MUTED)
    if not text:
        text.append("• ")
        text.append(t("composer.change.other"), style=BOLD)
    return text


def local_time(at: datetime) -> str:
    """A time of day in the display zone (console/zone.py), as every screen shows it."""
    return local(at, "%H:%M:%S")


def sent_notice(sent: SentReply) -> tuple[str, str]:
    """The toast after sending (plain text) and its severity: a warning when a clock was breached."""
    ticket = f"#{sent.ticket_id}"
    words = [t("composer.sent.status", ticket=ticket, status=_word("status", sent.status))
             if sent.status in ("pending", "solved") else t("composer.sent", ticket=ticket)]
    if sent.claimed:
        words.append(t("composer.sent.claimed", ticket=ticket))
    words += [t("composer.sent.clock", metric=_word("metric", metric), outcome=t(f"composer.outcome.{outcome}"))
              for metric, outcome in sent.stopped if outcome in ("met", "breached")]
    breached = any(outcome == "breached" for _, outcome in sent.stopped)
    return "\n".join(words), "warning" if breached else "information"
