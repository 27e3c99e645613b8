"""Reading single values out of a record: times, choices, bounded text, repaired strings."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from typing import TypeVar

# A record may be a little ahead of our clock (clock skew between systems), not more.
FUTURE_SLACK = timedelta(minutes=5)
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
T = TypeVar("T")
_TIME = re.compile(
    r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
    r"\s*(Z|z|UTC|[+-]\d{2}(?::?\d{2})?)?$"
)


class FieldError(Exception):
    """A value that cannot be used; the caller adds the file and line."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code, self.params = code, params


class FieldErrors(FieldError):
    """Every problem of one record (its first one's code and fields, for callers that show one)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__(errors[0].code, **errors[0].params)
        self.errors = errors


def every_error(exc: FieldError) -> list[FieldError]:
    """The problems a FieldError stands for: itself, or each one a Gather collected."""
    return list(exc.errors) if isinstance(exc, FieldErrors) else [exc]


class Gather:
    """Reads a record's values one by one and keeps every FieldError, so an import names all of
    a bad row's problems at once instead of one per attempt (`check` raises them together)."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def take(self, read: Callable[[], T], fallback: T | None = None) -> T | None:
        """`read()`, or `fallback` when it raised FieldError (kept for `check`)."""
        try:
            return read()
        except FieldError as exc:
            self.errors.extend(every_error(exc))
            return fallback

    def fail(self, code: str, **params: object) -> None:
        self.errors.append(FieldError(code, **params))

    def check(self) -> None:
        """Raise what was kept: the one FieldError, or FieldErrors for several."""
        if len(self.errors) == 1:
            raise self.errors[0]
        if self.errors:
            raise FieldErrors(self.errors)


def kind_of(value: object) -> str:
    """How a JSON value is named in messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def repair(value: str, field: str, repairs: list[str]) -> str:
    """Text as given, except what UTF-8 databases cannot hold: lone surrogates and NUL become U+FFFD."""
    if "\x00" not in value:
        try:
            value.encode("utf-8")
            return value
        except UnicodeEncodeError:
            pass
    out, surrogates, nuls = [], 0, 0
    for ch in value:
        code = ord(ch)
        if 0xD800 <= code <= 0xDFFF:
            surrogates += 1
            out.append("\ufffd")
        elif code == 0:
            nuls += 1
            out.append("\ufffd")
        else:
            out.append(ch)
    if surrogates:
        repairs.append(f"{field}: {surrogates} lone surrogate(s) replaced with U+FFFD")
    if nuls:
        repairs.append(f"{field}: {nuls} NUL character(s) replaced with U+FFFD")
    return "".join(out)


def text(data: dict, name: str, *, required: bool = False, limit: int | None = None, label: str | None = None,
         repairs: list[str] | None = None, allow_blank: bool = False) -> str | None:
    """A text field: numbers are taken as their digits, anything else that is not text is refused."""
    label = label or name
    value = data.get(name)
    if value is None or (isinstance(value, str) and value == "" and not allow_blank):
        if required:
            raise FieldError("field_missing", field=label)
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FieldError("field_type", field=label, expected="text", found=kind_of(value))
    result = str(value)
    if required and not allow_blank and not result.strip():
        raise FieldError("field_empty", field=label)
    if limit is not None and len(result) > limit:
        raise FieldError("field_too_long", field=label, length=len(result), limit=limit)
    return repair(result, label, repairs) if repairs is not None else repair(result, label, [])


def choice(value: object, field: str, allowed: tuple[str, ...], aliases: dict[str, str] | None = None) -> str:
    """A value from a fixed set, case-insensitively, through the source's own names if given."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise FieldError("field_type", field=field, expected="text", found=kind_of(value))
    key = str(value).strip().lower()
    mapped = (aliases or {}).get(key, key)
    if mapped not in allowed:
        shown = ", ".join(sorted({*allowed, *(aliases or {})}))
        raise FieldError("bad_choice", field=field, value=str(value), allowed=shown)
    return mapped


def parse_time(value: object, field: str, *, zone: tzinfo | None, now: datetime) -> datetime:
    """An aware UTC instant; naive values only with a zone the user named (--tz)."""
    if value is None or value == "":
        raise FieldError("field_missing", field=field)
    if isinstance(value, bool):
        raise FieldError("field_type", field=field, expected="a date and time", found=kind_of(value))
    if isinstance(value, int | float):
        if not 0 < value < 1e11:  # larger looks like milliseconds: refuse rather than guess
            raise FieldError("bad_time", field=field, value=str(value))
        result = datetime.fromtimestamp(value, UTC)
    elif isinstance(value, str):
        result = _parse_text(value.strip(), field, zone)
    else:
        raise FieldError("field_type", field=field, expected="a date and time", found=kind_of(value))
    if result < EARLIEST:
        raise FieldError("bad_time", field=field, value=str(value))
    if result > now + FUTURE_SLACK:
        raise FieldError("future_time", field=field, value=result.isoformat())
    return result


def _parse_text(raw: str, field: str, zone: tzinfo | None) -> datetime:
    match = _TIME.match(raw)
    if match is None:
        raise FieldError("bad_time", field=field, value=raw)
    year, month, day, hour, minute, second, frac, offset = match.groups()
    if hour is None:
        raise FieldError("bad_time", field=field, value=raw)  # a date alone has no time of day
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        naive = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro)
    except ValueError:
        raise FieldError("bad_time", field=field, value=raw) from None
    if offset is None:
        if zone is None:
            raise FieldError("naive_time", field=field, value=raw)
        return naive.replace(tzinfo=zone).astimezone(UTC)
    if offset in ("Z", "z", "UTC"):
        return naive.replace(tzinfo=UTC)
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 23 or minutes > 59:
        raise FieldError("bad_time", field=field, value=raw)
    delta = timedelta(hours=hours, minutes=minutes) * sign
    return naive.replace(tzinfo=timezone(delta)).astimezone(UTC)


def has_cjk(value: str) -> bool:
    """Whether text holds CJK ideographs, to tell a zh-TW ticket from an English one."""
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in value[:5000])
