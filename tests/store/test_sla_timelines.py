"""Real ticket timelines through the SLA engine, with exact due times and outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from store.db.engine import open_database
from store.defaults import ensure_defaults
from store.models import Agent, Calendar, Customer, SlaClock, SlaPolicy, Ticket, TicketEvent
from store.tickets.actions import (
    Context,
    add_customer_message,
    add_reply,
    assign,
    claim,
    create_ticket,
    escalate,
    set_customer_tier,
    set_priority,
    set_status,
)

TPE = ZoneInfo("Asia/Taipei")
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=TPE)


@pytest.fixture
def db(db_url):  # SQLite and PostgreSQL: tests/backends.py
    database = open_database(db_url)
    with database.write() as s:
        ensure_defaults(s, T0)
        s.add(Agent(name="amy", display_name="Amy", created_at=T0))
        s.add(Agent(name="ben", display_name="Ben", created_at=T0))
        s.add(Customer(name="王小明", tier="standard", created_at=T0))
        s.add(Customer(name="VIP", tier="gold", created_at=T0))
    yield database
    database.dispose()


@pytest.fixture
def office_db(db):
    """Replace the default policy's calendar by Taipei office hours (Mon-Fri 09:00-18:00)."""
    with db.write() as s:
        cal = Calendar(name="office", config={"tz": "Asia/Taipei",
                                              "hours": {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}})
        s.add(cal)
        s.flush()
        for policy in s.exec(select(SlaPolicy)).all():
            policy.calendar_id = cal.id
            s.add(policy)
    return db


def ids(db):
    with db.read() as s:
        agents = {a.name: a.id for a in s.exec(select(Agent))}
        customers = {c.name: c.id for c in s.exec(select(Customer))}
    return agents, customers


def act(db, at, fn, *args, **kwargs):
    with db.write() as s:
        return fn(Context.open(s, at), *args, **kwargs)


def clocks(db, ticket_id):
    with db.read() as s:
        return {(c.metric, c.id): c for c in s.exec(select(SlaClock).where(SlaClock.ticket_id == ticket_id))}


def clock(db, ticket_id, metric, index=-1):
    found = [c for (m, _), c in sorted(clocks(db, ticket_id).items(), key=lambda kv: kv[0][1]) if m == metric]
    return found[index]


def new_ticket(db, at, *, priority="high", customer="王小明"):
    _, customers = ids(db)
    t = act(db, at, create_ticket, subject="訂單延遲", customer_id=customers[customer], priority=priority,
            body="還沒收到", channel="email", category="訂單服務/訂單狀態")
    return t.id


def test_friday_evening_ticket_due_on_monday_in_business_hours(office_db):
    db = office_db
    agents, _ = ids(db)
    tid = new_ticket(db, local(2026, 11, 20, 17, 50))  # a Friday, 10 minutes before closing
    fr = clock(db, tid, "first_reply")
    # high = 2 business hours: 10 minutes on Friday, 1h50 on Monday from 09:00.
    assert fr.due_at == local(2026, 11, 23, 10, 50)
    res = clock(db, tid, "resolution")
    # high resolution = 1 business day: the next business date (Monday) at the same wall time.
    assert res.due_at == local(2026, 11, 23, 17, 50)
    # Its business seconds: 10 minutes on Friday and Monday 09:00-17:50.
    assert res.target_seconds == (10 + 8 * 60 + 50) * 60
    act(db, local(2026, 11, 23, 9, 30), add_reply, tid, agents["amy"], "您好,已為您查詢。")
    fr = clock(db, tid, "first_reply")
    assert (fr.state, fr.outcome, fr.ended_at) == ("stopped", "met", local(2026, 11, 23, 9, 30))
    assert fr.consumed_seconds == 10 * 60 + 30 * 60


def test_reply_after_due_is_breached_at_due_time_against_holder(office_db):
    db = office_db
    agents, _ = ids(db)
    tid = new_ticket(db, local(2026, 11, 20, 17, 50))
    act(db, local(2026, 11, 23, 9, 0), claim, tid, agents["ben"])
    act(db, local(2026, 11, 23, 11, 0), add_reply, tid, agents["ben"], "抱歉久等了")
    fr = clock(db, tid, "first_reply")
    assert fr.outcome == "breached"
    assert fr.breached_at == local(2026, 11, 23, 10, 50)
    assert fr.ended_at == local(2026, 11, 23, 10, 50)
    assert fr.breach_agent_id == agents["ben"]


def test_breach_while_unassigned_recorded_once_with_no_holder(db):
    agents, _ = ids(db)
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    tid = new_ticket(db, t0, priority="urgent")  # 30 minutes first reply, 24x7
    # The sweep runs late (an hour later), after amy claimed it: the breach still goes to nobody.
    act(db, t0 + timedelta(minutes=40), claim, tid, agents["amy"])
    fr = clock(db, tid, "first_reply")
    assert fr.outcome == "breached" and fr.breached_at == t0 + timedelta(minutes=30)
    assert fr.breach_agent_id is None
    act(db, t0 + timedelta(minutes=50), add_reply, tid, agents["amy"], "hi")
    with db.read() as s:
        events = s.exec(select(TicketEvent).where(TicketEvent.ticket_id == tid,
                                                  TicketEvent.kind == "sla_breached")).all()
    assert len(events) == 1  # recorded once, not again when the reply stops the clock
    assert clock(db, tid, "first_reply").outcome == "breached"


def test_pending_for_two_days_pauses_resolution_then_reopen_resumes(db):
    agents, _ = ids(db)
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    tid = new_ticket(db, t0, priority="high")  # resolution 24 h on 24x7
    act(db, t0 + timedelta(hours=1), add_reply, tid, agents["amy"], "請提供照片", set_status="pending")
    res = clock(db, tid, "resolution")
    assert res.state == "paused" and res.due_at is None and res.consumed_seconds == 3600
    # Two days pending; the customer answers and the clock resumes with 23 h left.
    back = t0 + timedelta(days=2, hours=1)
    act(db, back, add_customer_message, tid, "照片在這裡")
    res = clock(db, tid, "resolution")
    assert res.state == "running" and res.due_at == back + timedelta(hours=23)
    with db.read() as s:
        assert s.get(Ticket, tid).status == "open"
    nr = clock(db, tid, "next_reply")
    assert nr.due_at == back + timedelta(hours=2)
    act(db, back + timedelta(hours=1), add_reply, tid, agents["amy"], "已收到", set_status="solved")
    res = clock(db, tid, "resolution")
    assert (res.state, res.outcome) == ("stopped", "met")
    assert res.consumed_seconds == 2 * 3600
    assert clock(db, tid, "next_reply").outcome == "met"


def test_priority_raised_midway_moves_due_times(db):
    agents, _ = ids(db)
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    tid = new_ticket(db, t0, priority="normal")  # 8 h first reply
    assert clock(db, tid, "first_reply").due_at == t0 + timedelta(hours=8)
    act(db, t0 + timedelta(minutes=10), set_priority, tid, agents["amy"], "urgent")
    # urgent first reply is 30 minutes from the start: 20 minutes left.
    assert clock(db, tid, "first_reply").due_at == t0 + timedelta(minutes=30)
    assert clock(db, tid, "resolution").due_at == t0 + timedelta(hours=4)
    # Raised after the new target had already run out: the due time lies in the past -> breach.
    tid2 = new_ticket(db, t0, priority="normal")
    act(db, t0 + timedelta(hours=1), set_priority, tid2, agents["amy"], "urgent")
    fr = clock(db, tid2, "first_reply")
    assert fr.due_at == t0 + timedelta(minutes=30)
    act(db, t0 + timedelta(hours=1, minutes=1), add_reply, tid2, agents["amy"], "hi")
    assert clock(db, tid2, "first_reply").outcome == "breached"


def test_tier_change_reapplies_vip_policy(db):
    _, customers = ids(db)
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    tid = new_ticket(db, t0, priority="high")
    assert clock(db, tid, "first_reply").due_at == t0 + timedelta(hours=2)
    act(db, t0 + timedelta(minutes=5), set_customer_tier, customers["王小明"], "diamond")
    assert clock(db, tid, "first_reply").due_at == t0 + timedelta(hours=1)


def test_vip_customer_gets_vip_targets(db):
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    tid = new_ticket(db, t0, priority="urgent", customer="VIP")
    assert clock(db, tid, "first_reply").due_at == t0 + timedelta(minutes=15)


def test_escalate_raises_priority_and_flags(db):
    agents, _ = ids(db)
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    tid = new_ticket(db, t0, priority="normal")
    act(db, t0 + timedelta(minutes=1), escalate, tid, agents["amy"], "客訴:第三次來信")
    with db.read() as s:
        t = s.get(Ticket, tid)
        assert (t.priority, t.escalated) == ("high", True)
    assert clock(db, tid, "first_reply").due_at == t0 + timedelta(hours=2)
    with pytest.raises(ValueError):
        act(db, t0, escalate, tid, agents["amy"], "  ")


def test_solved_without_reply_cancels_reply_clock_and_reopen_counts(db):
    agents, _ = ids(db)
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    tid = new_ticket(db, t0, priority="high")
    act(db, t0 + timedelta(minutes=10), set_status, tid, agents["amy"], "solved")
    fr = clock(db, tid, "first_reply")
    assert fr.state == "cancelled" and fr.outcome is None
    res = clock(db, tid, "resolution")
    assert res.outcome == "met"
    act(db, t0 + timedelta(hours=3), add_customer_message, tid, "又壞了")
    with db.read() as s:
        t = s.get(Ticket, tid)
        assert (t.status, t.reopen_count, t.is_open) == ("open", 1, True)
    res = clock(db, tid, "resolution")
    assert res.state == "running" and res.outcome is None
    # 10 minutes were used before the solve; 23h50 remain from the reopening.
    assert res.due_at == t0 + timedelta(hours=3) + timedelta(hours=23, minutes=50)


def test_claim_never_gives_two_owners(db):
    from store.errors import AlreadyClaimed

    agents, _ = ids(db)
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    tid = new_ticket(db, t0)
    act(db, t0, claim, tid, agents["amy"])
    with pytest.raises(AlreadyClaimed) as info:
        act(db, t0, claim, tid, agents["ben"])
    assert info.value.winner == "amy"
    with db.read() as s:
        assert s.get(Ticket, tid).assignee_id == agents["amy"]


def test_stale_version_refused(db):
    from store.errors import StaleVersion

    agents, _ = ids(db)
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    tid = new_ticket(db, t0)
    with db.read() as s:
        version = s.get(Ticket, tid).version
    act(db, t0, assign, tid, agents["amy"], agents["amy"], expected_version=version)
    with pytest.raises(StaleVersion):
        act(db, t0, set_status, tid, agents["ben"], "pending", expected_version=version)
    with db.read() as s:
        assert s.get(Ticket, tid).status != "pending"


def test_queue_keys_follow_nearest_running_clock(db):
    agents, _ = ids(db)
    t0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    tid = new_ticket(db, t0, priority="high")
    with db.read() as s:
        t = s.get(Ticket, tid)
        assert t.due_key == int((t0 + timedelta(hours=2)).timestamp())
        assert t.risk_key == int((t0 + timedelta(hours=1, minutes=30)).timestamp())
    act(db, t0 + timedelta(minutes=5), add_reply, tid, agents["amy"], "ok")
    with db.read() as s:
        assert s.get(Ticket, tid).due_key == int((t0 + timedelta(hours=24)).timestamp())
    act(db, t0 + timedelta(minutes=6), set_status, tid, agents["amy"], "pending")
    with db.read() as s:
        from store.models import NO_DUE

        assert s.get(Ticket, tid).due_key == NO_DUE
