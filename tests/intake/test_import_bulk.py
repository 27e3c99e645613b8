"""Bulk import runs the ticket actions against a memory session; it must write exactly what the
ORM path writes (tickets, events, clocks, audit, surveys and the rollup counters), and fall
back to the ORM path, with the same result, whenever the memory session cannot answer."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlmodel import SQLModel, select

from store.intake.formats.generic import Options
from store.intake.parse import parse_path
from store.intake.rules import load_rules
from store.intake.writer import import_parsed
from store.models import Customer, Ticket
from store.tickets.actions import Context, create_ticket

DATA = Path(__file__).parents[1] / "data"
NOW = datetime(2024, 2, 1, tzinfo=UTC)
T0 = datetime(2024, 1, 3, tzinfo=UTC)


def history(path: Path, n: int, seed: int = 3) -> Path:
    """Tickets with replies, follow-ups, pauses, solves, reopens and surveys, as a team's export."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        at = T0 + timedelta(minutes=rng.randrange(0, 20_000))
        ext = f"HIST-{i}"
        out.append({"type": "ticket", "external_id": ext, "created_at": at.isoformat(),
                    "subject": rng.choice(["訂單延遲", "我要退款", "How to reset my password", "客訴:態度很差", "發票"]),
                    "customer": {"name": f"客戶{i % 40}", "contact": f"c{i % 40}@example.com",
                                 "tier": rng.choice(["standard", "standard", "gold", "diamond"])},
                    "channel": rng.choice(["email", "chat", "phone"])})
        for step in range(rng.randrange(0, 6)):
            at += timedelta(minutes=rng.randrange(1, 600))
            kind = rng.choice(["agent", "customer", "pending", "solved", "open", "note"])
            if kind in ("pending", "solved", "open"):
                out.append({"type": "status", "external_id": ext, "at": at.isoformat(), "status": kind})
            else:
                out.append({"type": "message", "external_id": ext, "at": at.isoformat(), "author": kind,
                            "body": f"第 {step} 則 lawyer" if rng.random() < 0.05 else f"第 {step} 則"})
        if rng.random() < 0.3:
            at += timedelta(hours=1)
            out.append({"type": "survey", "external_id": ext, "at": at.isoformat(), "kind": "csat",
                        "score": rng.randrange(1, 6)})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in out), encoding="utf-8")
    return path


def build(db, files: list[tuple[Path, object]], *, bulk: bool) -> list[bool | None]:
    with db.write() as s:  # a ticket that was here before, so counts over old and new rows both matter
        customer = Customer(name="客戶1", contact="c1@example.com", created_at=T0 - timedelta(days=30))
        s.add(customer)
        s.flush()
        create_ticket(Context.open(s, T0 - timedelta(days=1)), subject="舊單", customer_id=customer.id or 0)
    used = []
    for path, zone in files:
        parsed = parse_path(path, opts=Options(zone=zone, now=NOW))  # type: ignore[arg-type]
        outcome = import_parsed(db, parsed, rules=load_rules(Path("/none")), now=NOW, bulk=bulk)
        used.append(outcome.tally.bulk)
    return used


def dump(db) -> dict[str, list[tuple]]:
    out = {}
    with db.engine.connect() as conn:
        for table in SQLModel.metadata.sorted_tables:
            keys = ", ".join(c.name for c in table.primary_key.columns)
            out[table.name] = [tuple(r) for r in conn.execute(text(f"SELECT * FROM {table.name} ORDER BY {keys}"))]
    return out


@pytest.fixture
def inputs(tmp_path) -> list[tuple[Path, object]]:
    return [(history(tmp_path / "history.jsonl", 150), None),
            (DATA / "intake" / "zendesk_tickets.json", None),
            (DATA / "intake" / "freshdesk_tickets.csv", ZoneInfo("Asia/Taipei")),
            (DATA / "hostile" / "hostile.jsonl", None),
            (DATA / "intake" / "generic.jsonl", None)]


def _db(tmp_path, name: str):
    from store.db.engine import open_database
    from store.defaults import ensure_defaults

    db = open_database(tmp_path / name)
    with db.write() as s:
        ensure_defaults(s, T0 - timedelta(days=60))
    return db


def test_bulk_writes_exactly_what_the_orm_path_writes(tmp_path, inputs):
    fast, slow = _db(tmp_path, "fast.db"), _db(tmp_path, "slow.db")
    try:
        assert build(fast, inputs, bulk=True) == [True] * len(inputs)
        assert build(slow, inputs, bulk=False) == [None] * len(inputs)
        a, b = dump(fast), dump(slow)
        assert len(a["ticket"]) > 150 and len(a["rollup_count"]) > 0 and len(a["sla_clock"]) > 300
        for name in a:
            assert a[name] == b[name], f"{name} differs between the bulk and the ORM path"
    finally:
        fast.dispose()
        slow.dispose()


def test_bulk_falls_back_to_the_orm_path_when_it_cannot_answer(tmp_path, inputs, monkeypatch):
    from store.intake import memory as intake_memory

    def refuse(self, statement, held):
        raise NotImplementedError("pretend the actions asked something new")

    fast, slow = _db(tmp_path, "fast.db"), _db(tmp_path, "slow.db")
    try:
        build(slow, inputs[:2], bulk=False)
        monkeypatch.setattr(intake_memory.MemorySession, "_select", refuse)
        monkeypatch.setattr(intake_memory.MemorySession, "held_rows", lambda self, *a: refuse(self, None, None))
        assert build(fast, inputs[:2], bulk=True) == [False, False]
        assert dump(fast) == dump(slow)
    finally:
        fast.dispose()
        slow.dispose()


def test_bulk_then_more_records_for_the_same_tickets(tmp_path, inputs):
    """New tickets in bulk, a later file's records for them through the ORM: ids carry on."""
    db = _db(tmp_path, "mixed.db")
    try:
        build(db, inputs[:1], bulk=True)
        more = tmp_path / "more.jsonl"
        more.write_text(json.dumps({"type": "message", "external_id": "HIST-3", "at": NOW.isoformat(),
                                    "body": "one more"}) + "\n", encoding="utf-8")
        parsed = parse_path(more, opts=Options(zone=None, now=NOW + timedelta(minutes=1)))
        outcome = import_parsed(db, parsed, rules=load_rules(Path("/none")), now=NOW)
        assert outcome.tally.messages == 1
        with db.read() as s:
            assert s.exec(select(Ticket).where(Ticket.external_id == "HIST-3")).one().customer_message_count >= 2
    finally:
        db.dispose()
