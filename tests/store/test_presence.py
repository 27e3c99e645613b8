"""Agent collision on both databases: who has a ticket open, who is writing, and replies that
landed while you were writing yours."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from store.defaults import ensure_defaults
from store.models import Agent, Customer
from store.tickets import presence
from store.tickets.actions import Context, add_note, add_reply, create_ticket

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def floor(backend_db):
    db = backend_db
    with db.write() as s:
        ensure_defaults(s, T0)
        s.add_all([Agent(name="amy", display_name="陳雅婷", created_at=T0), Agent(name="ben", created_at=T0),
                   Agent(name="cho", created_at=T0), Customer(name="王小明", created_at=T0)])
        s.flush()
        ctx = Context.open(s, T0)
        one = create_ticket(ctx, subject="one", customer_id=1).id
        two = create_ticket(ctx, subject="two", customer_id=1).id
        agents = {a.name: a.id for a in s.exec(select(Agent))}
    return db, agents, one, two


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_who_else_has_the_ticket_open_and_who_is_writing(floor):
    db, agents, one, two = floor
    with db.write() as s:
        presence.touch(s, agents["amy"], one, "viewing", at(0))
        presence.touch(s, agents["ben"], one, "composing", at(1))
        presence.touch(s, agents["cho"], two, "viewing", at(1))
    with db.read() as s:
        others = presence.others_on(s, one, now=at(5), exclude_agent_id=agents["amy"])
        assert [(p.name, p.activity) for p in others] == [("ben", "composing")]
        everyone = presence.others_on(s, one, now=at(5))
        assert [p.label for p in everyone] == ["ben", "陳雅婷"]  # the one writing comes first
        assert [p.name for p in presence.composing_on(s, one, now=at(5), exclude_agent_id=agents["amy"])] == ["ben"]
        assert presence.composing_on(s, one, now=at(5), exclude_agent_id=agents["ben"]) == []


def test_a_console_that_went_quiet_or_moved_on_no_longer_counts(floor):
    db, agents, one, two = floor
    with db.write() as s:
        presence.touch(s, agents["amy"], one, "viewing", at(0))
        presence.touch(s, agents["ben"], one, "composing", at(0))
    with db.write() as s:
        presence.touch(s, agents["ben"], one, "composing", at(25))  # a heartbeat
        presence.touch(s, agents["amy"], two, "viewing", at(25))  # amy moved on
    with db.read() as s:
        assert [p.name for p in presence.others_on(s, one, now=at(50))] == ["ben"]
        assert presence.others_on(s, one, now=at(25 + presence.FRESH_SECONDS + 1)) == []
        assert [p.name for p in presence.others_on(s, two, now=at(30))] == ["amy"]
    with db.write() as s:
        presence.leave(s, agents["amy"])
        presence.leave(s, agents["amy"])  # twice is harmless
    with db.read() as s:
        assert presence.others_on(s, two, now=at(30)) == []


def test_replies_that_landed_while_composing(floor):
    db, agents, one, _ = floor
    with db.read() as s:
        mark = presence.latest_event_id(s, one)  # amy opens the composer
    assert mark > 0
    with db.write() as s:
        ctx = Context.open(s, at(60))
        add_note(ctx, one, agents["ben"], "internal: not a reply")
        add_reply(ctx, one, agents["ben"], "您好,\n已為您處理退款。")
        add_reply(ctx, one, agents["amy"], "amy's own earlier reply")
    with db.read() as s:
        news = presence.replies_since(s, one, mark, exclude_agent_id=agents["amy"])
        assert [(r.label, r.excerpt) for r in news] == [("ben", "您好, 已為您處理退款。")]
        assert len(presence.replies_since(s, one, mark)) == 2
        assert presence.replies_since(s, one, presence.latest_event_id(s, one), exclude_agent_id=agents["amy"]) == []


def test_bad_activity_and_naive_time_are_refused(floor):
    db, agents, one, _ = floor
    with pytest.raises(ValueError, match="activity"), db.write() as s:
        presence.touch(s, agents["amy"], one, "typing", at(0))
    with pytest.raises(ValueError), db.write() as s:
        presence.touch(s, agents["amy"], one, "viewing", datetime(2026, 1, 1))


@pytest.mark.postgres
def test_presence_changes_are_announced_but_heartbeats_are_not(pg_url):
    from store.db.engine import open_database
    from store.db.notify import Listener, merge

    db = open_database(pg_url)
    with db.write() as s:
        s.add_all([Agent(name="amy", created_at=T0), Customer(name="c", created_at=T0)])
        s.flush()
        ctx = Context.open(s, T0)
        one = create_ticket(ctx, subject="one", customer_id=1).id
        two = create_ticket(ctx, subject="two", customer_id=1).id
    with Listener(db) as listener:
        listener.poll(timeout=0)
        with db.write() as s:
            presence.touch(s, 1, one, "viewing", at(0))
        assert merge(listener.poll(timeout=2)).ticket_ids == {one}
        with db.write() as s:
            presence.touch(s, 1, one, "viewing", at(10))
        assert listener.poll(timeout=0.3) == []
        with db.write() as s:
            presence.touch(s, 1, two, "composing", at(20))
        change = merge(listener.poll(timeout=2))
        assert change.kind == "presence" and change.ticket_ids == {one, two}
    db.dispose()
