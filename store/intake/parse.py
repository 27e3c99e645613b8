"""Reading one input whole: decode, cut into records, recognise the format, check every record.

Nothing here touches the database; the writer checks what needs it (tickets that should
already exist, events arriving out of order) before it writes anything.
"""

from __future__ import annotations

from pathlib import Path

from store.intake.encoding import decode
from store.intake.formats import freshdesk, generic, zendesk
from store.intake.records import (
    IntakeError,
    MessageIn,
    Parsed,
    Problem,
    StatusIn,
    SurveyIn,
    TicketIn,
    Unit,
)
from store.intake.split import Split, container_of, split_csv, split_json, split_jsonl
from store.intake.values import FieldError, every_error

FORMATS = ("auto", "generic", "zendesk", "freshdesk")


def parse_path(path: Path, *, opts: generic.Options, fmt: str = "auto", encoding: str | None = None,
               name: str | None = None) -> Parsed:
    source = name or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return Parsed(source, fmt, problems=[Problem(source, None, "file_unreadable", {"error": exc.strerror or str(exc)})])
    return parse_bytes(data, source, opts=opts, fmt=fmt, encoding=encoding)


def parse_bytes(data: bytes, source: str, *, opts: generic.Options, fmt: str = "auto",
                encoding: str | None = None) -> Parsed:
    try:
        text, _used = decode(data, source, encoding)
    except IntakeError as exc:
        return Parsed(source, fmt, problems=list(exc.problems))
    return parse_text(text, source, opts=opts, fmt=fmt)


def _split(text: str, source: str) -> Split:
    container = container_of(text, source)
    if container == "csv":
        return split_csv(text, source)
    if container == "jsonl":
        return split_jsonl(text, source)
    return split_json(text, source)


def _format(split: Split, fmt: str) -> str:
    if fmt != "auto":
        return fmt
    if split.container == "csv":
        return "freshdesk" if freshdesk.looks_like(split.header) else "generic"
    if split.container == "json-object":
        return "zendesk"
    first = next((u.data for u in split.units if isinstance(u.data, dict)), None)
    return "zendesk" if zendesk.looks_like(first) else "generic"


def _header_problems(split: Split, fmt: str, source: str) -> list[Problem]:
    if fmt == "freshdesk":
        missing = freshdesk.missing_columns(split.header)
    else:
        missing = [c for c in generic.CSV_REQUIRED if c not in split.header]
        customer_columns = ("customer_name", "customer_contact", "customer_external_id")
        if not any(c in split.header for c in customer_columns):
            missing.append(" or ".join(customer_columns))
    return [Problem(source, 1, "csv_header_missing", {"columns": ", ".join(missing)})] if missing else []


def parse_text(text: str, source: str, *, opts: generic.Options, fmt: str = "auto") -> Parsed:
    """Every record of one input, checked; problems name the line and field."""
    split = _split(text, source)
    chosen = _format(split, fmt)
    parsed = Parsed(source, chosen, problems=list(split.problems), container=split.container,
                    header=split.header_raw, extra={"delimiter": split.delimiter, "others_raw": split.others_raw})
    if not split.units and not split.problems:
        parsed.problems.append(Problem(source, None, "empty_file", {}))
        return parsed
    if (split.container == "csv" and chosen == "zendesk") or (split.container == "json-object" and chosen != "zendesk"):
        parsed.problems.append(Problem(source, None, "format_unknown",
                                       {"detail": f"a {split.container} file cannot hold the {chosen} format"}))
        return parsed
    if split.container == "csv":
        header = _header_problems(split, chosen, source)
        if header:
            parsed.problems.extend(header)
            return parsed
        if chosen == "freshdesk" and split.units and freshdesk.needs_zone(split.units[0].data, opts):
            parsed.problems.append(Problem(source, None, "needs_tz", {"source": "Freshdesk"}))
            return parsed
    for unit in split.unreadable:
        parsed.units[unit.line] = unit  # kept for the reject file
    users = zendesk.users_by_id(split.others) if chosen == "zendesk" else {}
    rejected: dict[str, int] = {}
    for unit in split.units:
        parsed.units[unit.line] = unit
        try:
            parsed.records.extend(_convert(unit, chosen, split.container, opts, users))
        except FieldError as exc:
            parsed.problems.extend(Problem(source, unit.line, e.code, e.params) for e in every_error(exc))
            ext = _ticket_id_of(unit)
            if ext:
                rejected.setdefault(ext, unit.line)
    _cross_check(parsed, rejected)
    return parsed


def parse_line(text: str, source: str, line: int, opts: generic.Options) -> list:
    """One line of a generic JSON Lines stream, or IntakeError naming the line."""
    split = split_jsonl(text, source, first_line=line)
    if split.problems:
        raise IntakeError(split.problems)
    if not split.units:
        return []
    try:
        return [generic.record(split.units[0].data, line, opts)]
    except FieldError as exc:
        raise IntakeError([Problem(source, line, e.code, e.params) for e in every_error(exc)]) from None


def _convert(unit: Unit, fmt: str, container: str, opts: generic.Options, users: dict) -> list:
    if fmt == "zendesk":
        return zendesk.ticket(unit.data, unit.line, opts, users)
    if fmt == "freshdesk":
        return freshdesk.row(unit.data, unit.line, opts)
    if container == "csv":
        return [generic.csv_row(unit.data, unit.line, opts)]
    return [generic.record(unit.data, unit.line, opts)]


def _ticket_id_of(unit: Unit) -> str | None:
    """The external_id of a ticket record that failed, so its messages can say why they are refused."""
    data = unit.data
    if isinstance(data, dict) and data.get("type", "ticket") == "ticket" and isinstance(data.get("external_id"), str | int):
        return str(data["external_id"]).strip()
    return None


def _explicit(key: str) -> bool:
    """Keys that come from ids in the file (not digests) must not repeat within it."""
    return not key.startswith(("m#", "v#", "s:"))


def _cross_check(parsed: Parsed, rejected: dict[str, int]) -> None:
    """Duplicates within the file, references to tickets, and times before a ticket's creation."""
    source = parsed.source
    tickets: dict[str, TicketIn] = {}
    keys: dict[str, int] = {}
    for rec in parsed.records:
        if isinstance(rec, TicketIn):
            first = tickets.get(rec.external_id)
            if first is not None:
                parsed.problems.append(Problem(source, rec.line, "duplicate_id",
                                               {"field": "external_id", "value": rec.external_id, "first": first.line}))
                continue
            tickets[rec.external_id] = rec
    duplicated = parsed.bad_lines()
    for rec in parsed.records:
        if isinstance(rec, TicketIn) or rec.line in duplicated:
            continue
        assert isinstance(rec, MessageIn | StatusIn | SurveyIn)
        if rec.key and _explicit(rec.key):
            first_line = keys.setdefault(rec.key, rec.line)
            if first_line != rec.line:
                label = "message_id" if isinstance(rec, MessageIn) else "survey_id"
                parsed.problems.append(Problem(source, rec.line, "duplicate_id",
                                               {"field": label, "value": rec.key.split(":", 1)[-1], "first": first_line}))
                continue
        if rec.external_id in rejected and rec.external_id not in tickets:
            parsed.problems.append(Problem(source, rec.line, "ticket_rejected",
                                           {"value": rec.external_id, "first": rejected[rec.external_id]}))
            continue
        owner = tickets.get(rec.external_id)
        if owner is not None and rec.at < owner.created_at and owner.line != rec.line:
            parsed.problems.append(Problem(source, rec.line, "before_created",
                                           {"field": "at", "value": rec.at.isoformat(),
                                            "created": owner.created_at.isoformat()}))
    bad = parsed.bad_lines()
    if bad:
        parsed.records = [r for r in parsed.records if r.line not in bad]
    parsed.problems.sort(key=lambda p: (p.line or 0))
