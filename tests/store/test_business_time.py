"""Business time where a target is counted: known answers worked out by hand in each test.

Office hours with a lunch break, Taiwan's holidays and make-up Saturdays, an overnight desk,
London across a DST change, business-day targets, the at-risk instant of the issue's Friday
example through every reader, and the reply clock of a ticket reopened without an answer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

import console.sanitize as clean
from store.db.engine import open_database
from store.db.reader import EngineReader
from store.defaults import OFFICE_HOURS, ensure_defaults
from store.handover.draft import sla_state
from store.models import Agent, Calendar, Customer, SlaClock, SlaPolicy, Ticket
from store.reports.live import at_risk_now
from store.sla.calendar import BusinessCalendar
from store.sla.targets import Target, parse_target
from store.tickets import queue
from store.tickets.actions import (
    Context,
    add_customer_message,
    add_reply,
    create_ticket,
    set_status,
)
from store.tickets.queue import QueueQuery

TPE = ZoneInfo("Asia/Taipei")
LON = ZoneInfo("Europe/London")
H, M = timedelta(hours=1), timedelta(minutes=1)
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
LUNCH = {d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in WEEKDAYS}


def tpe(*args: int) -> datetime:
    return datetime(*args, tzinfo=TPE)


def lon(*args: int) -> datetime:
    return datetime(*args, tzinfo=LON)


# -- the calendar on its own ------------------------------------------------------------------


def test_office_hours_with_a_lunch_break():
    cal = BusinessCalendar("Asia/Taipei", LUNCH)
    # Wed 2026-11-25 11:30 + 2 h: 11:30-12:00 is 30 min, lunch is skipped, 13:00-14:30 the rest.
    assert cal.after(tpe(2026, 11, 25, 11, 30), 2 * H) == tpe(2026, 11, 25, 14, 30)
    # 11:00-14:00 holds 1 h before lunch and 1 h after.
    assert cal.within(tpe(2026, 11, 25, 11), tpe(2026, 11, 25, 14)) == 2 * H
    assert not cal.in_hours(tpe(2026, 11, 25, 12, 30))
    # Running out at 12:00 exactly answers the next opening, 13:00.
    assert cal.after(tpe(2026, 11, 25, 11), H) == tpe(2026, 11, 25, 13)


def test_taiwan_holidays_and_a_make_up_saturday():
    cal = BusinessCalendar.from_config(OFFICE_HOURS)  # Taipei office: lunch break, country TW
    # 2025-02-08 is a Saturday worked in exchange for Monday 2025-01-27: normal office hours.
    assert cal.is_makeup_workday(date(2025, 2, 8)) and cal.is_business_date(date(2025, 2, 8))
    assert cal.in_hours(tpe(2025, 2, 8, 10)) and not cal.in_hours(tpe(2025, 2, 8, 12, 30))
    assert not cal.is_business_date(date(2025, 1, 27))  # the day off it paid for
    # Fri 2025-02-07 17:00 + 2 h: 17:00-18:00 on Friday, then the make-up Saturday 09:00-10:00.
    assert cal.after(tpe(2025, 2, 7, 17), 2 * H) == tpe(2025, 2, 8, 10)
    assert cal.after_days(tpe(2025, 2, 7, 10), 1) == tpe(2025, 2, 8, 10)
    # Fri 2025-01-24 17:00 + 2 h: 1 h on Friday; the weekend, the 27th and the New Year holidays
    # (28th-31st) and the next weekend are closed; Monday 2025-02-03 09:00-10:00 is the rest.
    assert cal.after(tpe(2025, 1, 24, 17), 2 * H) == tpe(2025, 2, 3, 10)
    # 2024's make-up Saturday (2024-02-17) and a year far from today (Founding Day 2031, a Wednesday).
    assert cal.is_business_date(date(2024, 2, 17)) and not cal.is_business_date(date(2024, 2, 10))
    assert not cal.is_business_date(date(2031, 1, 1)) and cal.is_business_date(date(2031, 1, 2))


def test_a_calendar_lists_its_own_workdays_and_they_beat_the_country():
    cal = BusinessCalendar.from_config({**OFFICE_HOURS, "workdays": ["2026-11-28", "2025-01-28"]})
    assert cal.is_makeup_workday(date(2026, 11, 28))  # a Saturday the team chose to work
    assert cal.after(tpe(2026, 11, 27, 17, 30), H) == tpe(2026, 11, 28, 9, 30)
    assert cal.is_business_date(date(2025, 1, 28))  # Chinese New Year's Eve, opened by the team
    assert cal.to_config()["workdays"] == ["2025-01-28", "2026-11-28"]
    with pytest.raises(ValueError, match="also listed as a holiday"):
        BusinessCalendar.from_config({**OFFICE_HOURS, "workdays": ["2026-12-01"], "holidays": ["2026-12-01"]})


def test_an_overnight_desk():
    # 22:00 to 06:00: the evening part on weeknights, the small hours on the mornings after.
    hours = {"mon": [["22:00", "24:00"]], "sat": [["00:00", "06:00"]]}
    hours.update({d: [["00:00", "06:00"], ["22:00", "24:00"]] for d in ("tue", "wed", "thu", "fri")})
    cal = BusinessCalendar("Asia/Taipei", hours)
    # Mon 2026-11-23 23:00 + 3 h: 23:00-24:00, then Tue 00:00-02:00.
    assert cal.after(tpe(2026, 11, 23, 23), 3 * H) == tpe(2026, 11, 24, 2)
    # Mon 07:00 (closed) + 30 min: the desk opens at 22:00.
    assert cal.after(tpe(2026, 11, 23, 7), 30 * M) == tpe(2026, 11, 23, 22, 30)
    # Fri 23:30 + 8 h: 30 min Friday night, 6 h into Saturday morning, then Mon 22:00-23:30.
    assert cal.after(tpe(2026, 11, 27, 23, 30), 8 * H) == tpe(2026, 11, 30, 23, 30)
    assert cal.within(tpe(2026, 11, 27, 12), tpe(2026, 11, 30, 12)) == 8 * H  # Fri 2 h + Sat 6 h


def test_london_across_the_spring_dst_change():
    office = BusinessCalendar("Europe/London", {d: [["09:00", "17:00"]] for d in WEEKDAYS})
    # Clocks go forward on Sunday 2026-03-29. Fri 27 March 16:00 GMT + 2 h: 1 h on Friday, then
    # Monday 09:00-10:00 BST, which is 09:00 UTC.
    due = office.after(lon(2026, 3, 27, 16), 2 * H)
    assert due == lon(2026, 3, 30, 10) == datetime(2026, 3, 30, 9, tzinfo=UTC)
    always = BusinessCalendar("Europe/London", {d: [["00:00", "24:00"]] for d in (*WEEKDAYS, "sat", "sun")})
    # One business day from Saturday noon is Sunday noon, only 23 hours later.
    start = lon(2026, 3, 28, 12)
    assert Target(days=1).due(always, start) == lon(2026, 3, 29, 12) == start.astimezone(UTC) + 23 * H
    assert Target(days=1).clock_seconds(always, start) == 23 * 3600
    # And back in October (clocks go back on Sunday 25th) the same day lasts 25 hours.
    assert Target(days=1).clock_seconds(always, lon(2026, 10, 24, 12)) == 25 * 3600


def test_a_three_business_day_target():
    cal = BusinessCalendar("Asia/Taipei", LUNCH)
    three = parse_target("3bd", "t")
    # Mon 2026-11-23 10:00: the third business date on is Thursday, at the same wall time.
    start = tpe(2026, 11, 23, 10)
    assert three.due(cal, start) == tpe(2026, 11, 26, 10)
    # Its business time: Mon 10-12 and 13-18 (7 h), Tue and Wed 8 h each, Thu 09-10 (1 h) = 24 h.
    assert three.clock_seconds(cal, start) == 24 * 3600
    # Thu 2026-11-26 15:00: Friday, Monday, Tuesday -> Tue 2026-12-01 15:00.
    assert three.due(cal, tpe(2026, 11, 26, 15)) == tpe(2026, 12, 1, 15)
    # Arriving while closed, the count starts at the next opening: Sunday 08:00 -> Monday 09:00,
    # one business day on is Tuesday 09:00 (8 business hours), not Monday 09:00 (none at all).
    one = parse_target("1bd", "t")
    assert one.due(cal, tpe(2026, 11, 22, 8)) == tpe(2026, 11, 24, 9)
    assert one.clock_seconds(cal, tpe(2026, 11, 22, 8)) == 8 * 3600
    # On 24x7 in UTC it is three whole days.
    assert three.due(BusinessCalendar.always_open(), datetime(2026, 11, 23, 10, tzinfo=UTC)) == datetime(
        2026, 11, 26, 10, tzinfo=UTC)


@pytest.mark.parametrize(("value", "stored", "label"), [
    (90, 90, "90 min"), ("120", 120, "2 h"), ("4h", 240, "4 h"), ("3bd", "3bd", "3bd"), (" 2 BD ", "2bd", "2bd"),
    (525600, 525600, "8760 h"), ("260bd", "260bd", "260bd"),
])
def test_targets_read_and_print(value, stored, label):
    target = parse_target(value, "targets.normal.resolution")
    assert (target.stored, target.label) == (stored, label)


@pytest.mark.parametrize(("value", "message"), [
    (0, "0 minutes is outside"), (525601, "525601 minutes is outside"), ("261bd", "261 business days"),
    ("0bd", "0 business days"), (10**20, "100000000000000000000 minutes"), ("9" * 5000, "over 30 digits"),
    (True, "is not a target"), ("soon", "is not a target"), (1.5, "is not a target"),
])
def test_targets_out_of_range_are_refused_naming_the_field(value, message):
    with pytest.raises(ValueError, match=r"^targets\.high\.first_reply: ") as refused:
        parse_target(value, "targets.high.first_reply")
    assert message in str(refused.value)


# -- through the engine and every reader ----------------------------------------------------


@pytest.fixture
def office_db(tmp_path):
    """Every policy on the shipped Taipei office calendar (09-12, 13-18, TW holidays)."""
    db = open_database(tmp_path / "office.db")
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    with db.write() as s:
        ensure_defaults(s, t0)
        s.add(Agent(name="amy", display_name="Amy", created_at=t0))
        s.add(Customer(name="王小明", created_at=t0))
        s.flush()
        office = s.exec(select(Calendar).where(Calendar.name == "taipei-office")).one()
        for policy in s.exec(select(SlaPolicy)).all():
            policy.calendar_id = office.id
            s.add(policy)
    yield db
    db.dispose()


def act(db, at, fn, *args, **kwargs):
    with db.write() as s:
        return fn(Context.open(s, at), *args, **kwargs)


def running(db, tid, metric):
    with db.read() as s:
        return s.exec(select(SlaClock).where(SlaClock.ticket_id == tid, SlaClock.metric == metric,
                                             SlaClock.state == "running")).one()


def test_friday_1735_urgent_ticket_is_at_risk_from_1757_30_everywhere(office_db):
    db = office_db
    tid = act(db, tpe(2026, 11, 20, 17, 35), create_ticket, subject="付款失敗", customer_id=1,
              priority="urgent").id
    first = running(db, tid, "first_reply")
    # 30 business minutes: 25 on Friday (17:35-18:00), 5 on Monday from 09:00.
    assert first.due_at == tpe(2026, 11, 23, 9, 5)
    # A quarter of 30 minutes is 7 min 30 s: 5 of them on Monday morning, 2:30 before Friday's close.
    assert first.at_risk_at == tpe(2026, 11, 20, 17, 57, 30)
    with db.read() as s:
        ticket = s.get(Ticket, tid)
        assert ticket.risk_key == int(tpe(2026, 11, 20, 17, 57, 30).timestamp())
        due_key, risk_key = ticket.due_key, ticket.risk_key
    before, after, monday = tpe(2026, 11, 20, 17, 57), tpe(2026, 11, 20, 17, 58), tpe(2026, 11, 23, 8, 58)
    reader = EngineReader(db.engine)
    with reader.read() as conn:
        row = queue.ticket_row(tid, conn=conn, clean=clean)
        risky_then = queue.window_ids(QueueQuery(view="risk"), 0, 10, conn=conn, now=after)
        risky_before = queue.window_ids(QueueQuery(view="risk"), 0, 10, conn=conn, now=before)
    assert row is not None and row.risk_at == tpe(2026, 11, 20, 17, 57, 30)
    assert not row.at_risk(before) and row.at_risk(after) and row.at_risk(monday)
    clock = row.nearest()
    assert clock is not None and clock.risk_at == tpe(2026, 11, 20, 17, 57, 30)
    assert not clock.at_risk(before) and clock.at_risk(after)  # what the 1 Hz countdown colours by
    assert (tid in risky_before, tid in risky_then) == (False, True)
    assert (sla_state(due_key, risk_key, "new", before), sla_state(due_key, risk_key, "new", after)) == (
        "ok", "at_risk")
    with db.read() as s:  # the panel's list, 63 wall hours before the due time
        assert at_risk_now(s, before, {})[1] == 0
        lines, count = at_risk_now(s, after, {})
    assert count == 1 and lines[0].id == tid


def test_a_business_day_target_through_the_engine(office_db):
    db = office_db
    # normal resolution = 3bd; Mon 2026-11-23 10:00 -> Thu 10:00, 24 business hours.
    tid = act(db, tpe(2026, 11, 23, 10), create_ticket, subject="商品規格", customer_id=1, priority="normal").id
    res = running(db, tid, "resolution")
    assert (res.due_at, res.target_seconds) == (tpe(2026, 11, 26, 10), 24 * 3600)
    # A quarter (6 h) left: Thu 09-10 and Wed 13-18, so at risk from Wed 13:00 (after lunch).
    assert res.at_risk_at == tpe(2026, 11, 25, 13)
    # Pending for the afternoon of Tuesday: 14:00 to 17:00 is 3 business hours not counted.
    act(db, tpe(2026, 11, 24, 14), set_status, tid, 1, "pending")
    act(db, tpe(2026, 11, 24, 17), set_status, tid, 1, "open")
    res = running(db, tid, "resolution")
    # Used before the pause: Mon 7 h + Tue 09-12 and 13-14 (4 h) = 11 h; 13 h left from Tue 17:00:
    # Tue 17-18 (1 h), Wed 8 h, Thu 09-12 and 13-14 (4 h) -> Thu 14:00. 6 h before it: Thu 13-14 and
    # 09-12 (4 h), then Wed 16-18 (2 h) -> Wed 16:00.
    assert res.due_at == tpe(2026, 11, 26, 14)
    assert res.at_risk_at == tpe(2026, 11, 25, 16)


def test_a_ticket_solved_unanswered_then_reopened_by_the_customer_gets_a_reply_clock(office_db):
    db = office_db
    tid = act(db, tpe(2026, 11, 24, 10), create_ticket, subject="發票", customer_id=1, priority="normal").id
    act(db, tpe(2026, 11, 24, 10, 5), set_status, tid, 1, "solved")  # solved with no reply at all
    act(db, tpe(2026, 11, 24, 11), add_customer_message, tid, "還是沒收到發票")
    nxt = running(db, tid, "next_reply")
    # normal next reply = 8 business hours from Tue 11:00: 11-12, 13-18 (6 h), Wed 09:00-11:00.
    assert (nxt.started_at, nxt.due_at) == (tpe(2026, 11, 24, 11), tpe(2026, 11, 25, 11))
    assert nxt.at_risk_at == tpe(2026, 11, 25, 9)  # 2 h left: Wed 09:00
    with db.read() as s:
        ticket = s.get(Ticket, tid)
        assert (ticket.status, ticket.reopen_count) == ("open", 1)
        assert ticket.due_key == int(tpe(2026, 11, 25, 11).timestamp())
    act(db, tpe(2026, 11, 24, 15), add_reply, tid, 1, "已補寄發票")
    with db.read() as s:
        done = s.get(SlaClock, nxt.id)
    assert (done.state, done.outcome, done.ended_at) == ("stopped", "met", tpe(2026, 11, 24, 15))


def test_a_reopen_after_an_answer_still_gets_one_reply_clock(office_db):
    db = office_db
    tid = act(db, tpe(2026, 11, 24, 10), create_ticket, subject="退貨", customer_id=1, priority="high").id
    act(db, tpe(2026, 11, 24, 10, 30), add_reply, tid, 1, "已處理", set_status="solved")
    act(db, tpe(2026, 11, 24, 11), add_customer_message, tid, "還有問題")
    act(db, tpe(2026, 11, 24, 11, 5), add_customer_message, tid, "請快點")
    with db.read() as s:
        clocks = s.exec(select(SlaClock).where(SlaClock.ticket_id == tid, SlaClock.metric == "next_reply")).all()
    assert [(c.state, c.started_at) for c in clocks] == [("running", tpe(2026, 11, 24, 11))]
