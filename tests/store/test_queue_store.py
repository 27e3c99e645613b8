"""store.tickets.queue: views, sorts, filter, windows and positions agree with the tickets' state."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest

import console.sanitize as clean
from store.db.reader import EngineReader, SqliteReader, sqlite_path_for
from store.tickets import queue
from store.tickets.queue import QueueQuery


@pytest.fixture
def reader(seed_small):
    r = SqliteReader(seed_small.path)
    yield r
    r.close()


def ids(reader, q, clock, offset=0, limit=100):
    with reader.read() as conn:
        return [row.id for row in queue.window(q, offset, limit, conn=conn, now=clock.now(), clean=clean)]


def test_constants_mirror_the_models():
    from store.models import CHANNELS, NO_DUE
    from store.views import NO_DUE as VIEW_NO_DUE

    assert VIEW_NO_DUE == NO_DUE
    assert queue.CHANNELS == CHANNELS


def test_priority_sort_puts_urgent_first_then_soonest_due(reader, seed_small, clock):
    got = ids(reader, QueueQuery(), clock)
    tickets = seed_small.tickets
    assert got[0] == tickets["breached"]
    assert "solved" not in [k for k, v in tickets.items() if v in got]
    with reader.read() as conn:
        rows = queue.window(QueueQuery(), 0, 100, conn=conn, now=clock.now(), clean=clean)
    ranks = [queue_rank(r.priority) for r in rows]
    assert ranks == sorted(ranks)
    for a, b in pairwise(rows):
        if a.priority == b.priority and a.due_at and b.due_at:
            assert a.due_at <= b.due_at


def queue_rank(priority: str) -> int:
    return ("urgent", "high", "normal", "low").index(priority)


def test_breach_sort_ignores_priority(reader, seed_small, clock):
    got = ids(reader, QueueQuery(sort="breach"), clock)
    with reader.read() as conn:
        rows = queue.ticket_rows(got, conn=conn, clean=clean)
    by_id = {r.id: r for r in rows}
    dues = [by_id[i].due_at for i in got if by_id[i].due_at is not None]
    assert dues == sorted(dues)
    assert got[0] == seed_small.tickets["breached"]
    # The paused ticket has no running clock: it comes last.
    assert got[-1] == seed_small.tickets["paused"]


def test_views(reader, seed_small, clock):
    t, a = seed_small.tickets, seed_small.agents
    mine = set(ids(reader, QueueQuery(view="mine", agent_id=a["amy"]), clock))
    assert mine == {t["paused"], t["mine"]}
    unassigned = set(ids(reader, QueueQuery(view="unassigned"), clock))
    assert unassigned == {t["breached"], t["at_risk"], t["english"], t["chinese"], t["unassigned"]}
    risk = set(ids(reader, QueueQuery(view="risk"), clock))
    assert t["breached"] in risk and t["at_risk"] in risk
    assert t["english"] not in risk and t["paused"] not in risk
    chat = set(ids(reader, QueueQuery(view="channel:chat"), clock))
    assert chat == {t["at_risk"], t["mine"]}


def test_filter_matches_subject_customer_and_id(reader, seed_small, clock):
    t = seed_small.tickets
    assert ids(reader, QueueQuery(text="password"), clock) == [t["english"]]
    assert set(ids(reader, QueueQuery(text="林美玲"), clock)) == {t["chinese"], t["unassigned"]}
    assert t["bens"] in ids(reader, QueueQuery(text=f"#{t['bens']}"), clock)
    # LIKE wildcards in the filter are literal.
    assert ids(reader, QueueQuery(text="%"), clock) == []
    assert ids(reader, QueueQuery(text="_"), clock) == []


def test_count_window_and_position_agree(reader, clock):
    q = QueueQuery()
    with reader.read() as conn:
        total = queue.count(q, conn=conn, now=clock.now())
        everything = queue.window_ids(q, 0, 1000, conn=conn, now=clock.now())
        assert len(everything) == total
        for index, ticket_id in enumerate(everything):
            assert queue.position(q, ticket_id, conn=conn, now=clock.now()) == index
        assert queue.window_ids(q, 2, 3, conn=conn, now=clock.now()) == everything[2:5]
        assert queue.position(q.with_(view="mine", agent_id=-5), everything[0], conn=conn, now=clock.now()) is None


def test_row_carries_live_clocks_and_states(reader, seed_small, clock):
    t = seed_small.tickets
    now = clock.now()
    with reader.read() as conn:
        rows = {r.id: r for r in queue.ticket_rows(list(t.values()), conn=conn, clean=clean)}
    breached, risky, paused = rows[t["breached"]], rows[t["at_risk"]], rows[t["paused"]]
    assert breached.breached(now) and not breached.at_risk(now)
    assert risky.at_risk(now) and not risky.breached(now)
    assert paused.paused and paused.due_at is None
    assert [c.metric for c in paused.clocks] == ["resolution"] and paused.clocks[0].paused
    assert rows[t["paused"]].assignee_name == "陳雅婷"
    assert rows[t["breached"]].assignee_name == "" and rows[t["breached"]].assignee_id is None
    assert rows[t["solved"]].is_open is False
    left = risky.nearest().remaining(now)
    assert timedelta(minutes=19) <= timedelta(seconds=left) <= timedelta(minutes=21)


def test_detail_has_customer_clocks_and_thread_in_order(reader, seed_small):
    t = seed_small.tickets
    with reader.read() as conn:
        detail = queue.ticket_detail(t["paused"], conn=conn, clean=clean)
        assert queue.ticket_detail(999_999, conn=conn, clean=clean) is None
    assert detail is not None
    assert detail.customer.name == "陳大文" and detail.customer.tier == "gold"
    assert detail.policy_name == "vip"
    kinds = [e.kind for e in detail.events]
    assert kinds == ["created", "assigned", "status_changed", "agent_reply", "status_changed"]
    assert [e.at for e in detail.events] == sorted(e.at for e in detail.events)
    assigned = detail.events[1]
    assert assigned.after == "陳雅婷" and assigned.actor_name == "陳雅婷"
    assert detail.events[-1].before == "open" and detail.events[-1].after == "pending"
    metrics = {c.metric: c.state for c in detail.clocks}
    assert metrics == {"first_reply": "stopped", "resolution": "paused"}


def test_long_threads_keep_the_newest_events(reader, seed_small):
    from store.tickets.actions import add_note

    t, a = seed_small.tickets, seed_small.agents
    for i in range(12):
        seed_small.act(add_note, t["english"], a["amy"], f"note {i}")
    with reader.read() as conn:
        detail = queue.ticket_detail(t["english"], conn=conn, clean=clean, max_events=5)
    assert [e.body for e in detail.events] == [f"note {i}" for i in range(7, 12)]
    assert detail.events_omitted == 8


def test_engine_reader_gives_the_same_rows(seed_small, clock):
    fast = SqliteReader(seed_small.path)
    slow = EngineReader(seed_small.db.engine)
    q = QueueQuery(sort="breach")
    with fast.read() as a, slow.read() as b:
        assert queue.window(q, 0, 50, conn=a, now=clock.now(), clean=clean) == \
            queue.window(q, 0, 50, conn=b, now=clock.now(), clean=clean)
    fast.close()


def test_sqlite_path_resolution_matches_store_db(tmp_path, monkeypatch):
    from store.db.engine import _sqlite_path, resolve_url

    monkeypatch.setenv("SHIFTDESK_DB", str(tmp_path / "env.db"))
    for value in (None, "plain.db", str(tmp_path / "abs.db"), "sqlite:///rel.db", f"sqlite:///{tmp_path}/x.db",
                  "sqlite+pysqlite:///y.db?mode=ro", "postgresql://u@h/db", "sqlite://", "~/home.db"):
        assert sqlite_path_for(value) == _sqlite_path(resolve_url(value)), value


def test_the_queue_paints_without_importing_sqlalchemy():
    import subprocess
    import sys

    code = ("import sys, store.tickets.queue, store.db.reader, store.views, console.boot, console.sanitize, console.app, "
            "console.screens.queue.screen, console.screens.home; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', 'alembic')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_closing_the_reader_waits_for_reads_in_flight_and_later_reads_reconnect(seed_small, clock):
    import threading

    reader = SqliteReader(seed_small.path)
    inside, release, done = threading.Event(), threading.Event(), []

    def slow_read() -> None:
        with reader.read() as conn:
            inside.set()
            release.wait(5)
            done.append(conn.scalar("SELECT count(*) FROM ticket"))

    worker = threading.Thread(target=slow_read)
    worker.start()
    inside.wait(5)
    closer = threading.Thread(target=reader.close)
    closer.start()
    closer.join(0.2)
    assert closer.is_alive()  # waits for the read in flight
    release.set()
    worker.join(5)
    closer.join(5)
    assert done == [9]
    with reader.read() as conn:  # a later read opens a fresh connection
        assert conn.scalar("SELECT count(*) FROM ticket") == 9
    reader.close()


def test_the_indexes_the_queue_names_exist():
    """On SQLite the queue names its indexes (INDEXED BY): renaming one must fail here, not live."""
    from store.models import Ticket

    names = {index.name for index in Ticket.__table__.indexes}
    assert set(queue.ORDER_INDEXES) <= names


def test_window_queries_walk_an_index_in_order(seed_small, clock):
    reader = SqliteReader(seed_small.path)
    with reader.read() as conn:
        for q in (QueueQuery(), QueueQuery(sort="breach"), QueueQuery(view="mine", agent_id=1),
                  QueueQuery(view="channel:chat")):  # a filtered view sorts its matches: test_queue_filter
            where, params = queue._where(q, clock.now(), "sqlite")
            plan = conn.all(f"EXPLAIN QUERY PLAN SELECT t.id FROM ticket t {queue._hint(q, 'sqlite')} "
                            f"WHERE {where} ORDER BY {', '.join(queue._ORDER[q.sort])}", params)
            text = " ".join(str(step[-1]) for step in plan)
            if q.view != "mine" or q.sort == "priority":
                assert "TEMP B-TREE" not in text, (q, text)
    reader.close()
