"""The same models, migrations and data on SQLite and PostgreSQL: times, JSON, booleans, big keys,
bulk-loaded ids, and a schema that matches the models on both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import col, select
from support.schema import model_diff

import store.models  # noqa: F401
from store.clock import now
from store.defaults import ensure_defaults
from store.demo.generate import DemoSpec, generate, reset
from store.models import NO_DUE, Agent, Customer, Ticket
from store.tickets.actions import Context, create_ticket

T0 = datetime(2026, 3, 8, 9, 30, 15, 123456, tzinfo=UTC)


@pytest.mark.postgres
def test_models_and_migrations_agree_on_postgres(pg_url):
    from store.db.engine import open_database

    db = open_database(pg_url)
    with db.engine.connect() as conn:
        diff = model_diff(conn)
    db.dispose()
    assert diff == [], "the models and the PostgreSQL schema the migrations built differ"


def test_times_json_booleans_and_big_keys_round_trip(backend_db):
    db = backend_db
    zones = [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
    with db.write() as s:
        ensure_defaults(s, T0)
        for i, zone in enumerate(zones):
            s.add(Agent(name=f"a{i}", created_at=T0.astimezone(zone), active=i != 1))
        s.add(Customer(name="王小明", created_at=T0))
        s.flush()
        ticket = create_ticket(Context.open(s, T0), subject="[bold]x[/]", customer_id=1,
                               fields={"order_id": "A1", "items": [1, 2], "note": "中文 \u202e"})
        ticket.escalated = True
        s.add(ticket)
    with db.read() as s:
        agents = s.exec(select(Agent).order_by(col(Agent.name))).all()
        assert all(a.created_at == T0 and a.created_at.tzinfo is UTC for a in agents)
        assert [a.name for a in s.exec(select(Agent).where(Agent.active == False))] == ["a1"]  # noqa: E712
        got = s.exec(select(Ticket)).one()
        assert got.fields == {"order_id": "A1", "items": [1, 2], "note": "中文 \u202e"}
        assert got.escalated is True and got.is_open is True
        assert got.due_key < NO_DUE and s.exec(select(Ticket).where(Ticket.due_key < NO_DUE)).one().id == got.id
        assert s.exec(select(Ticket.id).where(Ticket.created_at >= T0, Ticket.created_at < T0 + timedelta(seconds=1))).one()


def test_naive_datetimes_are_refused_on_both(backend_db):
    from sqlalchemy.exc import StatementError

    with pytest.raises(StatementError, match="naive"), backend_db.write() as s:
        s.add(Agent(name="naive", created_at=datetime(2026, 1, 1)))


def test_demo_then_ordinary_writes_get_fresh_ids(backend_db):
    """The demo bulk-loads rows with their own ids; PostgreSQL's sequences must move past them."""
    db = backend_db
    counts = generate(db, DemoSpec(tickets=20, history=60, days=3, seed=5), T0, extra_agent="me")
    assert counts["tickets"] == 80
    with db.write() as s:
        customer = Customer(name="新客戶", created_at=now())
        s.add(customer)
        s.flush()
        ticket = create_ticket(Context.open(s, now()), subject="after the demo", customer_id=customer.id)
    assert ticket.id == 81
    reset(db)
    if not db.is_sqlite:  # PostgreSQL: the tables are gone; migrate again for the next test's reset
        from store.db.engine import open_database

        open_database(db.url).dispose()
