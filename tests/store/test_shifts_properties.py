"""Window arithmetic for any tiling of the day, in zones with and without DST."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from store.team.shifts import (
    ShiftSpec,
    following,
    plan_update,
    preceding,
    validate,
    window_at,
    windows_between,
)

SETTINGS = settings(max_examples=150, deadline=None)
ZONES = ("Asia/Taipei", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "UTC")
# Instants near DST changes in those zones, so the 23- and 25-hour days come up often.
TRANSITIONS = (
    datetime(2024, 3, 10, 7, tzinfo=UTC),   # New York spring forward
    datetime(2024, 11, 3, 6, tzinfo=UTC),   # New York fall back
    datetime(2024, 3, 31, 1, tzinfo=UTC),   # Berlin spring forward
    datetime(2024, 10, 27, 1, tzinfo=UTC),  # Berlin fall back
    datetime(2024, 4, 6, 15, tzinfo=UTC),   # Lord Howe (half-hour change)
)


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def tilings(draw: st.DrawFn) -> list[ShiftSpec]:
    """1-5 shifts that tile the day, boundaries on a 15-minute grid, often around 02:00."""
    grid = st.one_of(st.integers(0, 95), st.integers(6, 13))  # 01:30-03:15 overlaps DST hours
    marks = sorted(draw(st.sets(grid, min_size=1, max_size=5)))
    tz = draw(st.sampled_from(ZONES))
    if len(marks) == 1:
        return [ShiftSpec("s0", hhmm(marks[0] * 15), hhmm(marks[0] * 15), tz)]
    ends = marks[1:] + marks[:1]
    return [ShiftSpec(f"s{i}", hhmm(a * 15), hhmm(b * 15), tz) for i, (a, b) in enumerate(zip(marks, ends, strict=True))]


instants = st.one_of(
    st.datetimes(datetime(2023, 1, 1), datetime(2026, 1, 1), timezones=st.just(UTC)),
    st.builds(lambda t, m: t + timedelta(minutes=m), st.sampled_from(TRANSITIONS), st.integers(-36 * 60, 36 * 60)),
)


@SETTINGS
@given(tilings(), instants)
def test_every_instant_has_one_window_and_neighbours_touch(specs: list[ShiftSpec], at: datetime) -> None:
    validate(specs)
    window = window_at(specs, at)
    assert window.start <= at < window.end
    after = following(specs, window)
    before = preceding(specs, window)
    assert after.start == window.end and before.end == window.start
    assert preceding(specs, after) == window and following(specs, before) == window
    if specs[0].tz in ("Asia/Taipei", "UTC"):
        names = [s.name for s in sorted(specs, key=lambda s: s.start_minute)]
        assert after.name == names[(names.index(window.name) + 1) % len(names)]


@SETTINGS
@given(tilings(), instants)
def test_window_length_follows_wall_clock_within_dst_shift(specs: list[ShiftSpec], at: datetime) -> None:
    window = window_at(specs, at)
    spec = next(s for s in specs if s.name == window.name)
    nominal = timedelta(minutes=spec.length_minutes)
    assert abs((window.end - window.start) - nominal) <= timedelta(hours=1)
    zone = ZoneInfo(spec.tz)
    local_start = window.start.astimezone(zone)
    # The start is the shift's wall time on local_date, unless that wall time was skipped.
    if local_start.strftime("%H:%M") == spec.start:
        assert local_start.date() == window.local_date
    else:  # skipped wall time: the window starts exactly at the jump
        assert (window.start - timedelta(seconds=1)).astimezone(zone).utcoffset() != local_start.utcoffset()


@SETTINGS
@given(tilings(), st.sampled_from(TRANSITIONS), st.integers(1, 4))
def test_windows_between_are_back_to_back(specs: list[ShiftSpec], around: datetime, days: int) -> None:
    start, end = around - timedelta(days=days), around + timedelta(days=days)
    windows = windows_between(specs, start, end)
    assert windows[0].contains(start) and windows[-1].end >= end
    for a, b in itertools.pairwise(windows):
        assert a.end == b.start and a.start < a.end
    assert sum(((w.end - w.start) for w in windows), timedelta()) == windows[-1].end - windows[0].start


@SETTINGS
@given(tilings(), st.integers(0, 4), st.integers(0, 95))
def test_update_keeps_the_day_tiled_or_refuses(specs: list[ShiftSpec], which: int, mark: int) -> None:
    from store.team.shifts import ShiftConfigError

    target = specs[which % len(specs)]
    try:
        plan = plan_update(specs, target.name, end=hhmm(mark * 15))
    except ShiftConfigError:
        return
    assert sum(s.length_minutes for s in plan) == 24 * 60 or len(plan) == 1
    assert {s.name for s in plan} == {s.name for s in specs}
