"""A hand-built history of 7 tickets whose every figure was worked out on paper.

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
from datetime import UTC, datetime

from store.db.engine import Database, open_database
from store.defaults import ensure_defaults
from store.models import Agent, Customer
from store.reports.figures import figures, hour_end
from store.rollups.metrics import Figures
from store.sla import clocks as sla
from store.tickets.actions import (
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
