"""A small, exact day for handover tests: Taipei, 2024-01-15, the morning shift about to end."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import select

from store.db.engine import Database, open_database
from store.defaults import ensure_defaults
from store.models import Agent, Customer
from store.tickets.actions import (
    Context,
    add_note,
    add_reply,
    claim,
    create_ticket,
    escalate,
    set_status,
)

TPE = ZoneInfo("Asia/Taipei")
HOSTILE = "[bold]免費[/bold] **點我** <script>\x1b[31m紅字\x1b]8;;http://x\x07 | `rm` _x_"


def tpe(*args: int) -> datetime:
    return datetime(*args, tzinfo=TPE).astimezone(UTC)


# 14:50 in Taipei: ten minutes before 早班 hands over to 晚班.
END_OF_MORNING = tpe(2024, 1, 15, 14, 50)


def _at(db: Database, when: datetime, action, *args, **kwargs):
    with db.write() as s:
        result = action(Context.open(s, when), *args, **kwargs)
        return getattr(result, "id", None)


def seed(path: Path | str) -> tuple[Database, dict[str, int]]:
    """Seven tickets touching every handover list; returns the open database and the ticket ids."""
    db = open_database(str(path))
    t0 = tpe(2024, 1, 1)
    with db.write() as s:
        ensure_defaults(s, t0)
        for name, role, display in (("lead.lin", "lead", "林組長"), ("lead.wang", "lead", "王組長"),
                                    ("amy", "agent", "Amy"), ("ben", "agent", "Ben"), ("sup", "supervisor", "主管")):
            s.add(Agent(name=name, role=role, display_name=display, created_at=t0))
        s.add(Customer(name="王小明", tier="standard", created_at=t0))
        s.add(Customer(name="陳大文", tier="gold", created_at=t0))
        s.add(Customer(name="駭客\x1b[2J", tier="standard", created_at=t0))
    with db.read() as s:
        ids = {a.name: a.id for a in s.exec(select(Agent)).all()}
        cust = {c.name: c.id for c in s.exec(select(Customer)).all()}
    amy, ben = ids["amy"], ids["ben"]
    plain, vip, odd = cust["王小明"], cust["陳大文"], cust["駭客\x1b[2J"]

    def new(when, subject, priority, customer, category=""):
        with db.write() as s:
            return create_ticket(Context.open(s, when), subject=subject, customer_id=customer,
                                 priority=priority, category=category, body="…").id

    t7 = new(tpe(2024, 1, 14, 10), "發票抬頭更正", "normal", plain)
    t3 = new(tpe(2024, 1, 14, 20), "退貨申請", "high", plain)
    t1 = new(tpe(2024, 1, 15, 8), "付款失敗", "urgent", plain)
    t6 = new(tpe(2024, 1, 15, 7, 30), "使用教學", "normal", plain)
    _at(db, tpe(2024, 1, 15, 12), add_reply, t6, amy, "已寄送教學連結", set_status="solved")
    t4 = new(tpe(2024, 1, 15, 9), "訂單異常", "normal", vip)
    _at(db, tpe(2024, 1, 15, 9, 5), claim, t4, ben)
    _at(db, tpe(2024, 1, 15, 9, 20), add_reply, t4, ben, "正在向倉庫確認", set_status="pending")
    t5 = new(tpe(2024, 1, 15, 10), HOSTILE, "low", odd)
    _at(db, tpe(2024, 1, 15, 11), escalate, t5, amy, "客戶要求主管回覆")
    t2 = new(tpe(2024, 1, 15, 13), "商品諮詢", "normal", plain)
    _at(db, tpe(2024, 1, 15, 13, 10), claim, t2, amy)
    _at(db, tpe(2024, 1, 15, 13, 20), add_reply, t2, amy, "您好,已為您查詢")
    _at(db, tpe(2024, 1, 15, 13, 30), add_note, t2, amy, "客戶等待報價,明早回電")
    _at(db, tpe(2024, 1, 15, 14), set_status, t3, None, "open")
    return db, {"t1": t1, "t2": t2, "t3": t3, "t4": t4, "t5": t5, "t6": t6, "t7": t7}
