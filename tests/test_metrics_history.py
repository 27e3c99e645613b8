"""Known answers: a hand-built history of 7 tickets whose every figure was worked out on paper.

Times are UTC (Taipei is +8: 早班 07-15 local = 23:00-07:00 UTC, 晚班 = 07:00-15:00 UTC,
大夜 = 15:00-23:00 UTC). "Now" is 2026-03-02 11:30 UTC = 19:30 in Taipei, in 晚班.

    T1  c1 email  normal 訂單狀態  03-01 00:00  amy claims 00:05, replies 00:20, solves 01:00;
                                                 CSAT 5 and NPS 10 at 02:00
    T2  c2 chat   high   退換貨    03-02 00:00  unassigned: first reply breached at 02:00 (nobody held it);
                                                 ben claims 03:00, replies 03:15, solves 04:00; CSAT 2 at 05:00
    T3  c1 email  normal 訂單狀態  03-02 01:00  (repeat: c1 wrote 03-01) amy claims, replies 01:30, solves
                                                 02:00; customer writes 03:00 (reopen), amy replies 03:20,
                                                 solves 04:00; NPS 6 at 05:00
    T4  c3 phone  urgent 系統問題  03-02 01:00  ben claims 01:05, replies 02:00 (first reply breached at
                                                 01:30, ben's), pending 02:00 (早班) until the customer
                                                 writes 08:00 (晚班); ben replies and solves 09:00
                                                 (next reply breached at 08:30; resolution met, 2 h used)
    T5  c2 web    high   訂單狀態  03-02 02:00  (repeat) never touched: first reply breached at 04:00, unassigned
    T6  c5 social normal 產品規格  03-02 05:00  amy claims 05:10; no reply, first reply due 13:00: at risk
    T7  c4 email  high   退換貨    03-02 06:00  amy claims 06:10, replies 06:40, solves 07:30 (晚班);
                                                 CSAT 4 at 08:00
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from store import sla
from store.db import Database, open_database
from store.defaults import ensure_defaults
from store.metrics import Figures
from store.models import Agent, Customer
from store.reports import figures, hour_end
from store.tickets import (
    Context,
    add_customer_message,
    add_reply,
    claim,
    create_ticket,
    record_survey,
    set_status,
)

NOW = datetime(2026, 3, 2, 11, 30, tzinfo=UTC)
TODAY = datetime(2026, 3, 1, 16, 0, tzinfo=UTC)  # local midnight, 03-02 Taipei
WEEK = datetime(2026, 2, 23, 16, 0, tzinfo=UTC)  # local midnight six days earlier
SHIFT = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)  # 晚班 began at 15:00 Taipei
ORDERS, RETURNS, SYSTEM, SPECS = "訂單服務/訂單狀態", "售後支援/退換貨", "其他/系統問題", "購買前諮詢/產品規格"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


@dataclass
class History:
    db: Database
    agents: dict[str, int]
    tickets: dict[str, int]

    def do(self, when: datetime, action, *args, **kwargs):
        with self.db.write() as session:
            return action(Context.open(session, when), *args, **kwargs)

    def figures(self, start: datetime, end: datetime = NOW, dim: str = "all") -> dict[str, Figures]:
        with self.db.read() as session:
            return figures(session, start, hour_end(end), dim)

    def total(self, start: datetime, end: datetime = NOW) -> Figures:
        return self.figures(start, end).get("", Figures())


def build_history(url: str) -> History:
    db = open_database(url)
    with db.write() as s:
        ensure_defaults(s, at(1, 0))
        for name, role in (("amy", "agent"), ("ben", "agent"), ("chief", "supervisor")):
            s.add(Agent(name=name, display_name=name.title(), role=role, created_at=at(1, 0)))
        for i in range(1, 6):
            s.add(Customer(name=f"c{i}", contact=f"c{i}@example.com", created_at=at(1, 0)))
    with db.read() as s:
        from sqlmodel import select

        agents = {a.name: a.id for a in s.exec(select(Agent)).all()}
        customers = {c.name: c.id for c in s.exec(select(Customer)).all()}
    h = History(db, agents, {})
    amy, ben = agents["amy"], agents["ben"]

    def new(key: str, when: datetime, customer: str, channel: str, priority: str, category: str) -> int:
        ticket = h.do(when, create_ticket, subject=f"{key} [bold]subject[/]", customer_id=customers[customer],
                      channel=channel, priority=priority, category=category, body="help")
        h.tickets[key] = ticket.id
        return ticket.id

    t1 = new("T1", at(1, 0), "c1", "email", "normal", ORDERS)
    h.do(at(1, 0, 5), claim, t1, amy)
    h.do(at(1, 0, 20), add_reply, t1, amy, "hello")
    h.do(at(1, 1), set_status, t1, amy, "solved")
    h.do(at(1, 2), record_survey, t1, "csat", 5)
    h.do(at(1, 2), record_survey, t1, "nps", 10)

    t2 = new("T2", at(2, 0), "c2", "chat", "high", RETURNS)
    t3 = new("T3", at(2, 1), "c1", "email", "normal", ORDERS)
    t4 = new("T4", at(2, 1), "c3", "phone", "urgent", SYSTEM)
    h.do(at(2, 1), claim, t3, amy)
    h.do(at(2, 1, 5), claim, t4, ben)
    h.do(at(2, 1, 30), add_reply, t3, amy, "looking")
    h.do(at(2, 2), add_reply, t4, ben, "sorry", set_status="pending")
    h.do(at(2, 2), set_status, t3, amy, "solved")
    new("T5", at(2, 2), "c2", "web", "high", ORDERS)
    h.do(at(2, 3), claim, t2, ben)
    h.do(at(2, 3), add_customer_message, t3, "still broken")
    h.do(at(2, 3, 15), add_reply, t2, ben, "here you go")
    h.do(at(2, 3, 20), add_reply, t3, amy, "fixed now")
    h.do(at(2, 4), set_status, t2, ben, "solved")
    h.do(at(2, 4), set_status, t3, amy, "solved")
    h.do(at(2, 5), record_survey, t2, "csat", 2)
    h.do(at(2, 5), record_survey, t3, "nps", 6)
    t6 = new("T6", at(2, 5), "c5", "social", "normal", SPECS)
    h.do(at(2, 5, 10), claim, t6, amy)
    t7 = new("T7", at(2, 6), "c4", "email", "high", RETURNS)
    h.do(at(2, 6, 10), claim, t7, amy)
    h.do(at(2, 6, 40), add_reply, t7, amy, "done")
    h.do(at(2, 7, 30), set_status, t7, amy, "solved")
    h.do(at(2, 8), add_customer_message, t4, "it is back")
    h.do(at(2, 8), record_survey, t7, "csat", 4)
    h.do(at(2, 9), add_reply, t4, ben, "resolved", set_status="solved")
    with db.write() as s:  # the sweeper: T5's first reply fell due at 04:00
        sla.record_breaches(s, NOW)
    return h


@pytest.fixture
def history(db_url: str):
    h = build_history(db_url)
    yield h
    h.db.dispose()


MIN, HOUR = 60, 3600


def test_week_totals(history: History):
    f = history.total(WEEK)
    assert (f.received, f.repeat_contact, f.received_solved) == (7, 2, 5)
    assert f.resolution_rate == pytest.approx(5 / 7)
    assert f.repeat_rate == pytest.approx(2 / 7)
    assert (f.solved, f.solved_fcr, f.fcr) == (5, 3, pytest.approx(0.6))
    assert (f.met("first_reply"), f.breached("first_reply")) == (3, 3)
    assert (f.met("next_reply"), f.breached("next_reply")) == (1, 1)
    assert (f.met("resolution"), f.breached("resolution")) == (5, 0)
    assert f.attainment("first_reply") == 0.5 and f.attainment("resolution") == 1.0
    assert f.attainment() == pytest.approx(9 / 13)
    # First replies: 20 min, 3 h 15, 30 min, 1 h, 40 min.
    assert (f.frt(50), f.frt(90)) == (40 * MIN, 195 * MIN)
    assert f.frt_mean == pytest.approx((20 + 195 + 30 + 60 + 40) * MIN / 5)
    # Resolutions: 1 h, 4 h, 3 h (T3 counts once, at its last solve), 8 h, 1 h 30.
    assert (f.res(50), f.res(90)) == (3 * HOUR, 8 * HOUR)
    assert f.res_mean == pytest.approx(210 * MIN)
    assert (f.csat_n, f.csat_pos, f.csat) == (3, 2, pytest.approx(2 / 3))
    assert (f.nps_n, f.nps_pro, f.nps_det, f.nps) == (2, 1, 1, 0.0)
    assert (f.assigned, f.replied) == (6, 7)


def test_today_leaves_out_yesterday(history: History):
    f = history.total(TODAY)
    assert (f.received, f.repeat_contact, f.received_solved) == (6, 2, 4)
    assert (f.solved, f.solved_fcr) == (4, 2)
    assert (f.met("first_reply"), f.breached("first_reply")) == (2, 3)
    assert (f.frt(50), f.frt(90)) == (40 * MIN, 195 * MIN)
    assert (f.res(50), f.res(90)) == (3 * HOUR, 8 * HOUR)
    assert (f.csat_n, f.csat_pos) == (2, 1)
    assert f.nps == -100.0


def test_shift_counts_the_clock_paused_across_the_boundary_where_it_ended(history: History):
    f = history.total(SHIFT)
    assert f.received == 0
    assert f.solved == 2  # T7 at 07:30 and T4 at 09:00
    assert (f.met("resolution"), f.breached("resolution")) == (2, 0)  # T4 paused in 早班, met in 晚班
    assert (f.met("next_reply"), f.breached("next_reply")) == (0, 1)  # T4's, at 08:30
    assert f.attainment("first_reply") is None
    assert (f.csat_n, f.csat_pos) == (1, 1)
    morning = history.total(at(1, 23), at(2, 7))
    assert (morning.met("resolution"), morning.breached("resolution")) == (2, 0)  # T2, T3
    assert (morning.met("first_reply"), morning.breached("first_reply")) == (2, 3)


def test_per_agent_with_breaches_while_unassigned(history: History):
    rows = history.figures(WEEK, dim="agent")
    amy, ben = (rows[str(history.agents[n])] for n in ("amy", "ben"))
    nobody = rows[""]
    assert (amy.assigned, amy.replied, amy.solved) == (4, 4, 3)
    assert (sum(amy.met(m) for m in ("first_reply", "next_reply", "resolution")), amy.attainment()) == (7, 1.0)
    assert amy.frt(50) == 30 * MIN
    assert (ben.assigned, ben.replied, ben.solved) == (2, 3, 2)
    assert ben.attainment() == 0.5
    assert ben.frt(50) == 60 * MIN
    assert (nobody.breached("first_reply"), nobody.attainment(), nobody.solved) == (2, 0.0, 0)
    assert (amy.csat_n, ben.csat_n, amy.nps_n) == (2, 1, 2)


def test_per_channel_priority_category(history: History):
    channels = history.figures(WEEK, dim="channel")
    assert {k: f.received for k, f in channels.items()} == {"email": 3, "chat": 1, "phone": 1, "web": 1,
                                                            "social": 1}
    priorities = history.figures(WEEK, dim="priority")
    assert {k: f.received for k, f in priorities.items()} == {"normal": 3, "high": 3, "urgent": 1}
    assert priorities["urgent"].breached("next_reply") == 1
    categories = history.figures(WEEK, dim="category")
    assert {k: f.received for k, f in categories.items()} == {ORDERS: 3, RETURNS: 2, SYSTEM: 1, SPECS: 1}
    assert categories[SYSTEM].res_mean == 8 * HOUR
    assert categories[RETURNS].res_mean == pytest.approx(2.75 * HOUR)


def test_rollups_match_the_plain_scan_and_a_rebuild(history: History):
    from store.reports_scan import scan, scan_open
    from store.rollups_build import rebuild

    dims = ("all", "agent", "channel", "priority", "category")
    with history.db.read() as s:
        live = {d: figures(s, WEEK, hour_end(NOW), d) for d in dims}
        scanned = {d: scan(s, WEEK, hour_end(NOW), d).figures for d in dims}
        open_rows = dict(s.execute(__import__("sqlalchemy").text(
            "SELECT priority || '/' || status, n FROM rollup_open WHERE n != 0")).all())
        assert {f"{p}/{st}": n for (p, st), n in scan_open(s).items()} == open_rows == {"high/new": 1,
                                                                                        "normal/open": 1}
    for d in dims:
        assert {k: (f.counts, f.frt_hist, f.res_hist) for k, f in live[d].items()} == {
            k: (f.counts, f.frt_hist, f.res_hist) for k, f in scanned[d].items()}, d
    with history.db.engine.begin() as conn:
        rebuild(conn)
    with history.db.read() as s:
        for d in dims:
            rebuilt = figures(s, WEEK, hour_end(NOW), d)
            assert {k: f.counts for k, f in rebuilt.items()} == {k: f.counts for k, f in live[d].items()}, d


def test_a_period_off_the_hour_is_exact(history: History):
    f = history.total(at(2, 3, 10), at(2, 4, 0) - timedelta(seconds=1))
    # 03:15 T2 first reply; 03:20 T3's next reply met; nothing solved before 04:00.
    assert (f.frt_n, f.met("next_reply"), f.solved, f.replied) == (1, 1, 0, 2)


def test_migration_backfills_a_filled_database(tmp_path):
    """A database from before the rollups (revision 0003) upgrades to the same figures."""
    from alembic import command

    from store.migrate import alembic_config, upgrade

    h = build_history(f"sqlite:///{tmp_path / 'old.db'}")
    dims = ("all", "agent", "channel", "priority", "category")
    before = {d: {k: f.counts for k, f in h.figures(WEEK, dim=d).items()} for d in dims}
    cfg = alembic_config(h.db)
    with h.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    upgrade(h.db, backup=False)
    after = {d: {k: f.counts for k, f in h.figures(WEEK, dim=d).items()} for d in dims}
    assert after == before
    assert h.total(WEEK).frt(50) == 40 * MIN
    h.db.dispose()
