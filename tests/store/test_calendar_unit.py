"""Examples for the business calendar: validation, config round trips, DST days, speed."""

from __future__ import annotations

import json
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from store.sla.calendar import BusinessCalendar

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TAIPEI = ZoneInfo("Asia/Taipei")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
OFFICE = {day: [("09:00", "12:00"), ("13:00", "18:00")] for day in WEEKDAYS}
H = timedelta(hours=1)


def office(tz: str = "Asia/Taipei", **kwargs: object) -> BusinessCalendar:
    return BusinessCalendar(tz, OFFICE, **kwargs)  # type: ignore[arg-type]


def at(zone: ZoneInfo, *fields: int, fold: int = 0) -> datetime:
    return datetime(*fields, tzinfo=zone, fold=fold)  # type: ignore[misc]


# -- basic arithmetic ----------------------------------------------------------------------


def test_after_skips_lunch_night_and_weekend() -> None:
    cal = office()
    friday_1130 = at(TAIPEI, 2026, 3, 6, 11, 30)
    assert cal.after(friday_1130, 30 * timedelta(minutes=1)) == at(TAIPEI, 2026, 3, 6, 13, 0)
    assert cal.after(friday_1130, 7 * H) == at(TAIPEI, 2026, 3, 9, 10, 30)
    assert cal.before(at(TAIPEI, 2026, 3, 9, 10, 30), 7 * H) == friday_1130
    assert cal.within(friday_1130, at(TAIPEI, 2026, 3, 9, 10, 30)) == 7 * H


def test_exact_finish_at_closing_answers_next_opening() -> None:
    cal = office()
    assert cal.after(at(TAIPEI, 2026, 3, 6, 17, 0), H) == at(TAIPEI, 2026, 3, 9, 9, 0)
    assert cal.after(at(TAIPEI, 2026, 3, 6, 11, 0), H) == at(TAIPEI, 2026, 3, 6, 13, 0)


def test_before_finishing_at_an_opening_keeps_it() -> None:
    cal = office()
    assert cal.before(at(TAIPEI, 2026, 3, 9, 10, 0), H) == at(TAIPEI, 2026, 3, 9, 9, 0)


def test_zero_amounts_and_edges() -> None:
    cal = office()
    zero = timedelta(0)
    assert cal.after(at(TAIPEI, 2026, 3, 7, 10), zero) == at(TAIPEI, 2026, 3, 9, 9)
    assert cal.before(at(TAIPEI, 2026, 3, 7, 10), zero) == at(TAIPEI, 2026, 3, 6, 18)
    assert cal.before(at(TAIPEI, 2026, 3, 6, 12), zero) == at(TAIPEI, 2026, 3, 6, 12)
    assert cal.in_hours(at(TAIPEI, 2026, 3, 6, 9))
    assert not cal.in_hours(at(TAIPEI, 2026, 3, 6, 12))
    assert cal.within(at(TAIPEI, 2026, 3, 9), at(TAIPEI, 2026, 3, 6)) == zero


def test_results_are_aware_utc_instants() -> None:
    due = office().after(at(TAIPEI, 2026, 3, 6, 11, 30), H)
    assert due.utcoffset() == timedelta(0)
    assert due == datetime(2026, 3, 6, 5, 30, tzinfo=UTC)


def test_input_in_any_zone_is_an_instant() -> None:
    cal = office()
    utc_input = datetime(2026, 3, 6, 3, 30, tzinfo=UTC)  # 11:30 in Taipei
    assert cal.after(utc_input, H) == at(TAIPEI, 2026, 3, 6, 13, 30)


# -- dates: holidays, breaks, date hours, days -------------------------------------------


def test_holidays_breaks_and_date_hours() -> None:
    cal = office(
        holidays=[date(2026, 3, 9)],
        breaks={date(2026, 3, 10): [("09:00", "10:00")]},
        date_hours={date(2026, 3, 7): [("10:00", "12:00")]},  # a make-up Saturday
    )
    assert cal.in_hours(at(TAIPEI, 2026, 3, 7, 11))
    assert not cal.in_hours(at(TAIPEI, 2026, 3, 9, 10))
    assert not cal.in_hours(at(TAIPEI, 2026, 3, 10, 9, 30))
    # Fri 17:00 + 3 h: 1 h Friday, 2 h on the make-up Saturday, so due when it closes; the
    # exact finish at a closing moves to the next opening: Tuesday after the break.
    assert cal.after(at(TAIPEI, 2026, 3, 6, 17), 3 * H) == at(TAIPEI, 2026, 3, 10, 10)
    assert cal.within(at(TAIPEI, 2026, 3, 7), at(TAIPEI, 2026, 3, 11)) == 2 * H + 7 * H


def test_date_hours_do_not_make_business_dates() -> None:
    cal = office(date_hours={date(2026, 3, 7): [("10:00", "12:00")]})
    assert not cal.is_business_date(date(2026, 3, 7))
    assert cal.after_days(at(TAIPEI, 2026, 3, 6, 10), 1) == at(TAIPEI, 2026, 3, 9, 10)


def test_days_move_to_opening_or_back_to_closing() -> None:
    cal = office()
    assert cal.after_days(at(TAIPEI, 2026, 3, 6, 12, 30, 15), 1) == at(TAIPEI, 2026, 3, 9, 13)
    assert cal.before_days(at(TAIPEI, 2026, 3, 9, 12, 30, 15), 1) == at(TAIPEI, 2026, 3, 6, 12)
    assert cal.after_days(at(TAIPEI, 2026, 3, 6, 10, 5, 7), 3) == at(TAIPEI, 2026, 3, 11, 10, 5, 7)
    assert cal.before_days(at(TAIPEI, 2026, 3, 9, 7), 0) == at(TAIPEI, 2026, 3, 6, 18)


def test_zero_days_from_a_closed_date_uses_the_next_business_date() -> None:
    cal = office()
    # Sunday 10:00: the first business date on or after Sunday is Monday, at 10:00.
    assert cal.after_days(at(TAIPEI, 2026, 3, 8, 10), 0) == at(TAIPEI, 2026, 3, 9, 10)
    assert cal.before_days(at(TAIPEI, 2026, 3, 8, 10), 0) == at(TAIPEI, 2026, 3, 6, 10)


def test_days_keep_the_second_but_not_sub_seconds_on_other_dates() -> None:
    cal = office()
    t = at(TAIPEI, 2026, 3, 9, 10, 0, 5) + timedelta(microseconds=250)
    assert cal.after_days(t, 0) == t
    assert cal.after_days(t, 1) == at(TAIPEI, 2026, 3, 10, 10, 0, 5)


# -- DST ---------------------------------------------------------------------------------


def test_a_full_day_lasts_23_or_25_hours_on_dst_days() -> None:
    cal = BusinessCalendar("Europe/Berlin", {"sun": [("00:00", "24:00")]})
    spring, autumn = date(2013, 3, 31), date(2013, 10, 27)
    for day, hours in ((spring, 23), (autumn, 25)):
        start = at(BERLIN, day.year, day.month, day.day)
        end = start.astimezone(UTC) + timedelta(hours=hours)
        assert cal.within(start, end + H) == timedelta(hours=hours)
        next_sunday = day + timedelta(days=7)
        assert cal.after(start, timedelta(hours=hours)) == at(BERLIN, *next_sunday.timetuple()[:3])


def test_office_hours_follow_the_wall_clock_across_dst() -> None:
    cal = BusinessCalendar("America/New_York", {d: [("09:00", "17:00")] for d in WEEKDAYS})
    friday = at(NEW_YORK, 2013, 3, 8, 16)  # EST; the clocks go forward on Sunday
    assert cal.after(friday, 2 * H) == at(NEW_YORK, 2013, 3, 11, 10)  # EDT
    assert cal.after(friday, 2 * H) - friday == timedelta(days=2, hours=17)


def test_nonexistent_wall_time_moves_an_hour_later() -> None:
    cal = BusinessCalendar("Europe/Berlin", {d: [("00:00", "24:00")] for d in ("sat", "sun")})
    assert cal.after_days(at(BERLIN, 2013, 3, 30, 2, 30), 1) == at(BERLIN, 2013, 3, 31, 3, 30)


def test_ambiguous_wall_time_takes_the_first_occurrence() -> None:
    cal = BusinessCalendar("Europe/Berlin", {d: [("00:00", "24:00")] for d in ("sat", "sun")})
    got = cal.after_days(at(BERLIN, 2013, 10, 26, 2, 30), 1)
    assert got == datetime(2013, 10, 27, 0, 30, tzinfo=UTC)  # 02:30 CEST, not CET
    second = at(BERLIN, 2013, 10, 27, 2, 30, fold=1)
    assert cal.after_days(second, 0) == datetime(2013, 10, 27, 1, 30, tzinfo=UTC)


def test_spans_in_the_skipped_hour() -> None:
    cal = BusinessCalendar(
        "Europe/Berlin", {"sun": [("02:00", "03:00")], "mon": [("09:00", "10:00")]}
    )
    spring = at(BERLIN, 2013, 3, 31)
    assert cal.within(spring, spring + timedelta(days=1)) == timedelta(0)
    assert cal.after(spring, timedelta(0)) == at(BERLIN, 2013, 4, 1, 9)


# -- always open ---------------------------------------------------------------------------


def test_always_open_is_plain_arithmetic_even_across_dst() -> None:
    cal = BusinessCalendar.always_open("Europe/Berlin")
    start = at(BERLIN, 2013, 3, 30, 12)
    assert cal.is_always_open
    assert cal.after(start, timedelta(hours=24)) == at(BERLIN, 2013, 3, 31, 13)
    assert cal.within(start, at(BERLIN, 2013, 3, 31, 12)) == timedelta(hours=23)
    assert cal.before(start, H) == start - H
    assert repr(cal) == "BusinessCalendar.always_open(tz='Europe/Berlin')"


def test_a_full_week_config_is_detected_as_always_open() -> None:
    config = {"tz": "UTC", "hours": {d: [["00:00", "24:00"]] for d in (*WEEKDAYS, "sat", "sun")}}
    assert BusinessCalendar.from_config(config).is_always_open
    assert BusinessCalendar.always_open() == BusinessCalendar.from_config(config)


# -- validation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "message"),
    [
        ({"mond": [("09:00", "17:00")]}, "'mond'"),
        ({"mon": [("9h", "17:00")]}, "'9h'"),
        ({"mon": [("09:00", "25:00")]}, "'25:00'"),
        ({"mon": [("09:60", "17:00")]}, "'09:60'"),
        ({"tue": [("17:00", "09:00")]}, r"hours\['tue'\].*'17:00', '09:00'"),
        ({"tue": [("09:00", "09:00")]}, "ends at or before"),
        ({"sun": [("24:00", "24:00")]}, "ends at or before"),
        (
            {"wed": [("09:00", "12:00"), ("11:00", "13:00")]},
            r"hours\['wed'\].*09:00-12:00.*11:00-13:00 overlap",
        ),
        ({"thu": "09:00-17:00"}, r"hours\['thu'\]"),
        ({"fri": [("09:00",)]}, r"hours\['fri'\]"),
        (["mon"], "hours"),
    ],
)
def test_bad_hours_are_refused_naming_the_day_and_span(hours: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar("UTC", hours)  # type: ignore[arg-type]


def test_spans_may_be_lists_tuples_and_touch() -> None:
    cal = BusinessCalendar(
        "UTC",
        {"Mon": (["09:00", "12:00"], ("12:00", "24:00")), "tue": [["00:00", "08:00"]]},
        breaks={date(2026, 3, 9): (("13:00", "14:00"),)},
    )
    monday = datetime(2026, 3, 9, 9, tzinfo=UTC)
    assert cal.within(monday, monday + timedelta(days=2)) == 14 * H + 8 * H
    assert cal.after(monday, 14 * H) == datetime(2026, 3, 10, tzinfo=UTC)


def test_bad_dates_and_zone_are_refused() -> None:
    with pytest.raises(ValueError, match="Mars/Olympus"):
        BusinessCalendar("Mars/Olympus", OFFICE)
    with pytest.raises(ValueError, match=r"breaks\['2026-03-09'\]"):
        office(breaks={date(2026, 3, 9): [("14:00", "13:00")]})
    with pytest.raises(ValueError, match="2026-13-01"):
        office(holidays=["2026-13-01"])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="datetime"):
        office(holidays=[datetime(2026, 3, 9, tzinfo=UTC)])


@pytest.mark.parametrize(
    "call",
    [
        lambda cal, t: cal.after(t, H),
        lambda cal, t: cal.before(t, H),
        lambda cal, t: cal.within(t, t),
        lambda cal, t: cal.in_hours(t),
        lambda cal, t: cal.after_days(t, 1),
        lambda cal, t: cal.before_days(t, 1),
    ],
)
def test_naive_datetimes_are_refused(call: object) -> None:
    for cal in (office(), BusinessCalendar.always_open()):
        with pytest.raises(
            ValueError, match=r"timezone-aware datetime, got naive 2026-03-09T10:00:00"
        ):
            call(cal, datetime(2026, 3, 9, 10))  # type: ignore[operator]


def test_negative_or_mistyped_amounts_are_refused() -> None:
    cal, t = office(), at(TAIPEI, 2026, 3, 9, 10)
    with pytest.raises(ValueError, match="non-negative"):
        cal.after(t, -H)
    with pytest.raises(ValueError, match="n >= 0"):
        cal.before_days(t, -1)
    with pytest.raises(TypeError):
        cal.after(t, 3600)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cal.after_days(t, 1.5)  # type: ignore[arg-type]


def test_a_calendar_with_no_hours_fails_clearly() -> None:
    cal = BusinessCalendar("UTC", {})
    t = datetime(2026, 3, 9, tzinfo=UTC)
    assert cal.within(t, t + timedelta(days=30)) == timedelta(0)
    assert not cal.in_hours(t)
    with pytest.raises(ValueError, match="no business hours"):
        cal.after(t, H)
    with pytest.raises(ValueError, match="no weekly hours"):
        cal.after_days(t, 1)


# -- config --------------------------------------------------------------------------------

CONFIG = {
    "tz": "Asia/Taipei",
    "hours": {d: [["09:00", "18:00"]] for d in WEEKDAYS},
    "holidays": ["2026-03-10"],
    "country": "TW",
    "breaks": {"2026-02-03": [["12:00", "13:00"]]},
    "date_hours": {"2026-02-07": [["09:00", "18:00"]]},
}


def test_from_config_adds_country_holidays() -> None:
    cal = BusinessCalendar.from_config(CONFIG)
    assert not cal.is_business_date(date(2026, 1, 1))  # Founding Day of the Republic of China
    assert not cal.is_business_date(date(2026, 3, 10))  # listed explicitly
    assert cal.is_business_date(date(2026, 1, 2))
    assert not cal.in_hours(at(TAIPEI, 2026, 1, 1, 10))
    assert cal.after(at(TAIPEI, 2025, 12, 31, 17), 2 * H) == at(TAIPEI, 2026, 1, 2, 10)


def test_to_config_round_trips_through_json() -> None:
    cal = BusinessCalendar.from_config(CONFIG)
    stored = json.loads(json.dumps(cal.to_config()))
    assert stored == CONFIG
    again = BusinessCalendar.from_config(stored)
    assert again == cal and hash(again) == hash(cal)
    assert again.to_config() == stored


def test_constructor_calendars_round_trip_too() -> None:
    cal = office(
        holidays=[date(2026, 3, 10)],
        breaks={date(2026, 3, 11): [("15:00", "16:00")]},
        date_hours={date(2026, 3, 14): [("10:00", "12:00")]},
    )
    assert BusinessCalendar.from_config(cal.to_config()) == cal
    assert cal != office()


def test_older_configs_with_years_still_load_and_the_years_are_not_kept() -> None:
    """Holidays load by year as dates are asked: a stored window of years is no longer needed."""
    hours = {d: [["09:00", "17:00"]] for d in WEEKDAYS}
    old = {"tz": "Asia/Taipei", "hours": hours, "country": "TW", "years": [2025, 2026]}
    cal = BusinessCalendar.from_config(old)
    assert "years" not in cal.to_config()
    assert cal == BusinessCalendar.from_config({k: v for k, v in old.items() if k != "years"})
    # Founding Day outside the listed years: 2031-01-01 is a Wednesday, 2024-01-01 a Monday.
    assert not cal.is_business_date(date(2031, 1, 1)) and not cal.is_business_date(date(2024, 1, 1))
    assert cal.is_business_date(date(2031, 1, 2)) and cal.is_business_date(date(2024, 1, 2))


def test_from_config_minimal_and_shifts_free() -> None:
    cal = BusinessCalendar.from_config({"tz": "UTC", "hours": {"mon": [["09:00", "17:00"]]}})
    assert cal.to_config() == {
        "tz": "UTC",
        "hours": {"mon": [["09:00", "17:00"]]},
        "holidays": [],
        "breaks": {},
        "date_hours": {},
    }


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({**CONFIG, "country": "XX"}, "'XX'"),
        ({**CONFIG, "holiday": []}, "'holiday'"),
        ({"hours": {}}, "'tz'"),
        ({"tz": "UTC"}, "'hours'"),
        ({"tz": "UTC", "hours": {}, "years": [2026]}, "needs 'country'"),
        ({**CONFIG, "years": "2026"}, "years"),
        ({**CONFIG, "breaks": {"someday": [["12:00", "13:00"]]}}, "'someday'"),
    ],
)
def test_bad_configs_are_refused(config: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessCalendar.from_config(config)


def test_repr_names_zone_hours_and_extras() -> None:
    text = repr(BusinessCalendar.from_config(CONFIG))
    assert text.startswith("BusinessCalendar(tz='Asia/Taipei'")
    assert "'mon': ['09:00-18:00']" in text and "country='TW'" in text and "breaks=1" in text


# -- speed ---------------------------------------------------------------------------------


def test_thirty_day_after_is_well_under_a_millisecond() -> None:
    cal = office()
    start = at(TAIPEI, 2026, 3, 2, 10)
    month = timedelta(hours=22 * 8)  # about thirty calendar days of office hours
    cold = time.perf_counter()
    due = cal.after(start, month)
    cold = time.perf_counter() - cold
    assert cal.within(start, due) == month
    runs = 200
    warm = time.perf_counter()
    for minute in range(runs):
        cal.after(start + timedelta(minutes=minute), month)
    warm = (time.perf_counter() - warm) / runs
    assert warm < 0.001, f"warm 30-day after took {warm * 1e6:.0f} µs"
    assert cold < 0.02, f"cold 30-day after took {cold * 1e3:.1f} ms"
