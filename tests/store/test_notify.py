"""LISTEN/NOTIFY on PostgreSQL: a committed ticket write is heard at once, a rolled-back one never,
and a listener that lost its connection catches up on what it missed."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from sqlmodel import text

from store.db.engine import open_database
from store.db.notify import Change, Listener, channel_for, merge
from store.defaults import ensure_defaults
from store.models import Agent, Customer
from store.tickets.actions import Context, add_note, claim, create_ticket

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def pg(pg_url):
    db = open_database(pg_url)
    with db.write() as s:
        ensure_defaults(s, T0)
        s.add_all([Agent(name="amy", created_at=T0), Customer(name="王小明", created_at=T0)])
    yield db
    db.dispose()


def new_ticket(db, subject: str = "訂單延遲") -> int:
    with db.write() as s:
        return create_ticket(Context.open(s, T0), subject=subject, customer_id=1).id


def heard(listener: Listener, seconds: float = 2.0) -> Change | None:
    """Everything heard within `seconds` (the issue's bound for another console's change)."""
    deadline = time.monotonic() + seconds
    changes: list[Change] = []
    while time.monotonic() < deadline and not changes:
        changes = listener.poll(timeout=max(0.0, deadline - time.monotonic()))
    return merge(changes)


@pytest.mark.postgres
def test_a_committed_write_is_heard_within_two_seconds(pg):
    with Listener(pg) as listener:
        listener.poll(timeout=0)  # connect
        started = time.monotonic()
        tid = new_ticket(pg)
        change = heard(listener)
        assert change is not None and change.kind == "ticket" and tid in change.ticket_ids
        assert time.monotonic() - started < 2.0
        with pg.write() as s:
            claim(Context.open(s, T0), tid, 1)
        change = heard(listener)
        assert change is not None and change.ticket_ids == {tid}


@pytest.mark.postgres
def test_a_rolled_back_write_is_never_heard(pg):
    tid = new_ticket(pg)
    with Listener(pg) as listener:
        listener.poll(timeout=0)
        with pytest.raises(RuntimeError), pg.write() as s:
            add_note(Context.open(s, T0), tid, 1, "內部備註")
            raise RuntimeError("the console crashed before commit")
        assert listener.poll(timeout=0.5) == []


@pytest.mark.postgres
def test_after_a_lost_connection_the_listener_catches_up(pg):
    first = new_ticket(pg)
    with Listener(pg) as listener:
        listener.poll(timeout=0)
        pid = listener.backend_pid()
        with pg.engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            conn.commit()
        with pg.write() as s:  # written while nobody listened: no notification will come
            add_note(Context.open(s, T0), first, 1, "斷線期間的變更")
        second = new_ticket(pg, "another")
        change = heard(listener, 5.0)
        assert change is not None and change.kind == "resync"
        assert {first, second} <= change.ticket_ids
        assert listener.reconnects == 1 and listener.backend_pid() != pid
        with pg.write() as s:  # and it keeps listening afterwards
            add_note(Context.open(s, T0), second, 1, "again")
        change = heard(listener)
        assert change is not None and change.kind == "ticket" and change.ticket_ids == {second}


@pytest.mark.postgres
def test_schemas_do_not_hear_each_other(pg):
    assert pg.notify_channel.startswith("shiftdesk_sdt_")
    assert channel_for("public") == channel_for(None) == "shiftdesk"


def test_payloads_round_trip_and_nonsense_means_reload():
    change = Change("ticket", frozenset({3, 1}))
    parsed, last = Change.parse(change.payload(42))
    assert (parsed, last) == (change, 42)
    many = Change.parse(Change("ticket", frozenset(range(1000))).payload())[0]
    assert many.many and not many.ticket_ids
    assert Change.parse("not json")[0] == Change("resync", many=True)
    assert merge([]) is None
    assert merge([Change("presence", frozenset({2})), change]) == Change("ticket", frozenset({1, 2, 3}))


def test_sqlite_has_no_listener(tmp_path):
    db = open_database(tmp_path / "x.db")
    with pytest.raises(ValueError, match="data_version"):
        Listener(db)
    db.dispose()


@pytest.mark.postgres
def test_the_livesync_probe_moves_for_ticket_changes_not_for_presence(pg):
    from store.db.notify import NotifyProbe
    from store.tickets import presence

    tid = new_ticket(pg)
    probe = NotifyProbe(pg)
    try:
        first = probe.version()
        with pg.write() as s:
            presence.touch(s, 1, tid, "viewing", T0)
        time.sleep(0.3)
        assert probe.version() == first
        with pg.write() as s:
            add_note(Context.open(s, T0), tid, 1, "a ticket change")
        deadline = time.monotonic() + 2
        while probe.version() == first and time.monotonic() < deadline:
            time.sleep(0.05)
        assert probe.version() == first + 1
    finally:
        probe.close()
