"""Figures for any period from the rollups: whole UTC days from the daily rows, whole hours from
the hourly rows, and the minutes at either end (a period that does not start or end on the
hour) from a plain scan of the history, so every period is exact.

A period that ends "now" is read up to the end of the current hour, which holds nothing later
than now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import Session

from store.reports.scan import scan
from store.rollups.hooks import DIMS, GRAIN_BLOCK, GRAIN_DAY, GRAIN_HOUR, epoch
from store.rollups.metrics import COUNTERS, Figures

HOUR, DAY = 3600, 86400
_SUMS = ", ".join(f"SUM({name})" for name in COUNTERS)


def _ceil(value: int, step: int) -> int:
    return -(-value // step) * step


# Coarsest first; each size divides the one before, so the pieces nest.
_LEVELS = ((GRAIN_DAY, DAY), (GRAIN_BLOCK, 4 * HOUR), (GRAIN_HOUR, HOUR))


def _cover(lo: int, hi: int, level: int = 0) -> list[tuple[int, int, int]]:
    """Whole days in the middle, whole blocks beside them, whole hours at the ends."""
    if lo >= hi:
        return []
    grain, size = _LEVELS[level]
    if level == len(_LEVELS) - 1:
        return [(grain, lo, hi)]
    a, b = _ceil(lo, size), hi // size * size
    if a >= b:
        return _cover(lo, hi, level + 1)
    return [*_cover(lo, a, level + 1), (grain, a, b), *_cover(b, hi, level + 1)]


def split(start: int, end: int) -> tuple[list[tuple[int, int, int]], list[tuple[int, int]]]:
    """[start, end) as rollup pieces (grain, lo, hi) plus the sub-hour fragments left to scan."""
    if end <= start:
        return [], []
    hs, he = _ceil(start, HOUR), end // HOUR * HOUR
    if hs >= he:
        return [], [(start, end)]
    fragments = [(a, b) for a, b in ((start, hs), (he, end)) if a < b]
    return _cover(hs, he), fragments


def _dt(value: int) -> datetime:
    return datetime.fromtimestamp(value, UTC)


def figures(session: Session, start: datetime, end: datetime, dim: str = "all",
            kinds: tuple[int, ...] = (0, 1)) -> dict[str, Figures]:
    """Figures over [start, end) grouped by `dim` (all, agent, channel, priority, category);
    `kinds` limits the histograms read (0 first reply, 1 resolution) when only one is shown."""
    pieces, fragments = split(epoch(start), _ceil_epoch(end))
    out: dict[str, Figures] = defaultdict(Figures)
    code = DIMS[dim]
    for grain, lo, hi in pieces:
        params = {"grain": grain, "dim": code, "lo": lo, "hi": hi}
        where = "grain = :grain AND dim = :dim AND bucket >= :lo AND bucket < :hi"
        for row in session.execute(text(f"SELECT key, {_SUMS} FROM rollup_count WHERE {where} GROUP BY key"),
                                   params):
            out[row[0]].add_counts(dict(zip(COUNTERS, row[1:], strict=True)))
        only = f" AND kind IN ({', '.join(str(int(k)) for k in kinds)})"  # kind precedes bucket in the key
        for key, kind, index, n in session.execute(
                text(f"SELECT key, kind, bin, SUM(n) FROM rollup_hist WHERE {where}{only} GROUP BY key, kind, bin"),
                params):
            if n:
                out[key].add_hist(kind, index, n)
    for lo, hi in fragments:
        for key, figs in scan(session, _dt(lo), _dt(hi), dim).figures.items():
            out[key].merge(figs)
    return {key: figs for key, figs in out.items() if any(figs.counts.values())}


def total(session: Session, start: datetime, end: datetime) -> Figures:
    return figures(session, start, end).get("", Figures())


def _ceil_epoch(at: datetime) -> int:
    """Instants are whole seconds in the rollups; an end with microseconds rounds up."""
    value = epoch(at)
    return value + 1 if at.microsecond else value


def hourly(session: Session, start: datetime, end: datetime, *, with_hist: bool = True) -> dict[int, Figures]:
    """Team-wide figures per UTC hour over the whole hours of [start, end), keyed by the hour's epoch."""
    lo, hi = epoch(start) // HOUR * HOUR, _ceil(_ceil_epoch(end), HOUR)
    params = {"lo": lo, "hi": hi}
    where = "grain = 0 AND dim = 0 AND bucket >= :lo AND bucket < :hi"
    out: dict[int, Figures] = defaultdict(Figures)
    for row in session.execute(text(f"SELECT bucket, {', '.join(COUNTERS)} FROM rollup_count WHERE {where}"),
                               params):
        out[row[0]].add_counts(dict(zip(COUNTERS, row[1:], strict=True)))
    if with_hist:
        for bucket, kind, index, n in session.execute(
                text(f"SELECT bucket, kind, bin, n FROM rollup_hist WHERE {where}"), params):
            if n:
                out[bucket].add_hist(kind, index, n)
    return out


# -- the intake curve -------------------------------------------------------------------------------


@dataclass(frozen=True)
class IntakeCurve:
    """Tickets received per local hour today, against the average of the 7 days before."""

    today: tuple[int, ...]
    average: tuple[float, ...]
    current_hour: int


def local_midnight(at: datetime, tz: str) -> datetime:
    local = at.astimezone(ZoneInfo(tz))
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)


def intake_curve(session: Session, now: datetime, tz: str) -> IntakeCurve:
    zone = ZoneInfo(tz)
    midnight = local_midnight(now, tz)
    week_start = local_midnight(midnight - timedelta(days=7) + timedelta(hours=12), tz)
    rows = session.execute(
        text("SELECT bucket, received FROM rollup_count WHERE grain = 0 AND dim = 0 AND bucket >= :lo "
             "AND bucket < :hi"), {"lo": epoch(week_start), "hi": epoch(now) // HOUR * HOUR + HOUR}).all()
    today, before = [0] * 24, [0] * 24
    for bucket, received in rows:
        at = _dt(bucket)
        hour = at.astimezone(zone).hour
        (today if at >= midnight else before)[hour] += received
    return IntakeCurve(tuple(today), tuple(n / 7 for n in before), now.astimezone(zone).hour)


# -- periods the panel shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    key: str  # shift | today | week
    start: datetime
    end: datetime


def hour_end(now: datetime) -> datetime:
    """Where a period that ends now is read to: the end of the current hour (nothing there is later)."""
    return _dt(_ceil(_ceil_epoch(now), HOUR))


def panel_periods(shift_start: datetime, now: datetime, tz: str) -> tuple[Period, ...]:
    """The current shift, today (local) and the last 7 local days including today, up to now."""
    midnight = local_midnight(now, tz)
    week = local_midnight(midnight - timedelta(days=6) + timedelta(hours=12), tz)
    end = hour_end(now)
    return (Period("shift", shift_start, end), Period("today", midnight, end), Period("week", week, end))
