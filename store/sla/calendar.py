"""Business calendar: weekly hours, holidays, make-up workdays, breaks and date hours in one zone.

Conventions follow Zendesk's `biz` (and so Zammad): spans are half-open, an `after` that
runs out exactly at a closing answers the next opening, and days count business dates.
See /work/shared/conformance/README.md for the full list the tests pin down.

Results are aware UTC datetimes, like every timestamp the store keeps: a datetime in a
ZoneInfo zone that falls in a DST fold compares unequal to the same instant in another zone.

A country's holidays are loaded by year as dates are asked (store/sla/country_days.py), so a
due time in 2031 counts 2031's holidays whatever year the program runs in. A make-up workday
(a weekend date declared a working day) opens with the hours of a normal workday: the most
common non-empty weekly hours.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from store.sla import spans as sp
from store.sla.country_days import CountryDays

__all__ = ["BusinessCalendar"]

_ONE_DAY = timedelta(days=1)
_FULL_DAY: tuple[sp.WallSpan, ...] = ((0, sp.DAY_MINUTES),)
_NO_SPANS: Mapping[date, list[tuple[str, str]]] = MappingProxyType({})
_MAX_IDLE_DAYS = 3660  # give up after ten years without a single open minute
_CACHE_LIMIT = 20_000
_CONFIG_KEYS = ("tz", "hours", "holidays", "workdays", "country", "subdiv", "years", "breaks", "date_hours")


class BusinessCalendar:
    """Counts business time so SLA due times skip nights, weekends, holidays and breaks."""

    __slots__ = (
        "_always",
        "_breaks",
        "_cache",
        "_country",
        "_date_hours",
        "_holidays",
        "_key",
        "_normal",
        "_weekly",
        "_workdays",
        "_zone",
    )

    def __init__(
        self,
        tz: str | ZoneInfo,
        hours: Mapping[str, Iterable[tuple[str, str] | list[str]]],
        holidays: Iterable[date] = (),
        breaks: Mapping[date, list[tuple[str, str]]] = _NO_SPANS,
        date_hours: Mapping[date, list[tuple[str, str]]] = _NO_SPANS,
        *,
        workdays: Iterable[date] = (),
        country: str | None = None,
        subdiv: str | None = None,
    ) -> None:
        self._zone = sp.load_zone(tz)
        self._weekly = sp.parse_weekly(hours)
        self._normal = sp.normal_workday(self._weekly)
        self._holidays = sp.parse_dates(holidays, "holidays")
        self._workdays = sp.parse_dates(workdays, "workdays")
        both = sorted(self._holidays & self._workdays)
        if both:
            raise ValueError(f"workdays: {both[0].isoformat()} is also listed as a holiday")
        self._breaks = sp.parse_dated_spans(breaks, "breaks")
        self._date_hours = sp.parse_dated_spans(date_hours, "date_hours")
        self._country = None if country is None else CountryDays(country, subdiv)
        self._cache: dict[date, tuple[sp.Span, ...]] = {}
        self._always = (
            all(day == _FULL_DAY for day in self._weekly)
            and not self._holidays
            and self._country is None
            and not self._breaks
            and not self._date_hours
        )
        self._key = (
            self._zone.key,
            self._weekly,
            self._holidays,
            self._workdays,
            None if self._country is None else self._country.key,
            frozenset(self._breaks.items()),
            frozenset(self._date_hours.items()),
        )

    # -- construction and storage ---------------------------------------------------------

    @classmethod
    def always_open(cls, tz: str = "UTC") -> BusinessCalendar:
        """24x7: the default SLA calendar, where business time is plain elapsed time."""
        return cls(tz, {name: [("00:00", "24:00")] for name in sp.DAY_NAMES})

    @classmethod
    def from_config(cls, mapping: Mapping[str, Any]) -> BusinessCalendar:
        """Build from a JSON-style dict (a DB column); `country` adds that country's holidays."""
        if not isinstance(mapping, Mapping):
            raise ValueError(f"calendar config: expected a mapping, got {mapping!r}")
        sp.check_keys(mapping, _CONFIG_KEYS, "calendar config")
        for required in ("tz", "hours"):
            if required not in mapping:
                raise ValueError(f"calendar config: missing {required!r}")
        source = sp.country_source(mapping)
        return cls(
            mapping["tz"],
            mapping["hours"],
            holidays=mapping.get("holidays") or (),
            breaks=mapping.get("breaks") or {},
            date_hours=mapping.get("date_hours") or {},
            workdays=mapping.get("workdays") or (),
            country=source.get("country"),
            subdiv=source.get("subdiv"),
        )

    def to_config(self) -> dict[str, Any]:
        """The inverse of `from_config`, JSON-serialisable, for storing in a JSON column."""
        config: dict[str, Any] = {
            "tz": self._zone.key,
            "hours": {
                name: sp.spans_to_config(spans)
                for name, spans in zip(sp.DAY_NAMES, self._weekly, strict=True)
                if spans
            },
            "holidays": sorted(day.isoformat() for day in self._holidays),
            "breaks": sp.dated_config(self._breaks),
            "date_hours": sp.dated_config(self._date_hours),
        }
        if self._workdays:
            config["workdays"] = sorted(day.isoformat() for day in self._workdays)
        if self._country is not None:
            country, subdiv = self._country.key
            config["country"] = country
            if subdiv is not None:
                config["subdiv"] = subdiv
        return config

    @property
    def tz(self) -> str:
        """The zone name, so callers can show times the way the calendar reads them."""
        return self._zone.key

    @property
    def is_always_open(self) -> bool:
        """True for a 24x7 calendar, where business time is plain arithmetic."""
        return self._always

    def __repr__(self) -> str:
        if self._always:
            return f"BusinessCalendar.always_open(tz={self._zone.key!r})"
        hours = {
            name: [f"{sp.format_clock(s)}-{sp.format_clock(e)}" for s, e in spans]
            for name, spans in zip(sp.DAY_NAMES, self._weekly, strict=True)
            if spans
        }
        extras = [
            f"{name}={len(getattr(self, attr))}"
            for name, attr in (
                ("holidays", "_holidays"),
                ("workdays", "_workdays"),
                ("breaks", "_breaks"),
                ("date_hours", "_date_hours"),
            )
            if getattr(self, attr)
        ]
        country = f", country={self._country.key[0]!r}" if self._country is not None else ""
        tail = "".join(f", {extra}" for extra in extras)
        return f"BusinessCalendar(tz={self._zone.key!r}, hours={hours}{tail}{country})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, BusinessCalendar):
            return NotImplemented
        return self._key == other._key

    def __hash__(self) -> int:
        return hash(self._key)

    # -- public questions ------------------------------------------------------------------

    def in_hours(self, t: datetime) -> bool:
        """Whether business is open at instant `t` (openings count, closings do not)."""
        at = sp.instant(t, "in_hours")
        if self._always:
            return True
        day = self._local_date(t)
        return any(s <= at < e for d in (day - _ONE_DAY, day) for s, e in self._spans(d))

    def after(self, t: datetime, amount: timedelta) -> datetime:
        """When `amount` of business time has elapsed from `t`: the SLA due time."""
        at, left = sp.instant(t, "after"), sp.amount_us(amount, "after")
        if self._always:
            return sp.from_us(at + left)
        return sp.from_us(self._forward_by(at, left))

    def before(self, t: datetime, amount: timedelta) -> datetime:
        """The instant `amount` of business time before `t` (walking backwards)."""
        at, left = sp.instant(t, "before"), sp.amount_us(amount, "before")
        if self._always:
            return sp.from_us(at - left)
        if left == 0:
            return sp.from_us(self._at_or_last_closing(at))
        return sp.from_us(self._backward_by(at, left))

    def within(self, t1: datetime, t2: datetime) -> timedelta:
        """Exact business time in [t1, t2]; zero when t2 <= t1, never negative."""
        start, end = sp.instant(t1, "within"), sp.instant(t2, "within")
        if end <= start:
            return timedelta(0)
        if self._always:
            return timedelta(microseconds=end - start)
        total, day, last = 0, self._local_date(t1) - _ONE_DAY, self._local_date(t2)
        while day <= last:
            for s, e in self._spans(day):
                total += max(0, min(e, end) - max(s, start))
            day += _ONE_DAY
        return timedelta(microseconds=total)

    def after_days(self, t: datetime, n: int) -> datetime:
        """`n` business dates on at the same wall time, then the next opening if closed."""
        at = self._day_target(t, sp.day_count(n, "after_days"), 1)
        return sp.from_us(self._forward_by(at, 0))

    def before_days(self, t: datetime, n: int) -> datetime:
        """`n` business dates back, same wall time, then back to the last closing if closed."""
        at = self._day_target(t, sp.day_count(n, "before_days"), -1)
        if not self._open_at(at):
            at = self._at_or_last_closing(at)
        return sp.from_us(at)

    def is_business_date(self, day: date) -> bool:
        """Whether `day` counts for `*_days`: a make-up workday, or a weekday with hours, not a holiday."""
        if self._is_holiday(day):
            return False
        if self._is_makeup(day):
            return bool(self._normal)
        return bool(self._weekly[day.weekday()])

    def is_holiday(self, day: date) -> bool:
        """Closed all day: listed in the calendar, or the country's holiday and not a make-up workday."""
        return self._is_holiday(day)

    def is_makeup_workday(self, day: date) -> bool:
        """A date normally off that opens with a normal workday's hours (listed, or the country's)."""
        return not self._is_holiday(day) and self._is_makeup(day)

    def _is_holiday(self, day: date) -> bool:
        if day in self._holidays:
            return True
        if day in self._workdays or self._country is None:
            return False
        return self._country.is_holiday(day) and not self._country.is_workday(day)

    def _is_makeup(self, day: date) -> bool:
        """Listed in `workdays` or the country's make-up days (the caller has ruled out holidays)."""
        if day in self._workdays:
            return True
        return self._country is not None and self._country.is_workday(day)

    # -- walking spans ---------------------------------------------------------------------

    def _spans(self, day: date) -> tuple[sp.Span, ...]:
        """Open instants of one local date, computed once (SLA code asks the same dates often)."""
        cached = self._cache.get(day)
        if cached is None:
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            cached = self._cache[day] = self._compute_spans(day)
        return cached

    def _compute_spans(self, day: date) -> tuple[sp.Span, ...]:
        """Date hours replace weekly hours; holidays close the date; make-up days open; breaks cut holes."""
        if self._is_holiday(day):
            return ()
        usual = self._normal if self._is_makeup(day) else self._weekly[day.weekday()]
        wall = self._date_hours.get(day, usual)
        return sp.date_spans(self._zone, day, wall, self._breaks.get(day, ()))

    def _walk(self, start: date, step: int) -> Iterator[sp.Span]:
        """Spans date by date in one direction, stopping after ten empty years."""
        day, idle, delta = start, 0, _ONE_DAY * step
        while idle < _MAX_IDLE_DAYS:
            spans = self._spans(day)
            idle = 0 if spans else idle + 1
            yield from (spans if step > 0 else reversed(spans))
            day += delta
        direction = "after" if step > 0 else "before"
        raise ValueError(f"{self!r} has no business hours for ten years {direction} {start}")

    def _forward_by(self, at: int, left: int) -> int:
        """Consume `left` microseconds of open time from `at`; land only where business is open."""
        for s, e in self._walk(self._date_of(at) - _ONE_DAY, 1):
            if e <= at:
                continue
            cursor = max(s, at)
            if left < e - cursor:
                return cursor + left
            left -= e - cursor
        raise AssertionError("unreachable: _walk raises when it runs dry")  # pragma: no cover

    def _backward_by(self, at: int, left: int) -> int:
        """Consume `left` (> 0) microseconds of open time backwards; an exact opening is kept."""
        for s, e in self._walk(self._date_of(at) + _ONE_DAY, -1):
            if s >= at:
                continue
            cursor = min(e, at)
            if left <= cursor - s:
                return cursor - left
            left -= cursor - s
        raise AssertionError("unreachable: _walk raises when it runs dry")  # pragma: no cover

    def _at_or_last_closing(self, at: int) -> int:
        """`at` itself if it lies in a span (ends included), else the most recent closing."""
        for s, e in self._walk(self._date_of(at) + _ONE_DAY, -1):
            if s <= at:
                return at if at <= e else e
        raise AssertionError("unreachable: _walk raises when it runs dry")  # pragma: no cover

    def _open_at(self, at: int) -> bool:
        """`in_hours` on epoch microseconds."""
        day = self._date_of(at)
        return any(s <= at < e for d in (day - _ONE_DAY, day) for s, e in self._spans(d))

    def _day_target(self, t: datetime, n: int, step: int) -> int:
        """The n-th business date from t's local date, at t's wall time (to the second)."""
        at = sp.instant(t, "after_days" if step > 0 else "before_days")
        local = t.astimezone(self._zone)
        target = self._nth_business_date(local.date(), n, step)
        if target == local.date():
            return at
        wall = datetime.combine(target, local.time().replace(microsecond=0, tzinfo=None))
        return sp.wall_to_us(self._zone, wall)

    def _nth_business_date(self, day: date, n: int, step: int) -> date:
        """Count business dates strictly past `day` (n = 0: `day` itself or the next one)."""
        if not any(self._weekly):
            raise ValueError(f"{self!r} has no weekly hours, so no business dates to count")
        delta, idle = _ONE_DAY * step, 0
        if n > 0:
            day += delta
        while True:
            if self.is_business_date(day):
                if n <= 1:
                    return day
                n -= 1
                idle = 0
            else:
                idle += 1
                if idle > _MAX_IDLE_DAYS:
                    raise ValueError(f"{self!r} has no business date for ten years from {day}")
            day += delta

    def _local_date(self, t: datetime) -> date:
        """The calendar-local date of an aware datetime."""
        return t.astimezone(self._zone).date()

    def _date_of(self, at: int) -> date:
        """The calendar-local date of epoch microseconds."""
        return sp.from_us(at).astimezone(self._zone).date()
