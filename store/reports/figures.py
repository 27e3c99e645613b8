"""Figures for any period, to the second, from the rollups and the facts: the one reader behind the
report, the panel, the handover's SLA summary and every export.

A period [start, end) is cut into whole UTC days, four-hour blocks, hours and quarter hours,
read from the rollups, and the minutes at either end finer than a quarter hour, summed from the
facts themselves (`figure_fact`, which carry the values each fact had at its instant). Both are
sums of the same facts, so any period is the sum of its parts. The resolution rate is counted
as of the period's end: solves and reopens after it are taken back (`as_of_end`).

Breaches are facts of the data: `settle` records every clock whose due time has passed (the
SLA engine's sweep, in short writes) before anything is read. A reader that cannot write (the
lock held by another process, a read-only file, a read-only PostgreSQL role) still counts them:
`read` adds the breach facts of clocks due and not recorded, computed from the history as the
sweep would record them (`unrecorded`), without storing anything.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlmodel import Session

from store.rollups.facts import HIST_KINDS, TRANSITION, Fact, breach_fact, counts_of, sec
from store.rollups.hooks import (
    DIM_AGENT,
    DIMS,
    FACT_COLUMNS,
    GRAIN_BLOCK,
    GRAIN_DAY,
    GRAIN_HOUR,
    GRAIN_QUARTER,
    key_of,
)
from store.rollups.metrics import COUNTERS, Figures

HOUR, DAY, QUARTER = 3600, 86400, 900
SWEEP_BATCH = 5000
_SUMS = ", ".join(f"SUM({name})" for name in COUNTERS)
# Coarsest first; each size divides the one before, so the pieces nest.
_LEVELS = ((GRAIN_DAY, DAY), (GRAIN_BLOCK, 4 * HOUR), (GRAIN_HOUR, HOUR), (GRAIN_QUARTER, QUARTER))


def _ceil(value: int, step: int) -> int:
    return -(-value // step) * step


def _cover(lo: int, hi: int, level: int = 0) -> list[tuple[int, int, int]]:
    """Whole days in the middle, then blocks, hours and quarter hours towards the ends."""
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
    """[start, end) as rollup pieces (grain, lo, hi) plus the sub-quarter fragments read from the facts."""
    if end <= start:
        return [], []
    qs, qe = _ceil(start, QUARTER), end // QUARTER * QUARTER
    if qs >= qe:
        return [], [(start, end)]
    return _cover(qs, qe), [(a, b) for a, b in ((start, qs), (qe, end)) if a < b]


def bound(at: datetime, *, end: bool = False) -> int:
    """A period bound in whole seconds; a fraction of a second rounds up (the bound is exclusive
    at the end, inclusive at the start, so nothing inside the period is lost)."""
    value = sec(at)
    return value + 1 if at.microsecond else value


# -- reading ---------------------------------------------------------------------------------------


Segment = tuple[Any, int, int]  # (label, lo, hi) in epoch seconds


def _runs(buckets: Iterable[int], size: int) -> list[tuple[int, int]]:
    """Contiguous [lo, hi) runs of bucket starts."""
    out: list[tuple[int, int]] = []
    for b in sorted(buckets):
        if out and out[-1][1] == b:
            out[-1] = (out[-1][0], b + size)
        else:
            out.append((b, b + size))
    return out


def read(session: Session, segments: Sequence[Segment], dim: str = "all", kinds: tuple[int, ...] = (0, 1),
         *, as_of: int | None = None, now: datetime | None = None) -> dict[Any, dict[str, Figures]]:
    """Figures per segment label and group key. The resolution rate is as of `as_of` (default: the
    end of the last segment). Breaches due before `now` (default: the clock's now) that no sweep
    could record are counted as recorded ones would be."""
    code = DIMS[dim]
    out: dict[Any, dict[str, Figures]] = defaultdict(lambda: defaultdict(Figures))
    by_grain: dict[int, dict[int, Any]] = defaultdict(dict)
    fragments: list[tuple[int, int, Any]] = []
    for label, lo, hi in segments:
        pieces, frags = split(lo, hi)
        for grain, a, b in pieces:
            size = dict(_LEVELS)[grain]
            for bucket in range(a, b, size):
                by_grain[grain][bucket] = label
        fragments += [(a, b, label) for a, b in frags]
    single = len({label for label, _lo, _hi in segments}) <= 1
    for grain, buckets in by_grain.items():
        size = dict(_LEVELS)[grain]
        for run in _runs(buckets, size):  # one range per statement: an OR of ranges defeats the key's index
            _read_run(session, grain, code, run, buckets, out, single, kinds)
    for lo, hi, label in fragments:
        for fact in facts_between(session, lo, hi):
            key = key_of(fact, code)
            if key is None:
                continue
            figs = out[label][key]
            figs.add_counts(counts_of(fact))
            hist = HIST_KINDS.get(fact.kind)
            if hist is not None and hist in kinds:
                figs.add_hist(hist, fact.bin, 1)
    if segments:
        _add_unrecorded(session, segments, code, out, now)
    if segments and code != DIM_AGENT:
        as_of_end(session, segments, code, out, as_of if as_of is not None else max(hi for _l, _lo, hi in segments))
    return {label: {k: f for k, f in groups.items() if not f.is_empty()} for label, groups in out.items()}


def _add_unrecorded(session: Session, segments: Sequence[Segment], code: int, out: dict,
                    now: datetime | None) -> None:
    if now is None:
        from store.clock import now as clock_now

        now = clock_now()
    lo, hi = min(s[1] for s in segments), max(s[2] for s in segments)
    for fact in unrecorded(session, lo, hi, now):
        key = key_of(fact, code)
        if key is None:
            continue
        for label, a, b in segments:
            if a <= fact.at < b:
                out[label][key].add_counts(counts_of(fact))


def _read_run(session: Session, grain: int, code: int, run: tuple[int, int], buckets: dict[int, Any],
              out: dict, single: bool, kinds: tuple[int, ...]) -> None:
    """The rollup rows of one grain over one contiguous range of buckets."""
    params: dict[str, int] = {"grain": grain, "dim": code, "lo": run[0], "hi": run[1]}
    where = "grain = :grain AND dim = :dim AND bucket >= :lo AND bucket < :hi"
    only = f" AND kind IN ({', '.join(str(int(k)) for k in kinds)})" if kinds else " AND 1 = 0"
    if single:
        label = next(iter(buckets.values()))
        for row in session.execute(text(f"SELECT key, {_SUMS} FROM rollup_count WHERE {where} GROUP BY key"), params):
            out[label][row[0]].add_counts(dict(zip(COUNTERS, row[1:], strict=True)))
        if kinds:
            for key, kind, index, n in session.execute(text(
                    f"SELECT key, kind, bin, SUM(n) FROM rollup_hist WHERE {where}{only} GROUP BY key, kind, bin"),
                    params):
                out[label][key].add_hist(kind, index, n)
        return
    for row in session.execute(text(f"SELECT bucket, key, {', '.join(COUNTERS)} FROM rollup_count WHERE {where}"),
                               params):
        out[buckets[row[0]]][row[1]].add_counts(dict(zip(COUNTERS, row[2:], strict=True)))
    if kinds:
        for bucket, key, kind, index, n in session.execute(text(
                f"SELECT bucket, key, kind, bin, n FROM rollup_hist WHERE {where}{only}"), params):
            out[buckets[bucket]][key].add_hist(kind, index, n)


def facts_between(session: Session, lo: int, hi: int) -> list[Fact]:
    rows = session.execute(text(f"SELECT {', '.join(FACT_COLUMNS)} FROM figure_fact WHERE at >= :lo AND at < :hi"),
                           {"lo": lo, "hi": hi})
    return [Fact(*r) for r in rows]


_KEY_SQL = {0: None, 2: "COALESCE(channel, '')", 3: "COALESCE(priority, '')", 4: "COALESCE(category, '')"}


def as_of_end(session: Session, segments: Sequence[Segment], code: int, out: dict, end: int) -> None:
    """received_solved counts the tickets received that are solved now; take back the solves (and
    put back the reopens) that happened at or after `end`, so the figure is as of the period's end.
    (ix_fact_kind_at covers kind, at, value and flag: the total needs no table row.)"""
    ordered = sorted((lo, hi, label) for label, lo, hi in segments)
    key = _KEY_SQL[code]
    params = {"k": TRANSITION, "end": end, "lo": ordered[0][0], "hi": max(h for _l, h, _b in ordered)}
    where = "kind = :k AND at >= :end AND value >= :lo AND value < :hi"
    if len(ordered) == 1:
        label = ordered[0][2]
        sql = (f"SELECT '', SUM(flag) FROM figure_fact WHERE {where}" if key is None
               else f"SELECT {key}, SUM(flag) FROM figure_fact WHERE {where} GROUP BY {key}")
        for k, n in session.execute(text(sql), params):
            if n:
                out[label][k].counts["received_solved"] -= int(n)
        return
    starts = [lo for lo, _hi, _label in ordered]
    for value, flag, k in session.execute(text(f"SELECT value, flag, {key or chr(39) * 2} FROM figure_fact "
                                               f"WHERE {where}"), params):
        i = bisect_right(starts, value) - 1
        if i >= 0 and value < ordered[i][1]:
            out[ordered[i][2]][k].counts["received_solved"] -= flag


def figures(session: Session, start: datetime, end: datetime, dim: str = "all",
            kinds: tuple[int, ...] = (0, 1), *, now: datetime | None = None) -> dict[str, Figures]:
    """Figures over [start, end) grouped by `dim` (all, agent, channel, priority, category);
    `kinds` limits the histograms read (0 first reply, 1 resolution) when only one is shown."""
    lo, hi = bound(start), bound(end)
    return dict(read(session, [("", lo, hi)], dim, kinds, now=now).get("", {}))


def total(session: Session, start: datetime, end: datetime) -> Figures:
    return figures(session, start, end).get("", Figures())


# -- breaches are facts ----------------------------------------------------------------------------


# A reader that cannot write (the lock is held past its wait, a read-only file, a PostgreSQL role
# without write rights) still reads every due breach: `read` counts them itself (`unrecorded`).
CANNOT_WRITE = ("locked", "readonly", "pg_denied", "deadlock")


def settle(db: Any, now: datetime) -> int:
    """Record every breach that fell due by `now` (once, at its due time, against the holder then),
    in short writes, before figures are read. Returns how many were recorded; when the reader may
    not or cannot write, it records nothing and the read counts those breaches itself."""
    from store.db.engine import DatabaseBusy
    from store.db.failures import diagnose
    from store.sla.clocks import breaches_due, record_breaches

    with db.read() as session:  # the usual case on a refresh: nothing fell due, no write lock
        if not breaches_due(session, now):
            return 0
    done = 0
    while True:
        try:
            with db.write() as session:
                n = record_breaches(session, now, limit=SWEEP_BATCH)
        except DatabaseBusy:
            return done
        except Exception as exc:
            trouble = diagnose(exc)
            if trouble is None or trouble.kind not in CANNOT_WRITE:
                raise
            return done
        done += n
        if n < SWEEP_BATCH:
            return done


def unrecorded(session: Session, lo: int, hi: int, now: datetime) -> list[Fact]:
    """The breach facts of clocks due in [lo, hi) before `now` that no sweep has recorded yet: what
    recording them would add, computed in the read and not stored (store/rollups/facts.py
    `breach_fact`: at the due time, under the priority then, against the holder then). Empty
    whenever the sweep could write: one look at the sweep index."""
    from sqlmodel import col, select

    from store.models import SlaClock
    from store.rollups.history import load
    from store.sla.clocks import overdue

    start, end = datetime.fromtimestamp(lo, UTC), datetime.fromtimestamp(hi, UTC)
    rows = session.exec(select(SlaClock.ticket_id, SlaClock.metric, SlaClock.due_at).where(
        *overdue(now), col(SlaClock.due_at) >= start, col(SlaClock.due_at) < end)).all()
    if not rows:
        return []
    histories = {h.id: h for h in load(session.connection(), {r[0] for r in rows})}
    return [breach_fact(histories[tid], metric, due) for tid, metric, due in rows if tid in histories]


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
    """From the quarter-hour rows, so a zone offset of :30 or :45 puts each ticket in its local hour."""
    zone = ZoneInfo(tz)
    midnight = local_midnight(now, tz)
    week_start = local_midnight(midnight - timedelta(days=7) + timedelta(hours=12), tz)
    rows = session.execute(
        text("SELECT bucket, received FROM rollup_count WHERE grain = :g AND dim = 0 AND bucket >= :lo "
             "AND bucket < :hi AND received != 0"),
        {"g": GRAIN_QUARTER, "lo": sec(week_start), "hi": _ceil(bound(now), QUARTER)}).all()
    today, before = [0] * 24, [0] * 24
    for bucket, received in rows:
        at = datetime.fromtimestamp(bucket, UTC)
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
    return datetime.fromtimestamp(_ceil(bound(now), HOUR), UTC)


def panel_periods(shift_start: datetime, now: datetime, tz: str) -> tuple[Period, ...]:
    """The current shift, today (local) and the last 7 local days including today, up to now."""
    midnight = local_midnight(now, tz)
    week = local_midnight(midnight - timedelta(days=6) + timedelta(hours=12), tz)
    end = hour_end(now)
    return (Period("shift", shift_start, end), Period("today", midnight, end), Period("week", week, end))
