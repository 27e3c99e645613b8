"""Placeholders in reply templates: parse, fill without a second pass, find what is left, measure edits."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from difflib import SequenceMatcher

__all__ = [
    "KNOWN_PLACEHOLDERS",
    "PERSONAL_TARGET",
    "TICKET_PLACEHOLDERS",
    "WRITE_IN_PLACEHOLDERS",
    "FillResult",
    "Placeholder",
    "fill",
    "find_unfilled",
    "format_ticket_id",
    "personal_share",
    "placeholder_names",
    "stray_braces",
    "ticket_values",
]

# Filled from the ticket, its customer and the agent.
TICKET_PLACEHOLDERS = ("customer", "ticket", "agent", "status", "order_id", "eta", "product", "phone", "tier")
# Left for the agent to write: the personal part of a reply; an open one blocks sending.
WRITE_IN_PLACEHOLDERS = ("details", "steps", "reason", "offer", "highlight", "alternative", "note")
KNOWN_PLACEHOLDERS = frozenset(TICKET_PLACEHOLDERS + WRITE_IN_PLACEHOLDERS)

# The handbook asks for about a fifth of every reply to be the agent's own words.
PERSONAL_TARGET = 0.20

NAME_PATTERN = r"[A-Za-z_][A-Za-z0-9_]*"
_NAME = re.compile(NAME_PATTERN)
# Order matters: doubled braces first, then a whole placeholder, then a lone brace.
_TOKEN = re.compile(r"\{\{|\}\}|\{(" + NAME_PATTERN + r")\}|[{}]")
_PLAIN_PLACEHOLDER = re.compile(r"\{(" + NAME_PATTERN + r")\}")


@dataclass(frozen=True)
class Placeholder:
    """An open `{name}` and where it sits in a text, so a view can highlight it."""

    name: str
    start: int
    end: int


@dataclass(frozen=True)
class FillResult:
    text: str
    unfilled: list[Placeholder] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.unfilled


def placeholder_names(template_text: str) -> tuple[str, ...]:
    """Each placeholder name once, in order of first use (`{{name}}` is literal text, not one)."""
    seen: dict[str, None] = {}
    for match in _TOKEN.finditer(template_text):
        if match.group(1):
            seen.setdefault(match.group(1), None)
    return tuple(seen)


def stray_braces(template_text: str) -> list[tuple[str, int]]:
    """Lone braces (neither doubled nor around a name): almost always a typo in a template."""
    return [(m.group(0), m.start()) for m in _TOKEN.finditer(template_text) if m.group(0) in ("{", "}")]


def _present(value: object) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else str(value)
    return text if text.strip() else None


def fill(template_text: str, values: Mapping[str, object]) -> FillResult:
    """Put values in one pass; a value is inserted verbatim and never scanned again.

    A missing or blank value leaves `{name}` in place and is reported with its position
    in the returned text. `{{` and `}}` become single braces; lone braces stay as they are.
    """
    out: list[str] = []
    length = 0
    unfilled: list[Placeholder] = []
    last = 0
    for match in _TOKEN.finditer(template_text):
        literal = template_text[last : match.start()]
        out.append(literal)
        length += len(literal)
        token = match.group(0)
        name = match.group(1)
        if name:
            value = _present(values.get(name))
            if value is None:
                piece = token
                unfilled.append(Placeholder(name, length, length + len(piece)))
            else:
                piece = value
        elif token in ("{{", "}}"):
            piece = token[0]
        else:
            piece = token
        out.append(piece)
        length += len(piece)
        last = match.end()
    out.append(template_text[last:])
    return FillResult("".join(out), unfilled)


def find_unfilled(text: str, names: set[str] | frozenset[str] | None = None) -> list[Placeholder]:
    """Open placeholders in text the agent has edited (plain text: no brace escaping).

    Pass `names` (e.g. those still open after `fill`) so that a customer value that
    happens to look like `{agent}` does not count as a hole.
    """
    found = []
    for match in _PLAIN_PLACEHOLDER.finditer(text):
        if names is None or match.group(1) in names:
            found.append(Placeholder(match.group(1), match.start(), match.end()))
    return found


def format_ticket_id(ticket_id: int | str) -> str:
    """Tickets are spoken of as `#234`, as every screen and the handover sheet show them."""
    if isinstance(ticket_id, int):
        return f"#{ticket_id}"
    text = str(ticket_id).strip()
    if text.isdigit():
        return f"#{int(text)}"
    return text


def _scalar(value: object) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str | int | float):
        return _present(value)
    return None


def fillable_fields(fields: Mapping[str, object]) -> dict[str, str]:
    """The custom fields a template can fill (`{order_id}`, `{eta}`, ...): named like a
    placeholder, a non-blank text or number; fields starting with `_` are Shiftdesk's own
    bookkeeping (`_intake`) and nested values are no placeholder's."""
    out: dict[str, str] = {}
    for key, value in fields.items():
        text = _scalar(value)
        if isinstance(key, str) and _NAME.fullmatch(key) and not key.startswith("_") and text is not None:
            out[key] = text
    return out


def ticket_values(
    *,
    customer: str | None = None,
    ticket_id: int | str | None = None,
    agent: str | None = None,
    status: str | None = None,
    tier: str | None = None,
    fields: Mapping[str, object] | None = None,
    **extra: object,
) -> dict[str, str]:
    """Values for `fill` from plain ticket data: custom fields first, then what the ticket itself says.

    `status` and `tier` are display labels (already translated); `extra` takes `product=`,
    `phone=`, `order_id=`, `eta=` and beats a custom field of the same name. Blank values
    are left out so the placeholder stays open.
    """
    values = fillable_fields(fields or {})
    for key, value in extra.items():
        text = _scalar(value)
        if text is not None:
            values[key] = text
    core = {
        "customer": customer,
        "ticket": format_ticket_id(ticket_id) if ticket_id is not None else None,
        "agent": agent,
        "status": status,
        "tier": tier,
    }
    for key, value in core.items():
        text = _scalar(value)
        if text is not None:
            values[key] = text
    return values


# A common run shorter than this (CJK characters weigh 2) is chance, not kept template text.
MIN_KEPT_WEIGHT = 6


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _weight(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def personal_share(template_filled: str, final_text: str, holes: Collection[str] = ()) -> float:
    """Share of the final reply (in characters, whitespace folded) the agent wrote themselves.

    Neither the filled template's text nor what was typed into its open placeholders (`holes`:
    the names still `{open}` in `template_filled`) counts: an order number written over
    `{order_id}` is a fill, not personal writing. 0.0 when sent unchanged or only filled in, 1.0
    when written from scratch; character-level, so it works for Chinese as well as English.
    """
    base = _normalise(template_filled)
    final = _normalise(final_text)
    if not final:
        return 0.0
    if not base:
        return 1.0
    if base == final:
        return 0.0
    blanks = [(m.start(), m.end()) for m in _PLAIN_PLACEHOLDER.finditer(base) if m.group(1) in holes]
    # A very short reply may keep a short piece whole; do not call that chance.
    threshold = min(MIN_KEPT_WEIGHT, _weight(base), _weight(final))
    matcher = SequenceMatcher(None, base, final, autojunk=False)
    not_own = 0
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "delete":
            continue
        if any(i1 < end and i2 > start for start, end in blanks):
            not_own += j2 - j1  # written where a placeholder was: a fill
        elif tag == "equal" and _weight(final[j1:j2]) >= threshold:
            not_own += j2 - j1  # kept from the template
    return max(0.0, min(1.0, (len(final) - not_own) / len(final)))
