"""What a handover holds, as frozen values with a JSON form (the `handover.content` column).

A handover has three lists of ticket items (pending, in progress, special cases), three
free-text sections written by the lead (special cases, system incidents and announcements,
notes for the next shift), and the ending shift's SLA summary. Ticket facts are copied in
when drafted, so a submitted handover reads the same years later.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from typing import Any

SCHEMA = 1
ITEM_SECTIONS = ("pending", "in_progress", "special")
TEXT_SECTIONS = ("special", "system", "next")
# SLA state of a ticket item when drafted.
SLA_STATES = ("breached", "at_risk", "ok", "paused", "none")


@dataclass(frozen=True)
class TicketItem:
    """One ticket in a handover list, with what the lead added (note)."""

    ticket_id: int
    subject: str
    priority: str
    status: str
    customer: str = ""
    tier: str = "standard"
    assignee: str = ""
    sla_state: str = "none"
    due_at: str | None = None  # ISO UTC of the nearest running clock
    due_metric: str | None = None
    last: str = ""  # last status change or note (in progress), escalation reason (special)
    last_at: str | None = None
    reasons: tuple[str, ...] = ()  # special cases: vip, escalated, breached
    note: str = ""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TicketItem:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        known["reasons"] = tuple(known.get("reasons", ()))
        return cls(**known)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["reasons"] = list(self.reasons)
        return data


@dataclass(frozen=True)
class MetricAttainment:
    metric: str
    met: int
    breached: int

    @property
    def rate(self) -> float | None:
        total = self.met + self.breached
        return None if total == 0 else self.met / total


@dataclass(frozen=True)
class ShiftSummary:
    """The ending shift in numbers; at_risk_now and breached_now are as of drafting."""

    received: int = 0
    replied: int = 0
    solved: int = 0
    attainment: tuple[MetricAttainment, ...] = ()
    breaches: int = 0
    at_risk_now: int = 0
    breached_now: int = 0
    open_now: int = 0

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ShiftSummary:
        rows = tuple(MetricAttainment(**row) for row in data.get("attainment", ()))
        plain = {k: int(data.get(k, 0)) for k in cls.__dataclass_fields__ if k != "attainment"}
        return cls(attainment=rows, **plain)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["attainment"] = [asdict(row) for row in self.attainment]
        return data


@dataclass(frozen=True)
class HandoverContent:
    """The editable body of a handover; every change returns a new value."""

    pending: tuple[TicketItem, ...] = ()
    in_progress: tuple[TicketItem, ...] = ()
    special: tuple[TicketItem, ...] = ()
    texts: Mapping[str, str] = field(default_factory=lambda: dict.fromkeys(TEXT_SECTIONS, ""))
    summary: ShiftSummary = ShiftSummary()
    # How many matched before the lists were capped, per item section.
    totals: Mapping[str, int] = field(default_factory=dict)
    # Ticket ids the lead removed per section, so a refresh does not bring them back.
    removed: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    window_start: str = ""
    window_end: str = ""
    tz: str = "Asia/Taipei"
    drafted_at: str = ""
    saved_by: str = ""

    def items(self, section: str) -> tuple[TicketItem, ...]:
        if section not in ITEM_SECTIONS:
            raise KeyError(section)
        return getattr(self, section)

    def text(self, section: str) -> str:
        return self.texts.get(section, "")

    # -- edits ------------------------------------------------------------------------------

    def with_items(self, section: str, items: Iterable[TicketItem]) -> HandoverContent:
        self.items(section)
        return replace(self, **{section: tuple(items)})

    def with_text(self, section: str, text: str) -> HandoverContent:
        if section not in TEXT_SECTIONS:
            raise KeyError(section)
        return replace(self, texts={**self.texts, section: text})

    def move(self, section: str, index: int, step: int) -> HandoverContent:
        """Move one item up (step -1) or down (+1); out of range does nothing."""
        items = list(self.items(section))
        target = index + step
        if not (0 <= index < len(items) and 0 <= target < len(items)):
            return self
        items[index], items[target] = items[target], items[index]
        return self.with_items(section, items)

    def remove(self, section: str, index: int) -> HandoverContent:
        items = list(self.items(section))
        if not 0 <= index < len(items):
            return self
        gone = items.pop(index)
        removed = {**self.removed, section: (*self.removed.get(section, ()), gone.ticket_id)}
        return replace(self.with_items(section, items), removed=removed)

    def annotate(self, section: str, index: int, note: str) -> HandoverContent:
        items = list(self.items(section))
        if not 0 <= index < len(items):
            return self
        items[index] = replace(items[index], note=note.strip())
        return self.with_items(section, items)

    # -- JSON -------------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            **{s: [i.to_json() for i in self.items(s)] for s in ITEM_SECTIONS},
            "texts": {s: self.text(s) for s in TEXT_SECTIONS},
            "summary": self.summary.to_json(),
            "totals": dict(self.totals),
            "removed": {k: list(v) for k, v in self.removed.items()},
            "window": {"start": self.window_start, "end": self.window_end, "tz": self.tz},
            "drafted_at": self.drafted_at,
            "saved_by": self.saved_by,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> HandoverContent:
        data = data or {}
        window = data.get("window", {})
        texts = data.get("texts", {})
        return cls(
            **{s: tuple(TicketItem.from_json(i) for i in data.get(s, ())) for s in ITEM_SECTIONS},
            texts={s: str(texts.get(s, "")) for s in TEXT_SECTIONS},
            summary=ShiftSummary.from_json(data.get("summary", {})),
            totals={k: int(v) for k, v in data.get("totals", {}).items()},
            removed={k: tuple(int(x) for x in v) for k, v in data.get("removed", {}).items()},
            window_start=window.get("start", ""),
            window_end=window.get("end", ""),
            tz=window.get("tz", "Asia/Taipei"),
            drafted_at=data.get("drafted_at", ""),
            saved_by=data.get("saved_by", ""),
        )

    def plain_text(self) -> str:
        """Everything a search should find: ids, subjects, customers, notes and free text."""
        parts: list[str] = []
        for section in ITEM_SECTIONS:
            for item in self.items(section):
                parts.append(f"#{item.ticket_id:04d} {item.subject} {item.customer} {item.note} {item.last}")
        parts.extend(self.text(s) for s in TEXT_SECTIONS)
        return "\n".join(p for p in parts if p.strip())


def iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


# -- folding fresh data into an edited draft -----------------------------------------------------


def refreshed(current: HandoverContent, fresh: HandoverContent) -> HandoverContent:
    """Fresh facts and summary, the lead's order, notes and removals kept.

    Items still drafted take fresh facts in the lead's order; new ones follow in drafted
    order; removed ones stay out; an item no longer drafted stays only if the lead wrote a note.
    """
    out = replace(current, summary=fresh.summary, totals=fresh.totals, drafted_at=fresh.drafted_at,
                  window_start=fresh.window_start or current.window_start,
                  window_end=fresh.window_end or current.window_end, tz=fresh.tz)
    for section in ITEM_SECTIONS:
        removed = set(current.removed.get(section, ()))
        latest = {i.ticket_id: i for i in fresh.items(section)}
        kept: list[TicketItem] = []
        for item in current.items(section):
            new = latest.pop(item.ticket_id, None)
            if new is not None:
                kept.append(replace(new, note=item.note))
            elif item.note:
                kept.append(item)
        seen = {i.ticket_id for i in kept}
        kept.extend(i for i in fresh.items(section) if i.ticket_id not in seen and i.ticket_id not in removed
                    and i.ticket_id in latest)
        out = out.with_items(section, kept)
    return out


# -- three-way merge after a refused save --------------------------------------------------------


def merge_text(base: str, mine: str, theirs: str, mine_label: str) -> tuple[str, bool]:
    """(merged text, whether both sides changed it). Both texts always survive a conflict."""
    if mine == theirs or mine == base:
        return theirs, False
    if theirs == base:
        return mine, False
    if mine.startswith(base) and theirs.startswith(base):
        return theirs + mine[len(base):], True
    if mine in theirs:
        return theirs, True
    if theirs in mine:
        return mine, True
    return f"{theirs.rstrip()}\n\n{mine_label}\n{mine.strip()}\n", True


def _merge_note(base: str, mine: str, theirs: str) -> str:
    if mine == theirs or mine == base:
        return theirs
    if theirs == base or not theirs:
        return mine
    return f"{theirs} / {mine}"


def merge(base: HandoverContent, mine: HandoverContent, theirs: HandoverContent,
          mine_label: str) -> tuple[HandoverContent, tuple[str, ...]]:
    """Combine my unsaved edits with a version someone else saved; returns (merged, conflicting text sections).

    Their order wins; my removals and notes apply on top; a note both changed keeps both.
    Free text both changed keeps both, mine after theirs under `mine_label`.
    """
    out = theirs
    conflicts: list[str] = []
    for section in TEXT_SECTIONS:
        text, clash = merge_text(base.text(section), mine.text(section), theirs.text(section), mine_label)
        out = out.with_text(section, text)
        if clash:
            conflicts.append(section)
    removed_all: dict[str, tuple[int, ...]] = {}
    for section in ITEM_SECTIONS:
        base_items = {i.ticket_id: i for i in base.items(section)}
        mine_items = {i.ticket_id: i for i in mine.items(section)}
        my_removals = {tid for tid in base_items if tid not in mine_items}
        items: list[TicketItem] = []
        for item in theirs.items(section):
            if item.ticket_id in my_removals and not item.note:
                continue
            mine_item = mine_items.get(item.ticket_id)
            if mine_item is not None:
                base_note = base_items[item.ticket_id].note if item.ticket_id in base_items else ""
                item = replace(item, note=_merge_note(base_note, mine_item.note, item.note))
            items.append(item)
        seen = {i.ticket_id for i in items}
        # Mine only: tickets my refresh added, or ones they removed after I wrote a note on them.
        items.extend(i for tid, i in mine_items.items() if tid not in seen and (
            tid not in base_items or (i.note and i.note != base_items[tid].note)))
        out = out.with_items(section, items)
        removed_all[section] = tuple(sorted(set(theirs.removed.get(section, ())) | set(mine.removed.get(section, ()))))
    return replace(out, removed=removed_all), tuple(conflicts)
