"""SLA targets: minutes of business time, or business days counted with the calendar's dates.

A policy stores each target as a whole number of minutes (`120`) or as business days
(`"3bd"`). Days are not 24-hour blocks: `3bd` from Monday 10:00 on an office calendar is
Thursday 10:00 (`BusinessCalendar.after_days`). A ticket that arrives while business is closed
starts counting at the next opening, so `1bd` from Sunday 08:00 is Tuesday 09:00, not Monday
09:00 with no working time at all in between. A clock keeps its target in business seconds,
so pauses and priority changes work the same for both kinds: a day target becomes the business
time from the clock's start to that date.

Limits: 1 minute to 365 days, or 1bd to 260bd (a working year); anything else is refused with
the field named, so nothing saved can overflow a later due time.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from store.sla.calendar import BusinessCalendar

__all__ = ["MAX_DAYS", "MAX_MINUTES", "Target", "parse_target"]

MAX_MINUTES = 365 * 24 * 60
MAX_DAYS = 260
_TEXT = re.compile(r"([0-9]+)\s*(m|min|h|bd)?")
_SHOWN_DIGITS = 30  # a longer number is named by its length in messages, never printed in full


@dataclass(frozen=True, slots=True)
class Target:
    """One target: exactly one of `minutes` (business minutes) or `days` (business dates)."""

    minutes: int | None = None
    days: int | None = None

    @property
    def stored(self) -> int | str:
        """The JSON value a policy keeps: minutes as a number, days as "Nbd"."""
        return f"{self.days}bd" if self.days is not None else int(self.minutes or 0)

    @property
    def label(self) -> str:
        """How a person reads it: `30 min`, `4 h`, `3bd`."""
        if self.days is not None:
            return f"{self.days}bd"
        minutes = int(self.minutes or 0)
        return f"{minutes // 60} h" if minutes % 60 == 0 else f"{minutes} min"

    @property
    def longest_seconds(self) -> int:
        """An upper bound of the business seconds it can stand for (a day has at most 25 hours)."""
        if self.days is not None:
            return self.days * 25 * 3600
        return int(self.minutes or 0) * 60

    def due(self, cal: BusinessCalendar, start: datetime) -> datetime:
        """The due time of a clock that starts at `start` and never pauses."""
        if self.days is not None:
            return cal.after_days(cal.after(start, timedelta(0)), self.days)
        return cal.after(start, timedelta(minutes=int(self.minutes or 0)))

    def clock_seconds(self, cal: BusinessCalendar, start: datetime) -> int:
        """Business seconds a clock starting at `start` has: fixed for minutes, counted for days."""
        if self.days is None:
            return int(self.minutes or 0) * 60
        return max(1, math.ceil(cal.within(start, self.due(cal, start)).total_seconds()))


def parse_target(value: object, where: str) -> Target:
    """A stored or typed target (`90`, `"90"`, `"90m"`, `"4h"`, `"3bd"`) checked against the limits."""
    if isinstance(value, bool):
        raise ValueError(f"{where}: {value!r} is not a target; give minutes (90), hours (4h) or business days (3bd)")
    if isinstance(value, int):
        return _minutes(value, where)
    if isinstance(value, str):
        match = _TEXT.fullmatch(value.strip().lower())
        if match is not None:
            digits, unit = match[1].lstrip("0") or "0", match[2] or "m"
            amount = int(digits) if len(digits) <= _SHOWN_DIGITS else MAX_MINUTES * 10**_SHOWN_DIGITS
            if unit == "bd":
                return _days(amount, where)
            return _minutes(amount * 60 if unit == "h" else amount, where)
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:40] + "…"
    raise ValueError(f"{where}: {shown} is not a target; give minutes (90), hours (4h) or business days (3bd)")


def _minutes(minutes: int, where: str) -> Target:
    if not 1 <= minutes <= MAX_MINUTES:
        shown = _count(minutes)
        raise ValueError(f"{where}: {shown} minutes is outside the allowed range of 1 minute to 365 days "
                         f"({MAX_MINUTES} minutes); for longer targets use business days, up to {MAX_DAYS}bd")
    return Target(minutes=minutes)


def _days(days: int, where: str) -> Target:
    if not 1 <= days <= MAX_DAYS:
        shown = _count(days)
        raise ValueError(f"{where}: {shown} business days is outside the allowed range of 1bd to {MAX_DAYS}bd")
    return Target(days=days)


def _count(number: int) -> str:
    """A count for a message; a huge one is not turned into thousands of digits."""
    return str(number) if abs(number) < 10**_SHOWN_DIGITS else f"a number over {_SHOWN_DIGITS} digits long of"
