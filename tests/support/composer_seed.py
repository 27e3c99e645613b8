"""A small, exact desk for reply and composer tests: two agents, three customers, four tickets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from store.db.engine import Database
from store.defaults import ensure_defaults
from store.models import Agent, Customer
from store.tickets.actions import Context, add_customer_message, add_reply, create_ticket

# Monday 2024-01-15 09:00 in Taipei. Tickets arrive a little before NOW.
T0 = datetime(2024, 1, 15, 1, 0, tzinfo=UTC)
NOW = T0 + timedelta(minutes=20)
HOSTILE_NAME = "[red]x[/] \x1b[31m紅\x1b]8;;http://evil\x07"


@dataclass(frozen=True)
class Desk:
    amy: int
    ben: int
    order: int  # 王小明, order delay, zh-TW, fields order_id/eta, first reply running
    english: int  # Jane Doe, en, product question
    hostile: int  # a customer whose name is markup and escape codes
    answered: int  # already answered once, then the customer wrote again (next reply running)


def seed(db: Database) -> Desk:
    with db.write() as s:
        ensure_defaults(s, T0)
        s.add(Agent(name="amy", role="agent", display_name="Amy 林", created_at=T0))
        s.add(Agent(name="ben", role="agent", display_name="Ben", created_at=T0))
        s.add(Customer(name="王小明", tier="standard", created_at=T0))
        s.add(Customer(name="Jane Doe", tier="gold", language="en", created_at=T0))
        s.add(Customer(name=HOSTILE_NAME, tier="standard", created_at=T0))
    with db.read() as s:
        agents = {a.name: a.id for a in s.exec(select(Agent)).all()}
        customers = {c.name: c.id for c in s.exec(select(Customer)).all()}

    def new(minutes: int, subject: str, customer: str, **kw) -> int:
        with db.write() as s:
            ticket = create_ticket(Context.open(s, T0 + timedelta(minutes=minutes)), subject=subject,
                                   customer_id=customers[customer], body="請問我的訂單什麼時候會到?", **kw)
            return ticket.id or 0

    order = new(0, "訂單還沒收到", "王小明", category="訂單服務/訂單狀態", priority="high",
                fields={"order_id": "A1024", "eta": "1 月 18 日"})
    english = new(2, "Which size fits me?", "Jane Doe", category="購買前諮詢/產品規格", language="en",
                  fields={"product": "Trail Runner 2"})
    hostile = new(4, "退款", HOSTILE_NAME, category="售後支援/退換貨")
    answered = new(6, "發票抬頭", "王小明", category="訂單服務/發票證明")
    with db.write() as s:
        add_reply(Context.open(s, T0 + timedelta(minutes=8)), answered, agents["ben"], "已為您更正。")
    with db.write() as s:
        add_customer_message(Context.open(s, T0 + timedelta(minutes=10)), answered, "還是錯的")
    return Desk(amy=agents["amy"], ben=agents["ben"], order=order, english=english, hostile=hostile,
                answered=answered)
