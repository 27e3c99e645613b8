"""Shift windows in the team's zone: the default 早班/晚班/大夜 day, editing rules, the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from store.db.engine import open_database
from store.defaults import ensure_defaults
from store.errors import NotFound
from store.models import Audit, Shift
from store.team.shifts import (
    ShiftConfigError,
    ShiftSpec,
    ShiftWindow,
    add_shift,
    current_shift,
    list_shifts,
    next_shift,
    plan_add,
    plan_remove,
    plan_update,
    previous_shift,
    remove_shift,
    shift_window,
    update_shift,
    validate,
    window_at,
)

TPE = ZoneInfo("Asia/Taipei")
T0 = datetime(2024, 1, 1, tzinfo=UTC)
DEFAULT = [ShiftSpec("早班", "07:00", "15:00"), ShiftSpec("晚班", "15:00", "23:00"),
           ShiftSpec("大夜", "23:00", "07:00")]


def tpe(*args: int) -> datetime:
    return datetime(*args, tzinfo=TPE).astimezone(UTC)


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    with database.write() as s:
        ensure_defaults(s, T0)
    yield database
    database.dispose()


def test_default_day_in_taipei(db) -> None:
    with db.read() as s:
        assert [x.name for x in list_shifts(s)] == ["早班", "晚班", "大夜"]
        morning = current_shift(s, tpe(2024, 1, 15, 14, 59))
        assert morning == ShiftWindow("早班", tpe(2024, 1, 15, 7), tpe(2024, 1, 15, 15), date(2024, 1, 15),
                                      "Asia/Taipei")
        assert current_shift(s, tpe(2024, 1, 15, 15)).name == "晚班"
        night = current_shift(s, tpe(2024, 1, 16, 3))
        assert (night.name, night.local_date) == ("大夜", date(2024, 1, 15))
        assert night.start == tpe(2024, 1, 15, 23) and night.end == tpe(2024, 1, 16, 7)
        assert current_shift(s, tpe(2024, 1, 15, 23, 30)) == night
        assert previous_shift(s, tpe(2024, 1, 16, 8)) == night
        assert next_shift(s, tpe(2024, 1, 15, 20)) == night
        assert next_shift(s, tpe(2024, 1, 16, 3)).local_date == date(2024, 1, 16)
        assert shift_window(s, "大夜", date(2024, 1, 15)) == night
        with pytest.raises(NotFound):
            shift_window(s, "午班", date(2024, 1, 15))


def test_unknown_team_uses_default_shifts(db) -> None:
    with db.read() as s:
        assert current_shift(s, tpe(2024, 1, 15, 9), team="billing").name == "早班"


def test_naive_instant_refused(db) -> None:
    with db.read() as s, pytest.raises(ValueError, match="naive"):
        current_shift(s, datetime(2024, 1, 15, 9))


@pytest.mark.parametrize(("specs", "message"), [
    ([ShiftSpec("a", "7:00", "15:00")], "HH:MM"),
    ([ShiftSpec("a", "24:00", "24:00")], "HH:MM"),
    ([ShiftSpec("a", "07:00", "15:00")], "whole day"),
    ([ShiftSpec("a", "07:00", "15:00"), ShiftSpec("b", "16:00", "07:00")], "gap"),
    ([ShiftSpec("a", "07:00", "16:00"), ShiftSpec("b", "15:00", "07:00")], "overlap"),
    ([ShiftSpec("a", "07:00", "19:00"), ShiftSpec("a", "19:00", "07:00")], "unique"),
    ([ShiftSpec("a", "07:00", "19:00"), ShiftSpec("b", "19:00", "07:00", "Europe/Berlin")], "one time zone"),
    ([ShiftSpec("a", "07:00", "07:00", "Mars/Base")], "IANA"),
    ([], "at least one"),
])
def test_validation_refuses(specs, message) -> None:
    with pytest.raises(ShiftConfigError, match=message):
        validate(specs)


def test_single_shift_covers_the_day() -> None:
    only = [ShiftSpec("all", "06:00", "06:00")]
    window = window_at(only, tpe(2024, 1, 15, 5))
    assert (window.local_date, window.end - window.start) == (date(2024, 1, 14), timedelta(days=1))


def test_update_moves_shared_boundaries() -> None:
    plan = plan_update(DEFAULT, "早班", start="06:30", end="14:00")
    assert [(s.name, s.start, s.end) for s in plan] == [
        ("早班", "06:30", "14:00"), ("晚班", "14:00", "23:00"), ("大夜", "23:00", "06:30")]
    with pytest.raises(ShiftConfigError, match="tile"):
        plan_update(DEFAULT, "早班", end="23:30")  # would swallow 晚班 entirely


def test_add_carves_from_one_end_only() -> None:
    plan = plan_add(DEFAULT, "夜前", "21:00", "23:00")
    assert [(s.name, s.start, s.end) for s in plan][1:3] == [("晚班", "15:00", "21:00"), ("夜前", "21:00", "23:00")]
    early = {s.name: (s.start, s.end) for s in plan_add(DEFAULT, "清晨", "23:00", "01:00")}
    assert early["清晨"] == ("23:00", "01:00") and early["大夜"] == ("01:00", "07:00")
    with pytest.raises(ShiftConfigError, match="split"):
        plan_add(DEFAULT, "午休", "12:00", "13:00")
    with pytest.raises(ShiftConfigError, match="within one"):
        plan_add(DEFAULT, "跨班", "14:00", "16:00")
    with pytest.raises(ShiftConfigError, match="already exists"):
        plan_add(DEFAULT, "晚班", "21:00", "23:00")


def test_remove_gives_hours_to_previous() -> None:
    plan = plan_remove(DEFAULT, "晚班")
    assert [(s.name, s.start, s.end) for s in plan] == [("早班", "07:00", "23:00"), ("大夜", "23:00", "07:00")]
    last = plan_remove(plan, "大夜")
    assert [(s.name, s.start, s.end) for s in last] == [("早班", "07:00", "07:00")]
    with pytest.raises(ShiftConfigError, match="at least one"):
        plan_remove(last, "早班")


def test_edits_persist_with_audit(db) -> None:
    with db.write() as s:
        update_shift(s, T0, "晚班", end="22:00")
        add_shift(s, T0, "夜前", "20:00", "22:00", team="billing")
    with db.write() as s:
        remove_shift(s, T0, "夜前", team="billing")
    with db.read() as s:
        assert [(x.name, x.start, x.end) for x in list_shifts(s)] == [
            ("早班", "07:00", "15:00"), ("晚班", "15:00", "22:00"), ("大夜", "22:00", "07:00")]
        billing = s.exec(select(Shift).where(Shift.team == "billing").order_by(Shift.position)).all()
        assert [(r.name, r.end) for r in billing] == [("早班", "15:00"), ("晚班", "22:00"), ("大夜", "07:00")]
        assert len(s.exec(select(Audit).where(Audit.entity == "shift")).all()) == 3


def test_refused_edit_changes_nothing(db) -> None:
    with pytest.raises(ShiftConfigError), db.write() as s:
        update_shift(s, T0, "晚班", start="16:00", end="16:00")
    with db.read() as s:
        assert [x.end for x in list_shifts(s)] == ["15:00", "23:00", "07:00"]


def test_dst_skipped_and_repeated_hours_in_new_york() -> None:
    ny = [ShiftSpec("night", "22:00", "02:30", "America/New_York"),
          ShiftSpec("early", "02:30", "10:00", "America/New_York"),
          ShiftSpec("day", "10:00", "22:00", "America/New_York")]
    # 2024-03-10: 02:00-03:00 does not exist; 02:30 resolves to the jump at 07:00 UTC.
    night = window_at(ny, datetime(2024, 3, 10, 6, 59, tzinfo=UTC))
    assert (night.name, night.local_date, night.end) == ("night", date(2024, 3, 9), datetime(2024, 3, 10, 7, tzinfo=UTC))
    assert night.end - night.start == timedelta(hours=4)  # 22:00 EST to the jump
    early = window_at(ny, datetime(2024, 3, 10, 7, tzinfo=UTC))
    assert early.name == "early" and early.end - early.start == timedelta(hours=7)
    # 2024-11-03: 01:00-02:00 happens twice; the night shift keeps both.
    autumn = window_at(ny, datetime(2024, 11, 3, 6, 30, tzinfo=UTC))
    assert autumn.name == "night" and autumn.end - autumn.start == timedelta(hours=5, minutes=30)
