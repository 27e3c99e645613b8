"""Parsing, validation and instant arithmetic behind `store.sla.calendar.BusinessCalendar`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
ONE_HOUR = timedelta(hours=1)
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")
_MAX_GAP_HOPS = 48
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

WallSpan = tuple[int, int]  # minutes since local midnight, half-open [start, end)
Span = tuple[int, int]  # microseconds since the Unix epoch, half-open [start, end)


def parse_clock(text: object, where: str) -> int:
    """Turn "HH:MM" (or "24:00") into minutes so spans compare as integers."""
    match = _CLOCK.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(f"{where}: {text!r} is not a time of day in HH:MM form")
    hour, minute = int(match[1]), int(match[2])
    if (hour, minute) != (24, 0) and (hour > 23 or minute > 59):
        raise ValueError(f"{where}: {text!r} is not a valid time of day (00:00-23:59, or 24:00)")
    return hour * 60 + minute


def format_clock(minutes: int) -> str:
    """Write minutes back as "HH:MM" so configs round-trip."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_spans(raw: object, where: str) -> tuple[WallSpan, ...]:
    """Validate one day's spans: pairs of clock strings, each non-empty, none overlapping."""
    if isinstance(raw, str | bytes) or not isinstance(raw, Iterable):
        raise ValueError(f"{where}: expected a list of [start, end] pairs, got {raw!r}")
    spans: list[WallSpan] = []
    for pair in raw:
        if isinstance(pair, str | bytes) or not isinstance(pair, list | tuple) or len(pair) != 2:
            raise ValueError(f"{where}: span {pair!r} is not a [start, end] pair")
        start, end = (parse_clock(text, f"{where} span {list(pair)!r}") for text in pair)
        if end <= start:
            raise ValueError(f"{where}: span {list(pair)!r} ends at or before it starts")
        spans.append((start, end))
    spans.sort()
    for (s1, e1), (s2, e2) in pairwise(spans):
        if s2 < e1:
            raise ValueError(
                f"{where}: spans {format_clock(s1)}-{format_clock(e1)} and "
                f"{format_clock(s2)}-{format_clock(e2)} overlap"
            )
    return tuple(spans)


def parse_weekly(hours: object) -> tuple[tuple[WallSpan, ...], ...]:
    """Index weekly hours by `date.weekday()` after checking day names and spans."""
    if not isinstance(hours, Mapping):
        raise ValueError(f"hours: expected a mapping of day name to spans, got {hours!r}")
    weekly: list[tuple[WallSpan, ...]] = [()] * 7
    seen: set[str] = set()
    for name, raw in hours.items():
        key = name.strip().lower() if isinstance(name, str) else name
        if key not in DAY_NAMES:
            raise ValueError(f"hours: unknown day {name!r}; use {', '.join(DAY_NAMES)}")
        if key in seen:
            raise ValueError(f"hours: day {name!r} is given twice")
        seen.add(key)
        weekly[DAY_NAMES.index(key)] = parse_spans(raw, f"hours[{key!r}]")
    return tuple(weekly)


def parse_date(value: object, where: str) -> date:
    """Accept a `date` or an ISO "YYYY-MM-DD" string, refusing datetimes whose date is ambiguous."""
    if isinstance(value, datetime):
        raise ValueError(f"{where}: expected a date, got the datetime {value.isoformat()}")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"{where}: {value!r} is not a date (YYYY-MM-DD)")


def parse_dates(values: object, where: str) -> frozenset[date]:
    """Validate a collection of dates such as holidays."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValueError(f"{where}: expected a list of dates, got {values!r}")
    return frozenset(parse_date(value, where) for value in values)


def parse_dated_spans(mapping: object, where: str) -> dict[date, tuple[WallSpan, ...]]:
    """Validate a date -> spans mapping (breaks, date hours)."""
    if not isinstance(mapping, Mapping):
        raise ValueError(f"{where}: expected a mapping of date to spans, got {mapping!r}")
    result: dict[date, tuple[WallSpan, ...]] = {}
    for key, raw in mapping.items():
        day = parse_date(key, where)
        if day in result:
            raise ValueError(f"{where}: date {day.isoformat()} is given twice")
        result[day] = parse_spans(raw, f"{where}[{day.isoformat()!r}]")
    return result


def spans_to_config(spans: tuple[WallSpan, ...]) -> list[list[str]]:
    """Render spans as JSON-friendly [["HH:MM", "HH:MM"], ...]."""
    return [[format_clock(start), format_clock(end)] for start, end in spans]


def to_us(moment: datetime) -> int:
    """Exact microseconds since the epoch, so business time sums without rounding."""
    return (moment - EPOCH) // ONE_US


def from_us(micros: int) -> datetime:
    """Epoch microseconds as an aware UTC datetime: UTC never compares unequal across a DST fold."""
    return EPOCH + timedelta(microseconds=micros)


def wall_to_us(zone: ZoneInfo, wall: datetime) -> int:
    """Place a wall time in the zone: a skipped one moves an hour on, a repeated one is first."""
    wall = wall.replace(fold=0)
    for _ in range(_MAX_GAP_HOPS):
        first = wall.replace(tzinfo=zone).utcoffset()
        second = wall.replace(tzinfo=zone, fold=1).utcoffset()
        if first is not None and second is not None and first >= second:  # not in a gap
            return _naive_us(wall) - first // ONE_US
        wall += ONE_HOUR
    raise ValueError(f"{zone.key}: no valid wall time near {wall.isoformat()}")


def _naive_us(wall: datetime) -> int:
    """Microseconds of a wall time read as UTC; integer maths keeps span building cheap."""
    seconds = (wall.toordinal() - _EPOCH_ORDINAL) * 86_400 + wall.hour * 3600 + wall.minute * 60
    return (seconds + wall.second) * 1_000_000 + wall.microsecond


def local_minute_us(zone: ZoneInfo, day: date, minute: int) -> int:
    """Instant of a minute of a local date; minute 1440 is the next midnight (so 24:00 works)."""
    return _place(zone, day, minute)[0]


def _place(zone: ZoneInfo, day: date, minute: int) -> tuple[int, bool]:
    """Instant of a local minute, and whether it existed (a skipped one may land past the date)."""
    if minute >= DAY_MINUTES:
        day, minute = day + timedelta(days=1), minute - DAY_MINUTES
    hour, minute_of_hour = divmod(minute, 60)
    fields = (day.year, day.month, day.day, hour, minute_of_hour)
    first = datetime(*fields, tzinfo=zone).utcoffset()
    second = datetime(*fields, tzinfo=zone, fold=1).utcoffset()
    if first is None or second is None or first < second:  # in a gap: take the slow, careful path
        return wall_to_us(zone, datetime(*fields)), False
    seconds = (day.toordinal() - _EPOCH_ORDINAL) * 86_400 + minute * 60
    return seconds * 1_000_000 - first // ONE_US, True


def merge(spans: Iterable[Span]) -> list[Span]:
    """Sort and coalesce spans so walks never see overlaps (DST can make wall spans overlap)."""
    merged: list[Span] = []
    for start, end in sorted(span for span in spans if span[1] > span[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def subtract(spans: list[Span], cuts: list[Span]) -> list[Span]:
    """Remove sorted, disjoint `cuts` (breaks) from sorted, disjoint `spans`."""
    result: list[Span] = []
    for start, end in spans:
        cursor = start
        for cut_start, cut_end in cuts:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                result.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
        if cursor < end:
            result.append((cursor, end))
    return result


def date_spans(
    zone: ZoneInfo, day: date, wall: tuple[WallSpan, ...], breaks: tuple[WallSpan, ...]
) -> tuple[Span, ...]:
    """One date's open instants: wall spans placed in the zone, minus breaks, inside the date."""
    if not wall:
        return ()
    placed: list[list[Span]] = [[], []]
    regular = True
    for index, spans in enumerate((wall, breaks)):
        for start, end in spans:
            (low, ok_low), (high, ok_high) = _place(zone, day, start), _place(zone, day, end)
            placed[index].append((low, high))
            regular = regular and ok_low and ok_high
    if not regular:  # a skipped wall time moved an hour on: keep every span inside its own date
        floor, ceiling = local_minute_us(zone, day, 0), local_minute_us(zone, day, DAY_MINUTES)
        placed = [[(max(s, floor), min(e, ceiling)) for s, e in group] for group in placed]
    return tuple(subtract(merge(placed[0]), merge(placed[1])))


def check_keys(mapping: Mapping[str, Any], allowed: Iterable[str], where: str) -> None:
    """Refuse unknown config keys so a typo ("holiday") is not silently ignored."""
    unknown = sorted(set(map(str, mapping)) - set(allowed))
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")


def dated_config(mapping: Mapping[date, tuple[WallSpan, ...]]) -> dict[str, list[list[str]]]:
    """Render date -> spans with ISO keys, sorted, for JSON."""
    return {day.isoformat(): spans_to_config(mapping[day]) for day in sorted(mapping)}


def country_source(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """Pull country/subdiv out of a config; `years` (older configs) is checked, then not needed.

    Holidays now load by year as dates are asked, so a stored list of years would only freeze
    the window the config was written in: it is accepted for old configs and not written back.
    """
    country = mapping.get("country")
    if country is None:
        for key in ("subdiv", "years"):
            if mapping.get(key) is not None:
                raise ValueError(f"calendar config: {key!r} needs 'country'")
        return {}
    if not isinstance(country, str) or not country:
        raise ValueError(f"calendar config: country must be a code such as 'TW', got {country!r}")
    subdiv = mapping.get("subdiv")
    if subdiv is not None and (not isinstance(subdiv, str) or not subdiv):
        raise ValueError(f"calendar config: subdiv must be a code such as 'ENG', got {subdiv!r}")
    years = mapping.get("years")
    if years is not None and (
        isinstance(years, str | bytes)
        or not isinstance(years, Iterable)
        or not all(isinstance(y, int) and not isinstance(y, bool) for y in years)
    ):
        raise ValueError(f"calendar config: years must be a list of whole years, got {years!r}")
    return {"country": country, "subdiv": subdiv}


def normal_workday(weekly: tuple[tuple[WallSpan, ...], ...]) -> tuple[WallSpan, ...]:
    """A normal workday's hours: the most common non-empty weekly hours (the earliest day on a tie)."""
    counts: dict[tuple[WallSpan, ...], int] = {}
    for spans in weekly:
        if spans:
            counts[spans] = counts.get(spans, 0) + 1
    if not counts:
        return ()
    return max(counts, key=lambda spans: counts[spans])  # dicts keep order: the earliest wins a tie


def load_zone(tz: str | ZoneInfo) -> ZoneInfo:
    """Load the zone, turning a bad name into a ValueError that names it."""
    if isinstance(tz, ZoneInfo):
        return tz
    if not isinstance(tz, str) or not tz:
        raise ValueError(f"tz: expected a zone name such as 'Asia/Taipei', got {tz!r}")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"tz: unknown time zone {tz!r}") from exc


def instant(t: object, method: str) -> int:
    """Epoch microseconds of an aware datetime; naive input is refused rather than guessed."""
    if not isinstance(t, datetime):
        raise TypeError(f"BusinessCalendar.{method}() expects a datetime, got {type(t).__name__}")
    if t.tzinfo is None or t.utcoffset() is None:
        raise ValueError(
            f"BusinessCalendar.{method}() needs a timezone-aware datetime, got naive "
            f"{t.isoformat()}; attach a tzinfo (e.g. ZoneInfo('UTC')) first"
        )
    return to_us(t)


def amount_us(amount: object, method: str) -> int:
    """Microseconds of a non-negative timedelta."""
    if not isinstance(amount, timedelta):
        raise TypeError(f"BusinessCalendar.{method}() expects a timedelta, got {amount!r}")
    if amount < timedelta(0):
        raise ValueError(f"BusinessCalendar.{method}() needs a non-negative amount, got {amount}")
    return amount // ONE_US


def day_count(n: object, method: str) -> int:
    """A non-negative whole number of days."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"BusinessCalendar.{method}() expects an int number of days, got {n!r}")
    if n < 0:
        raise ValueError(f"BusinessCalendar.{method}() needs n >= 0, got {n}")
    return n
