"""A handover as Markdown (the seeds' shape) or JSON, in the console's language.

What is neutralised in Markdown, and why:

- Customer text and ticket-item notes (subjects, customer names, escalation reasons, the
  lead's one-line notes) go through `clean_line` first: one line, and every control byte
  (ESC, BEL, C1, bidi overrides) becomes a visible stand-in, so no terminal sequence
  survives. Then every ASCII character that can start inline Markdown is backslash-escaped
  (``\\ ` * _ { } [ ] ( ) < > # + ! | ~ &``), so a subject cannot make emphasis, links, images,
  code, raw HTML, table cells or entities. Being one line after our own ``- #0234`` prefix,
  it cannot start a block either.
- The lead's free-text sections are Markdown on purpose and keep lists and emphasis. They
  go through `clean_text` (controls made visible, newlines kept); ``<`` and ``&`` become
  entities (no raw HTML), and a line that could open or underline a heading (``#``, a
  run of ``=`` or ``-``) gets a backslash, so nothing a lead types can add or break a
  section of the export.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from console.i18n import t
from console.sanitize import clean_line, clean_text
from console.zone import local, zone_name
from store.handover.content import HandoverContent, TicketItem
from store.handover.lifecycle import HandoverView

_INLINE = re.compile(r"([\\`*_{}\[\]()<>#+!|~&])")
_HEADING_LINE = re.compile(r"^(\s{0,3})(#|=+\s*$|-+\s*$)")


def md_inline(value: object) -> str:
    """Customer or item text as one inert Markdown line."""
    return _INLINE.sub(r"\\\1", clean_line(value))


def md_block(value: object) -> str:
    """The lead's Markdown, minus raw HTML and anything that would open or underline a heading.

    Each line the lead typed stays a line: a line followed by another ends in a hard break (two
    spaces), where Markdown would otherwise join the two into one sentence."""
    text = clean_text(value).replace("&", "&amp;").replace("<", "&lt;")
    lines = [_HEADING_LINE.sub(r"\1\\\2", line).rstrip() for line in text.strip().split("\n")]
    return "\n".join(line + "  " if line and index + 1 < len(lines) and lines[index + 1] else line
                     for index, line in enumerate(lines))


def status_text(value: str) -> str:
    """'status:open>pending' (how drafting records a status change) in words."""
    if value.startswith("status:") and ">" in value:
        before, after = value[len("status:"):].split(">", 1)
        return t("handover.last_status", before=t(f"status.{before}") if before else "-", after=t(f"status.{after}"))
    return value


def sla_text(item: TicketItem) -> str:
    if item.sla_state == "paused":
        return t("handover.sla.paused")
    if item.sla_state not in ("breached", "at_risk", "ok") or not item.due_metric:
        return ""
    return t(f"handover.sla.{item.sla_state}", metric=t(f"metric.{item.due_metric}"),
             due=local(item.due_at, "%m/%d %H:%M"))


def _same(value: str) -> str:
    return value


def item_facts(item: TicketItem, section: str, esc: Callable[[str], str] = _same, *,
               priority: bool = True) -> list[str]:
    """The facts after a ticket's subject, most important first; `esc` is applied to data only."""
    facts: list[str] = []
    if section == "special":
        for reason in item.reasons:
            facts.append(t("handover.reason.vip", tier=t(f"tier.{item.tier}")) if reason == "vip"
                         else t(f"handover.reason.{reason}"))
    if priority:
        facts.append(t(f"priority.{item.priority}"))
    if section == "in_progress":
        facts.append(t(f"status.{item.status}"))
    sla = sla_text(item)
    if sla:
        facts.append(sla)
    if item.assignee and section != "pending":
        facts.append(esc(item.assignee))
    if item.last:
        last = status_text(item.last) if item.last.startswith("status:") else esc(item.last)
        facts.append(t("handover.last", text=last))
    return facts


def _item_line(item: TicketItem, section: str) -> str:
    details = [md_inline(item.note)] if item.note else []
    details += item_facts(item, section, md_inline)
    return f"- #{item.ticket_id} {md_inline(item.subject)} - {' · '.join(details)}"


def _items(content: HandoverContent, section: str) -> list[str]:
    items = content.items(section)
    lines = [_item_line(i, section) for i in items] or [t("handover.md.none")]
    hidden = content.totals.get(section, len(items)) - len(items) - len(content.removed.get(section, ()))
    if hidden > 0:
        lines += ["", t("handover.md.more", n=hidden)]  # its own paragraph, not part of the last item
    return lines


def _rate(metric: str, met: int, breached: int) -> str:
    total = met + breached
    if total == 0:
        return t("handover.metric.none", metric=t(f"metric.{metric}"))
    return t("handover.metric.rate", metric=t(f"metric.{metric}"), rate=f"{met / total:.0%}", met=met, total=total)


def summary_lines(content: HandoverContent) -> list[str]:
    s = content.summary
    return [
        t("handover.md.sla_counts", received=s.received, replied=s.replied, solved=s.solved),
        " · ".join(_rate(a.metric, a.met, a.breached) for a in s.attainment),
        t("handover.md.sla_breaches", breaches=s.breaches, at_risk=s.at_risk_now, breached=s.breached_now,
          open=s.open_now),
    ]


def to_markdown(view: HandoverView, *, name_zone: bool = True) -> str:
    """The handover in the seeds' shape. `name_zone`: say which zone its times are in (an export
    must; the console's own screen names it once, in the header)."""
    c = view.content
    out = [f"## {t('handover.md.title', date=view.shift_date.strftime('%Y/%m/%d'), from_shift=md_inline(view.from_shift), to_shift=md_inline(view.to_shift))}", ""]
    if view.submitted_at is not None:
        out.append(f"- {t('handover.md.author', who=md_inline(view.author), at=local(view.submitted_at))}")
    else:
        out.append(f"- {t('handover.md.draft', who=md_inline(view.author))}")
    if name_zone:
        out.append(f"- {t('handover.md.zone', zone=md_inline(zone_name()))}")  # every time below is in it
    if view.acknowledged_at is not None:
        out.append(f"- {t('handover.md.acked', who=md_inline(view.acknowledged_by), at=local(view.acknowledged_at))}")
        if view.ack_reply:
            out.append(f"- {t('handover.md.ack_reply', reply=md_inline(view.ack_reply))}")
    elif view.status == "submitted":
        out.append(f"- {t('handover.md.not_acked')}")
    out += ["", f"### {t('handover.md.pending', n=len(c.pending))}", *_items(c, "pending"), ""]
    out += [f"### {t('handover.md.in_progress', n=len(c.in_progress))}", *_items(c, "in_progress"), ""]
    out += [f"### {t('handover.md.special')}", *_items(c, "special")]
    if c.text("special").strip():
        out += ["", md_block(c.text("special"))]
    out += ["", f"### {t('handover.md.notes')}"]
    for key, label in (("system", "handover.md.system"), ("next", "handover.md.next")):
        if c.text(key).strip():
            out += ["", f"**{t(label)}**", "", md_block(c.text(key))]
    out += ["", f"**{t('handover.md.sla')}**", "", *(f"- {line}" for line in summary_lines(c))]
    if view.addenda:
        out += ["", f"### {t('handover.md.addenda')}"]
        out += [f"- {t('handover.addendum.line', at=local(a.at), who=md_inline(a.author), body=md_inline(a.body))}"
                for a in view.addenda]
    return "\n".join(out).rstrip() + "\n"


def to_json(view: HandoverView) -> str:
    """Everything, as data: control characters are JSON escapes, so nothing acts on a terminal."""
    def stamp(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    data = {
        "id": view.id, "team": view.team, "shift_date": view.shift_date.isoformat(), "from_shift": view.from_shift,
        "to_shift": view.to_shift, "status": view.status, "version": view.version, "author": view.author,
        "created_at": stamp(view.created_at), "updated_at": stamp(view.updated_at),
        "submitted_at": stamp(view.submitted_at), "acknowledged_by": view.acknowledged_by or None,
        "acknowledged_at": stamp(view.acknowledged_at), "ack_reply": view.ack_reply,
        "content": view.content.to_json(),
        "addenda": [{"author": a.author, "at": a.at.isoformat(), "body": a.body} for a in view.addenda],
    }
    from console.safe_output import json_text

    return json_text(data, indent=2) + "\n"
