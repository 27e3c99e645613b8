"""The engine: UTC in and out, naive refused, WAL, foreign keys, and writes that lock up front."""

from __future__ import annotations

import itertools
import threading
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlmodel import select

from store.clock import FrozenClock, ensure_utc, get_clock, now, set_clock
from store.db.engine import Database, open_database, resolve_url
from store.models import Agent, Customer, Ticket


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "t.db")
    yield database
    database.dispose()


NAMES = itertools.count()


@pytest.fixture(scope="module")
def round_trip_db(tmp_path_factory):
    """One migrated file for every example: migrating one per example was most of the test's time."""
    database = open_database(tmp_path_factory.mktemp("rt") / "rt.db")
    yield database
    database.dispose()


@settings(max_examples=60, deadline=None)
@given(st.datetimes(min_value=datetime(1971, 1, 2), max_value=datetime(2200, 1, 1),
                    timezones=st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5))])))
def test_aware_datetimes_round_trip_as_utc(round_trip_db, value):
    with round_trip_db.write() as s:
        agent = Agent(name=f"a{next(NAMES)}", created_at=value)
        s.add(agent)
        s.flush()
        agent_id = agent.id
    round_trip_db.engine.dispose()  # read back through a new connection, not a cached object
    with round_trip_db.read() as s:
        got = s.get(Agent, agent_id).created_at
    assert got.tzinfo is UTC
    assert got == value


def test_naive_datetime_is_refused_and_nothing_written(db):
    with pytest.raises(StatementError, match="naive datetime"), db.write() as s:
        s.add(Agent(name="naive", created_at=datetime(2026, 1, 1)))
    with db.read() as s:
        assert s.exec(select(Agent)).first() is None


def test_pragmas(db):
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_foreign_keys_enforced(db):
    with pytest.raises(IntegrityError), db.write() as s:
        s.add(Ticket(subject="x", customer_id=999, created_at=now(), updated_at=now()))


def test_write_takes_the_lock_up_front(db):
    """A second writer waits for the first instead of failing with 'database is locked' later."""
    with db.write() as s:
        s.add(Customer(name="c", created_at=now()))
    order: list[str] = []
    first_in = threading.Event()

    def first() -> None:
        with db.write() as s:
            first_in.set()
            order.append("first-start")
            s.exec(text("UPDATE customer SET name = 'first'"))
            time.sleep(0.3)
            order.append("first-end")

    def second() -> None:
        first_in.wait()
        with db.write() as s:
            order.append("second-start")
            s.exec(text("UPDATE customer SET name = 'second'"))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert order == ["first-start", "first-end", "second-start"]
    with db.read() as s:
        assert s.exec(select(Customer)).one().name == "second"


def test_resolve_url(monkeypatch, tmp_path):
    monkeypatch.delenv("SHIFTDESK_DB", raising=False)
    assert resolve_url(tmp_path / "x.db") == f"sqlite:///{tmp_path / 'x.db'}"
    assert resolve_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    monkeypatch.setenv("SHIFTDESK_DB", str(tmp_path / "env.db"))
    assert resolve_url(None).endswith("env.db")
    assert resolve_url("sqlite:///other.db") == "sqlite:///other.db"
    monkeypatch.delenv("SHIFTDESK_DB")
    assert resolve_url(None).endswith("shiftdesk.db")


def test_default_database_lives_in_user_data_dir(monkeypatch, tmp_path):
    import platformdirs

    monkeypatch.delenv("SHIFTDESK_DB", raising=False)
    monkeypatch.setattr(platformdirs, "user_data_path", lambda app: tmp_path / app)
    database = Database("")
    assert database.sqlite_path == tmp_path / "shiftdesk" / "shiftdesk.db"


def test_clock_is_injectable():
    frozen = FrozenClock(datetime(2026, 1, 1, 9, tzinfo=UTC))
    previous = set_clock(frozen)
    try:
        assert now() == datetime(2026, 1, 1, 9, tzinfo=UTC)
        frozen.advance(minutes=5)
        assert get_clock().now() == datetime(2026, 1, 1, 9, 5, tzinfo=UTC)
    finally:
        set_clock(previous)
    with pytest.raises(ValueError):
        FrozenClock(datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        ensure_utc(datetime(2026, 1, 1))
