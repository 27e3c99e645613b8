"""Properties of business-time arithmetic that must hold for any calendar, zone and instant."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from store.sla.calendar import BusinessCalendar

SETTINGS = settings(max_examples=200, deadline=None)
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Taipei", "UTC")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
FIRST_DAY, LAST_DAY = date(2013, 1, 1), date(2014, 12, 31)
ONE_US = timedelta(microseconds=1)
# DST changes in the window, so examples land on 23- and 25-hour days often.
TRANSITIONS = (
    datetime(2013, 3, 31, 1, tzinfo=UTC),  # Berlin spring forward
    datetime(2013, 10, 27, 1, tzinfo=UTC),  # Berlin fall back
    datetime(2013, 3, 10, 7, tzinfo=UTC),  # New York spring forward
    datetime(2013, 11, 3, 6, tzinfo=UTC),  # New York fall back
    datetime(2014, 3, 30, 1, tzinfo=UTC),
    datetime(2014, 11, 2, 6, tzinfo=UTC),
)


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def day_spans(draw: st.DrawFn, max_spans: int = 3) -> list[list[str]]:
    """Sorted, non-overlapping spans on a quarter-hour grid, sometimes reaching 00:00 or 24:00."""
    marks = sorted(set(draw(st.lists(st.integers(0, 96), max_size=2 * max_spans))))
    marks = marks[: len(marks) // 2 * 2]
    return [[clock(a * 15), clock(b * 15)] for a, b in zip(marks[::2], marks[1::2], strict=True)]


# Hand-picked days (cheap to draw) mixed with random ones: office hours, split shifts, whole
# days, and spans that touch midnight or the 02:00-03:00 hour that DST skips or repeats.
PATTERNS: tuple[list[list[str]], ...] = (
    [],
    [["09:00", "17:00"]],
    [["09:00", "12:00"], ["13:00", "18:00"]],
    [["00:00", "24:00"]],
    [["00:00", "02:30"], ["20:00", "24:00"]],
    [["01:00", "02:30"], ["03:00", "04:00"]],
    [["02:00", "03:00"]],
    [["02:15", "02:45"], ["23:45", "24:00"]],
)
pattern = st.integers(0, len(PATTERNS) - 1).map(PATTERNS.__getitem__)
dates = st.integers(0, (LAST_DAY - FIRST_DAY).days).map(lambda n: FIRST_DAY + timedelta(days=n))


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    """Weekly hours (one day fully random), holidays, breaks and date hours in a DST zone."""
    hours = dict(zip(DAYS, draw(st.lists(pattern, min_size=7, max_size=7)), strict=True))
    hours[draw(st.sampled_from(DAYS))] = draw(day_spans())
    if not any(hours.values()):
        hours["mon"] = [["09:00", "17:00"]]
    return BusinessCalendar(
        draw(st.sampled_from(ZONES)),
        hours,
        holidays=draw(st.lists(dates, max_size=6)),
        breaks=dict(draw(st.lists(st.tuples(dates, pattern), max_size=3))),
        date_hours=dict(draw(st.lists(st.tuples(dates, pattern), max_size=3))),
    )


@st.composite
def instants(draw: st.DrawFn) -> datetime:
    """Aware instants in the window, half of them within two days of a DST change."""
    if draw(st.booleans()):
        base = draw(st.sampled_from(TRANSITIONS))
        offset = draw(st.integers(-2 * 86_400_000_000, 2 * 86_400_000_000))
        return base + timedelta(microseconds=offset)
    naive = draw(st.datetimes(datetime(2013, 1, 3), datetime(2014, 12, 1)))
    return naive.replace(tzinfo=UTC)


spans_of_time = st.integers(0, 20 * 86_400_000_000).map(lambda us: timedelta(microseconds=us))
positive = st.one_of(
    st.integers(1, 30 * 3600).map(lambda s: timedelta(seconds=s)),
    st.integers(1, 2 * 86_400_000_000).map(lambda us: timedelta(microseconds=us)),
)
amounts = st.one_of(st.just(timedelta(0)), positive)


@SETTINGS
@given(calendars(), instants(), amounts, amounts)
def test_after_lands_open_once_exactly_the_amount_elapsed(
    cal: BusinessCalendar, t: datetime, d1: timedelta, d2: timedelta
) -> None:
    small, large = sorted((d1, d2))
    due = cal.after(t, small)
    assert t <= due <= cal.after(t, large)  # monotonic in the amount
    assert cal.within(t, due) == small
    assert cal.in_hours(due)  # never at a closing: an exact finish moves to the next opening


@SETTINGS
@given(calendars(), instants(), positive, positive)
def test_before_walks_back_exactly_the_amount(
    cal: BusinessCalendar, t: datetime, d1: timedelta, d2: timedelta
) -> None:
    small, large = sorted((d1, d2))
    start = cal.before(t, small)
    assert t >= start >= cal.before(t, large)  # monotonic in the amount
    assert cal.within(start, t) == small
    assert cal.in_hours(start)  # positive amounts run out inside a span or exactly at an opening


@SETTINGS
@given(calendars(), instants(), positive)
def test_after_and_before_invert_from_an_open_instant(
    cal: BusinessCalendar, t: datetime, d: timedelta
) -> None:
    # From a closed instant there is no inverse: after() first jumps to the next opening.
    opened = cal.after(t, timedelta(0))
    assert cal.before(cal.after(opened, d), d) == opened
    assert cal.after(cal.before(opened, d), d) == opened
    # And from anywhere, going back then forward lands on the next opening.
    assert cal.after(cal.before(t, d), d) == opened


@SETTINGS
@given(calendars(), instants(), spans_of_time, spans_of_time)
def test_within_is_additive_bounded_and_matches_in_hours(
    cal: BusinessCalendar, a: datetime, ab: timedelta, bc: timedelta
) -> None:
    b, c = a + ab, a + ab + bc
    assert cal.within(a, b) + cal.within(b, c) == cal.within(a, c)
    assert timedelta(0) <= cal.within(a, c) <= c - a
    assert cal.within(c, a) == timedelta(0) or a == c
    for t in (a, b, c):
        assert cal.in_hours(t) == (cal.within(t, t + ONE_US) == ONE_US)


@SETTINGS
@given(calendars(), instants())
def test_zero_amounts(cal: BusinessCalendar, t: datetime) -> None:
    zero = timedelta(0)
    if cal.in_hours(t):
        assert cal.after(t, zero) == t == cal.before(t, zero)
    else:
        assert cal.after(t, zero) > t and cal.within(t, cal.after(t, zero)) == zero
        # The most recent closing, which is t itself when t is exactly a closing instant.
        assert cal.before(t, zero) <= t and cal.within(cal.before(t, zero), t) == zero
        assert cal.after(cal.before(t, zero), zero) == cal.after(t, zero)


@SETTINGS
@given(calendars(), dates, instants())
def test_holidays_have_no_business_time(cal: BusinessCalendar, day: date, t: datetime) -> None:
    zone = ZoneInfo(cal.tz)
    cal = BusinessCalendar.from_config({**cal.to_config(), "holidays": [day.isoformat()]})
    start = datetime(day.year, day.month, day.day, tzinfo=zone)
    end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    assert cal.within(start, end) == timedelta(0)
    inside = start + (t - datetime(2013, 1, 1, tzinfo=UTC)) % (end - start)
    assert not cal.in_hours(inside)
    assert not cal.is_business_date(day)


@SETTINGS
@given(st.sampled_from(ZONES), instants(), spans_of_time, amounts)
def test_always_open_is_plain_arithmetic(
    zone: str, t: datetime, gap: timedelta, d: timedelta
) -> None:
    fast = BusinessCalendar.always_open(zone)
    # One harmless date-hours entry turns the fast path off: the day walk must agree exactly,
    # which it only does if 00:00-24:00 lasts 23 or 25 hours on DST days.
    slow = BusinessCalendar(
        zone,
        {day: [("00:00", "24:00")] for day in DAYS},
        date_hours={date(2000, 1, 1): [["00:00", "24:00"]]},
    )
    assert fast.is_always_open and not slow.is_always_open
    for cal in (fast, slow):
        assert cal.after(t, d) == t + d
        assert cal.before(t, d) == t - d
        assert cal.within(t, t + gap) == gap
        assert cal.within(t + gap, t) == timedelta(0)
        assert cal.in_hours(t)


@SETTINGS
@given(calendars(), instants(), st.integers(0, 10))
def test_days_land_on_the_right_dates_and_move_the_right_way(
    cal: BusinessCalendar, t: datetime, n: int
) -> None:
    later, earlier = cal.after_days(t, n), cal.before_days(t, n)
    assert later >= t and cal.in_hours(later)
    assert earlier <= t
    assert cal.before(earlier, timedelta(0)) == earlier  # in a span, ends included
    assert cal.after_days(t, n + 1) >= later
    assert cal.before_days(t, n + 1) <= earlier
    # The unmoved target is the n-th business date after t's local date; moving to the next
    # opening can only push the answer later, never back onto an earlier date.
    zone = ZoneInfo(cal.tz)
    target, seen = t.astimezone(zone).date(), 0
    while seen < n:
        target += timedelta(days=1)
        seen += cal.is_business_date(target)
    assert later.astimezone(zone).date() >= target
