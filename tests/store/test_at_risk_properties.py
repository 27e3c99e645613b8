"""Properties of "at risk" in business time, for any calendar, start, target and warning share.

A clock is at risk once what is left, in the calendar's business time, is no more than the
policy's warning share of its target. The engine stores that instant (`at_risk_at`); these
properties say it is the right one whatever the calendar looks like.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from store.sla.calendar import BusinessCalendar
from store.sla.clocks import risk_at
from store.sla.targets import Target

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ZONES = ("Asia/Taipei", "Europe/London", "America/New_York", "UTC")
PATTERNS = (
    [],
    [["09:00", "18:00"]],
    [["09:00", "12:00"], ["13:00", "18:00"]],
    [["00:00", "24:00"]],
    [["00:00", "06:00"], ["22:00", "24:00"]],
    [["01:00", "02:30"], ["03:00", "04:00"]],
)


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    hours = {day: draw(st.sampled_from(PATTERNS)) for day in DAYS}
    if not any(hours.values()):
        hours["wed"] = [["09:00", "17:00"]]
    base = datetime(2026, 1, 1).date()
    holidays = draw(st.lists(st.integers(0, 700).map(lambda n: base + timedelta(days=n)), max_size=8))
    return BusinessCalendar(draw(st.sampled_from(ZONES)), hours, holidays=holidays)


instants = st.datetimes(datetime(2026, 1, 1), datetime(2027, 10, 1)).map(lambda d: d.replace(tzinfo=UTC))
targets = st.integers(1, 5 * 24 * 60)  # minutes
shares = st.sampled_from((0.1, 0.25, 0.3, 0.5, 0.75))


@SETTINGS
@given(calendars(), instants, targets, shares, instants)
def test_at_risk_is_exactly_the_warning_share_before_the_due_time(cal, start, minutes, share, probe):
    target = minutes * 60
    due = cal.after(start, timedelta(seconds=target))
    window = timedelta(seconds=target * share)
    at_risk = risk_at(cal, due, target, share)
    assert at_risk <= due
    assert cal.within(at_risk, due) == window  # the warning share of the target, in business time
    left = cal.within(probe, due)
    if probe >= at_risk:
        assert left <= window  # at risk: no more than the share left
    else:
        assert left >= window  # not yet: at least the share left


@SETTINGS
@given(instants, targets, shares)
def test_on_a_24x7_calendar_business_time_is_wall_time(start, minutes, share):
    cal = BusinessCalendar.always_open()
    due = cal.after(start, timedelta(minutes=minutes))
    assert due == start + timedelta(minutes=minutes)
    assert risk_at(cal, due, minutes * 60, share) == due - timedelta(seconds=minutes * 60 * share)


@SETTINGS
@given(calendars(), instants, st.integers(1, 15))
def test_a_day_target_is_due_on_the_nth_business_date_and_its_seconds_match(cal, start, days):
    target = Target(days=days)
    due = target.due(cal, start)
    assert due == cal.after_days(cal.after(start, timedelta(0)), days)  # counted from the next opening
    assert cal.within(start, due) > timedelta(0)  # never a target with no working time in it
    seconds = target.clock_seconds(cal, start)
    assert seconds == max(1, math.ceil(cal.within(start, due).total_seconds()))
    # Counting those seconds the way a resumed clock does lands on the same instant (to the second).
    again = cal.after(start, timedelta(seconds=seconds))
    assert timedelta(0) <= again - due < timedelta(seconds=1) or cal.within(start, due) == timedelta(0)


_DB: dict[str, object] = {}


def _office_db(tmp_path_factory):
    """One database for every example: all policies on the Taipei office calendar."""
    if "db" not in _DB:
        from store.db.engine import open_database
        from store.defaults import ensure_defaults
        from store.models import Calendar, Customer, SlaPolicy

        db = open_database(tmp_path_factory.mktemp("risk") / "risk.db")
        with db.write() as s:
            ensure_defaults(s, datetime(2026, 1, 1, tzinfo=UTC))
            s.add(Customer(name="c", created_at=datetime(2026, 1, 1, tzinfo=UTC)))
            s.flush()
            office = s.exec(select(Calendar).where(Calendar.name == "taipei-office")).one()
            for policy in s.exec(select(SlaPolicy)).all():
                policy.calendar_id = office.id
                s.add(policy)
        _DB["db"] = db
    return _DB["db"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(instants, st.sampled_from(("urgent", "high", "normal", "low")))
def test_every_new_ticket_turns_at_risk_with_a_quarter_of_business_time_left(tmp_path_factory, at, priority):
    from store.models import SlaClock, Ticket
    from store.sla.policies import load_policy_book
    from store.tickets.actions import Context, create_ticket

    db = _office_db(tmp_path_factory)
    with db.write() as s:
        tid = create_ticket(Context.open(s, at), subject="x", customer_id=1, priority=priority).id
    with db.read() as s:
        ticket = s.get(Ticket, tid)
        clocks = s.exec(select(SlaClock).where(SlaClock.ticket_id == tid)).all()
        policy = load_policy_book(s).by_id(ticket.policy_id)
    cal = policy.calendar
    for clock in clocks:
        assert cal.within(clock.at_risk_at, clock.due_at) == timedelta(seconds=clock.target_seconds * 0.25)
        # Minute targets exactly; day targets (resolution of high/normal/low) to under a second.
        assert timedelta(0) <= timedelta(seconds=clock.target_seconds) - cal.within(at, clock.due_at) < timedelta(seconds=1)
    assert ticket.risk_key == min(int(c.at_risk_at.timestamp()) for c in clocks)
    assert ticket.due_key == min(int(c.due_at.timestamp()) for c in clocks)
