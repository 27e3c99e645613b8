"""A country's public holidays and make-up workdays, loaded one year at a time as dates are asked.

A due time must not depend on the day the program runs, so no window of years is fixed in
advance: the first question about a date in year Y loads Y (and Y+1, whose substitutions can
name a working Saturday in Y). Make-up workdays (Taiwan's 補班日, China's 调休) come from the
`holidays` package's `weekend_workdays` where it has them, joined with the shipped `workdays.toml` (Taiwan's, for
versions of the package that do not know them).
A calendar's own `workdays` and `holidays` keys override both (store.sla.calendar).
"""

from __future__ import annotations

import threading
import tomllib
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

__all__ = ["CountryDays", "shipped_workdays"]

_SHIPPED = Path(__file__).with_name("workdays.toml")


@lru_cache(maxsize=1)
def _shipped_table() -> dict[str, frozenset[date]]:
    """The shipped TOML: `[TW] dates = ["2025-02-08", ...]`, read once."""
    with _SHIPPED.open("rb") as handle:
        raw: dict[str, Any] = tomllib.load(handle)
    table: dict[str, frozenset[date]] = {}
    for country, section in raw.items():
        dates = section.get("dates", []) if isinstance(section, dict) else []
        table[country.upper()] = frozenset(date.fromisoformat(str(value)) for value in dates)
    return table


def shipped_workdays(country: str) -> frozenset[date]:
    """Make-up workdays shipped with Shiftdesk for a country (empty when none are shipped)."""
    return _shipped_table().get(country.upper(), frozenset())


class CountryDays:
    """Holidays and make-up workdays of one country (and subdivision), filled in lazily by year."""

    __slots__ = ("_country", "_holidays", "_lock", "_shipped", "_subdiv", "_workdays", "_years")

    def __init__(self, country: str, subdiv: str | None = None) -> None:
        self._country, self._subdiv = country, subdiv
        self._lock = threading.Lock()
        self._years: set[int] = set()
        self._holidays: set[date] = set()
        self._workdays: set[date] = set()
        self._shipped = shipped_workdays(country)
        self._table([])  # refuses an unknown country or subdivision now, not at the first due time

    @property
    def key(self) -> tuple[str, str | None]:
        return (self._country, self._subdiv)

    def is_holiday(self, day: date) -> bool:
        """A public holiday of the country on that date."""
        self._ensure(day.year)
        return day in self._holidays

    def is_workday(self, day: date) -> bool:
        """A make-up working day: a date normally off that the country declared a working day."""
        self._ensure(day.year)
        return day in self._workdays

    def _ensure(self, year: int) -> None:
        if year in self._years:
            return
        with self._lock:
            if year in self._years:
                return
            table = self._table([year, year + 1])
            self._holidays.update(table)
            self._workdays.update(getattr(table, "weekend_workdays", ()))
            self._workdays.update(d for d in self._shipped if d.year in (year, year + 1))
            self._years.add(year)

    def _table(self, years: list[int]) -> Any:
        import holidays  # deferred: the package is large and only calendars with a country need it

        try:
            return holidays.country_holidays(self._country, subdiv=self._subdiv, years=years)
        except NotImplementedError as exc:
            what = f"country {self._country!r}" + (f" subdivision {self._subdiv!r}" if self._subdiv else "")
            raise ValueError(f"calendar config: unknown holiday {what} ({exc})") from exc
