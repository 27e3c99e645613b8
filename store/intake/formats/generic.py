"""Shiftdesk's own intake format: JSON Lines (or a JSON array) of ticket, message, status and
survey records keyed by `external_id`, and a CSV of ticket rows with the same field names.
The README's "Importing tickets" section documents it; keep the two in step.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, tzinfo

from store.intake.records import CustomerIn, MessageIn, Record, StatusIn, SurveyIn, TicketIn
from store.intake.values import FieldError, Gather, choice, kind_of, parse_time, repair, text
from store.models import CHANNELS, PRIORITIES, STATUSES, TIERS

KINDS = ("ticket", "message", "status", "survey")
LANGUAGES = ("zh-TW", "en")
LANGUAGE_ALIASES = {"zh-tw": "zh-TW", "zh_tw": "zh-TW", "zh-hant": "zh-TW", "zh": "zh-TW", "en-us": "en", "en-gb": "en"}
AUTHORS = ("customer", "agent", "note")
ALLOWED = {
    "ticket": ("type", "external_id", "created_at", "updated_at", "subject", "body", "customer", "channel",
               "priority", "status", "category", "language", "fields"),
    "message": ("type", "external_id", "at", "body", "author", "agent", "message_id"),
    "status": ("type", "external_id", "at", "status"),
    "survey": ("type", "external_id", "at", "kind", "score", "comment", "survey_id"),
}
CUSTOMER_FIELDS = ("external_id", "name", "contact", "tier", "language")
CSV_COLUMNS = ("external_id", "created_at", "updated_at", "subject", "body", "channel", "priority", "status",
               "category", "language", *(f"customer_{name}" for name in CUSTOMER_FIELDS))
CSV_REQUIRED = ("external_id", "created_at", "subject")
# Column limits of the schema (PostgreSQL enforces them; SQLite would not).
ID_LIMIT, NAME_LIMIT, CATEGORY_LIMIT, AGENT_LIMIT = 128, 256, 128, 64


@dataclass(frozen=True)
class Options:
    """How to read times: the zone of naive ones (--tz), now, and a default for a missing `at`."""

    zone: tzinfo | None
    now: datetime
    default_at: datetime | None = None


def digest(*parts: str) -> str:
    """A short stable key for a record that has no id of its own, so a re-import recognises it."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:20]


def external_id(data: dict, name: str = "external_id") -> str:
    value = text(data, name, required=True, limit=ID_LIMIT)
    assert value is not None
    return value.strip()


def _time(data: dict, name: str, opts: Options, *, label: str | None = None, default: datetime | None = None) -> datetime:
    value = data.get(name)
    if (value is None or value == "") and default is not None:
        return default
    return parse_time(value, label or name, zone=opts.zone, now=opts.now)


def _check_fields(data: dict, kind: str, gather: Gather) -> None:
    for key in data:
        if key not in ALLOWED[kind]:
            gather.fail("field_unknown", field=key, kind=kind, allowed=", ".join(ALLOWED[kind]))


def customer(data: dict, prefix: str, repairs: list[str], gather: Gather | None = None) -> CustomerIn:
    """A customer from an object (`customer.name`) or flat columns (`customer_name`)."""
    own = gather is None
    g = gather if gather is not None else Gather()

    def get(name: str, limit: int) -> str | None:
        return g.take(lambda: text(data, name, limit=limit, label=f"{prefix}{name}", repairs=repairs))

    ext, name, contact = get("external_id", ID_LIMIT), get("name", NAME_LIMIT), get("contact", NAME_LIMIT)
    if not (ext or name or contact) and not any(e.params.get("field", "").startswith(prefix) for e in g.errors):
        g.fail("field_missing", field=f"{prefix}name")
    tier = data.get("tier")
    language = data.get("language")
    result = CustomerIn(
        name=name or contact or ext or "",
        contact=contact or "",
        external_id=ext.strip() if ext else None,
        tier=g.take(lambda: choice(tier, f"{prefix}tier", TIERS)) if tier not in (None, "") else None,
        language=(g.take(lambda: choice(language, f"{prefix}language", LANGUAGES, LANGUAGE_ALIASES))
                  if language not in (None, "") else None),
    )
    if own:
        g.check()
    return result


def ticket(data: dict, line: int, opts: Options, *, customer_data: dict, prefix: str,
           fields: dict | None = None, gather: Gather | None = None) -> TicketIn:
    """A ticket, or FieldError naming every field that is wrong (not only the first)."""
    g = gather if gather is not None else Gather()
    repairs: list[str] = []
    ext = g.take(lambda: external_id(data))
    created = g.take(lambda: _time(data, "created_at", opts, default=opts.default_at))
    updated = g.take(lambda: _time(data, "updated_at", opts, default=created)) if created else None
    if created is not None and updated is not None and updated < created:
        g.fail("before_created", field="updated_at", value=updated.isoformat(), created=created.isoformat())
    subject = g.take(lambda: text(data, "subject", required=True, repairs=repairs))
    body = g.take(lambda: text(data, "body", repairs=repairs, allow_blank=True))

    def pick(name: str, allowed: tuple[str, ...], aliases: dict[str, str] | None = None) -> str | None:
        value = data.get(name)
        return None if value in (None, "") else g.take(lambda: choice(value, name, allowed, aliases))

    category = g.take(lambda: text(data, "category", limit=CATEGORY_LIMIT, repairs=repairs))
    who = customer(customer_data, prefix, repairs, g)
    channel, priority, status = pick("channel", CHANNELS), pick("priority", PRIORITIES), pick("status", STATUSES)
    language = pick("language", LANGUAGES, LANGUAGE_ALIASES)
    g.check()
    assert ext is not None and created is not None and updated is not None
    return TicketIn(
        line=line, external_id=ext, created_at=created, updated_at=updated, subject=subject or "",
        customer=who, body=body or "", channel=channel or "email", priority=priority, status=status,
        category=category.strip() if category else None, language=language, fields=fields or {},
        source="generic", repairs=repairs,
    )


def _fields(value: object, repairs: list[str], gather: Gather) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        gather.fail("field_type", field="fields", expected="an object", found=kind_of(value))
        return {}
    out: dict = {}
    for key, item in value.items():
        if key.startswith("_"):
            gather.fail("field_unknown", field=f"fields.{key}", kind="ticket", allowed="names not starting with _")
        elif isinstance(item, str):
            out[key] = gather.take(lambda key=key, item=item: repair(item, f"fields.{key}", repairs))
        elif item is None or isinstance(item, bool | int | float):
            out[key] = item
        else:
            gather.fail("field_type", field=f"fields.{key}", expected="text, a number or true/false",
                        found=kind_of(item))
    return out


def record(data: object, line: int, opts: Options) -> Record:
    """One JSON record of the generic format, or FieldError naming the field."""
    if not isinstance(data, dict):
        raise FieldError("field_type", field="record", expected="an object", found=kind_of(data))
    kind = data.get("type")
    if kind is None:
        raise FieldError("field_missing", field="type")
    kind = choice(kind, "type", KINDS)
    g = Gather()
    _check_fields(data, kind, g)
    if kind == "ticket":
        return _ticket_record(data, line, opts, g)
    ext = g.take(lambda: external_id(data), "")
    at = g.take(lambda: _time(data, "at", opts, default=opts.default_at), opts.now)
    assert ext is not None and at is not None
    result = g.take(lambda: _event(kind, data, line, ext, at))
    g.check()
    assert result is not None
    return result


def _event(kind: str, data: dict, line: int, ext: str, at: datetime) -> Record:
    if kind == "message":
        return _message(data, line, ext, at)
    if kind == "status":
        status = choice(data.get("status") if data.get("status") not in (None, "") else _missing("status"), "status", STATUSES)
        return StatusIn(line, ext, at, status, key=f"s:{at.isoformat()}:{status}")
    return _survey(data, line, ext, at)


def _ticket_record(data: dict, line: int, opts: Options, g: Gather) -> TicketIn:
    cust = data.get("customer")
    if isinstance(cust, str):
        cust = {"name": cust}
    if cust is None:
        g.fail("field_missing", field="customer")
    elif not isinstance(cust, dict):
        g.fail("field_type", field="customer", expected="an object or a name", found=kind_of(cust))
    else:
        for key in cust:
            if key not in CUSTOMER_FIELDS:
                g.fail("field_unknown", field=f"customer.{key}", kind="customer", allowed=", ".join(CUSTOMER_FIELDS))
    repairs: list[str] = []
    fields = _fields(data.get("fields"), repairs, g)
    result = ticket(data, line, opts, customer_data=cust if isinstance(cust, dict) else {"name": "?"},
                    prefix="customer.", fields=fields, gather=g)
    result.repairs.extend(repairs)
    return result


def _missing(name: str) -> object:
    raise FieldError("field_missing", field=name)


def _message(data: dict, line: int, ext: str, at: datetime) -> MessageIn:
    repairs: list[str] = []
    body = text(data, "body", required=True, repairs=repairs) or ""
    author = choice(data.get("author") or "customer", "author", AUTHORS)
    agent = text(data, "agent", limit=AGENT_LIMIT)
    message_id = text(data, "message_id", limit=ID_LIMIT)
    key = f"m:{message_id}" if message_id else f"m#{digest(at.isoformat(), author, body)}"
    return MessageIn(line, ext, at, body, author=author, agent=agent.strip() if agent else None, key=key,
                     repairs=repairs)


def _survey(data: dict, line: int, ext: str, at: datetime) -> SurveyIn:
    repairs: list[str] = []
    kind = choice(data.get("kind") if data.get("kind") not in (None, "") else _missing("kind"), "kind", ("csat", "nps"))
    score = data.get("score")
    if score is None:
        raise FieldError("field_missing", field="score")
    if isinstance(score, bool) or not isinstance(score, int):
        if isinstance(score, float) and score.is_integer():
            score = int(score)
        else:
            raise FieldError("field_type", field="score", expected="a whole number", found=kind_of(score))
    low, high = (1, 5) if kind == "csat" else (0, 10)
    if not low <= score <= high:
        raise FieldError("bad_score", value=score, low=low, high=high, kind=kind)
    comment = text(data, "comment", repairs=repairs, allow_blank=True) or ""
    survey_id = text(data, "survey_id", limit=ID_LIMIT)
    key = f"v:{survey_id}" if survey_id else f"v#{kind}:{at.isoformat()}"
    return SurveyIn(line, ext, at, kind, score, comment, key=key, repairs=repairs)


def csv_row(row: dict[str, str], line: int, opts: Options) -> TicketIn:
    """A ticket row of the generic CSV: known columns by name, every other column kept in fields."""
    data: dict = {}
    cust: dict = {}
    extra: dict = {}
    for column, cell in row.items():
        if column in CSV_COLUMNS:
            if column.startswith("customer_"):
                cust[column.removeprefix("customer_")] = cell
            else:
                data[column] = cell
        elif column == "type" and cell.strip() in ("", "ticket"):
            continue
        elif cell != "":
            extra[column] = cell
    repairs: list[str] = []
    g = Gather()
    fields = _fields(extra, repairs, g)
    result = ticket(data, line, opts, customer_data=cust, prefix="customer_", fields=fields, gather=g)
    result.repairs.extend(repairs)
    return result
