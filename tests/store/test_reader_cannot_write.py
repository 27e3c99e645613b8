"""A reader that cannot write still counts every due breach (issue 11 item 2).

Known answer, worked out by hand: one normal ticket from c1 (email, 訂單服務), created Monday
08:00 UTC on the default 24x7 policy (first reply 8 h, resolution 3 business days). amy claims
it at 08:05; the lead hands it to ben at 12:00; nobody replies. At 17:00 its first-reply clock
has been overdue since 16:00 and no sweep has run. Whatever the reader's rights, the figures
for the day count one first-reply breach, at 16:00, under `normal`, against ben (the holder at
16:00), none against amy, and the resolution clock (due Thursday 08:00) is not breached.
Once a sweep can write, it records exactly that breach, once, and the figures do not move.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import make_url
from sqlmodel import select

from store.db.engine import Database, open_database
from store.defaults import ensure_defaults
from store.models import Agent, Customer, SlaClock
from store.reports.document import build
from store.reports.figures import figures, settle
from store.tickets.actions import Context, create_ticket
from store.tickets.ownership import assign, claim

MONDAY = datetime(2026, 3, 2, tzinfo=UTC)
T0, READ = MONDAY.replace(hour=8), MONDAY.replace(hour=17)
DAY_END = MONDAY.replace(hour=18)


def _build(url: str) -> dict[str, int]:
    db = open_database(url)
    with db.write() as s:
        ensure_defaults(s, T0)
        for name, role in (("amy", "agent"), ("ben", "agent"), ("lin", "lead")):
            s.add(Agent(name=name, display_name=name.title(), role=role, created_at=T0))
        s.add(Customer(name="c1", contact="c1@example.com", created_at=T0))
    with db.read() as s:
        ids = {a.name: a.id for a in s.exec(select(Agent)).all()}
        customer = s.exec(select(Customer.id)).one()
    with db.write() as s:
        ticket = create_ticket(Context.open(s, T0), subject="訂單延遲", customer_id=customer, channel="email",
                               priority="normal", category="訂單服務/配送", body="still waiting")
        ids["ticket"] = ticket.id
    with db.write() as s:
        claim(Context.open(s, T0.replace(minute=5)), ids["ticket"], ids["amy"])
    with db.write() as s:
        assign(Context.open(s, T0.replace(hour=12)), ids["ticket"], ids["lin"], ids["ben"])
    db.dispose()
    return ids


def _known_answer(db: Database, ids: dict[str, int], *, recorded: bool = False) -> None:
    with db.read() as s:
        total = figures(s, MONDAY, DAY_END, now=READ)[""]
        agents = figures(s, MONDAY, DAY_END, "agent", now=READ)
        priorities = figures(s, MONDAY, DAY_END, "priority", now=READ)
        doc = build(s, MONDAY, DAY_END, by=None, tz="UTC", now=READ)
        before_due = figures(s, MONDAY, MONDAY.replace(hour=16), now=READ)[""]
        at_three = figures(s, MONDAY, DAY_END, now=MONDAY.replace(hour=15))[""]
    assert (total.breached("first_reply"), total.breached("resolution"), total.met("first_reply")) == (1, 0, 0)
    assert agents[str(ids["ben"])].breached("first_reply") == 1
    assert str(ids["amy"]) not in agents or agents[str(ids["amy"])].breached("first_reply") == 0
    assert priorities["normal"].breached("first_reply") == 1
    assert doc["totals"]["first_reply_breached"] == 1 and doc["totals"]["first_reply_attainment"] == 0.0
    assert before_due.breached("first_reply") == 0  # it counts at its due time, 16:00
    # Read at 15:00 the clock is not yet due: nothing to count, unless a sweep has already recorded it.
    assert at_three.breached("first_reply") == int(recorded)


def _recorded(db: Database) -> int:
    with db.read() as s:
        return len(s.exec(select(SlaClock).where(SlaClock.outcome == "breached")).all())


def _reader_cannot_write(url: str, ids: dict[str, int], lock_wait: float) -> None:
    """The sweep before the read records nothing, and the read counts the breach all the same."""
    db = Database(url, lock_wait=lock_wait)
    try:
        assert settle(db, READ) == 0
        assert _recorded(db) == 0
        _known_answer(db, ids)
    finally:
        db.dispose()


def _then_a_writer_records_it_once(url: str, ids: dict[str, int]) -> None:
    db = open_database(url)
    try:
        assert settle(db, READ) == 1
        assert settle(db, READ) == 0
        assert _recorded(db) == 1
        _known_answer(db, ids, recorded=True)
    finally:
        db.dispose()


def test_a_read_only_sqlite_file(tmp_path, monkeypatch):
    """As root the file's mode binds nobody, so SQLite is made to open it read-only (mode=ro), as it
    does by itself for a file the user may not write."""
    path = tmp_path / "ro.db"
    ids = _build(f"sqlite:///{path}")
    real_connect = sqlite3.connect

    def read_only(database, *args, **kwargs):
        kwargs["uri"] = True
        return real_connect(f"file:{database}?mode=ro", *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(sqlite3.dbapi2, "connect", read_only)
        _reader_cannot_write(f"sqlite:///{path}", ids, 0.2)
    _then_a_writer_records_it_once(f"sqlite:///{path}", ids)


def test_a_held_sqlite_write_lock(tmp_path):
    path = tmp_path / "locked.db"
    ids = _build(f"sqlite:///{path}")
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process's long write (an import, a rebuild)
    try:
        _reader_cannot_write(f"sqlite:///{path}", ids, 0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    _then_a_writer_records_it_once(f"sqlite:///{path}", ids)


@pytest.mark.postgres
@pytest.mark.parametrize("how", ["read_only_transactions", "select_only_role", "row_locked"])
def test_postgresql_readers_that_cannot_write(pg_schema, how):
    """A login whose transactions are read-only (`default_transaction_read_only`, as a standby or an
    ALTER ROLE sets it), a role granted SELECT only, and a sweep whose clock another transaction
    holds (it skips locked rows)."""
    import psycopg

    pg_schema.reset()
    ids = _build(pg_schema.url)
    url = make_url(pg_schema.url)
    role = f"{pg_schema.name}_ro"
    holder = None
    if how == "read_only_transactions":
        url = url.update_query_dict({"options": f"-csearch_path={pg_schema.name} -cdefault_transaction_read_only=on"})
    elif how == "select_only_role":
        pg_schema.admin.execute(f'CREATE ROLE "{role}" LOGIN')
        pg_schema.admin.execute(f'GRANT USAGE ON SCHEMA "{pg_schema.name}" TO "{role}"')
        pg_schema.admin.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{pg_schema.name}" TO "{role}"')
        url = url.set(username=role)
    else:
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        holder = psycopg.connect(conninfo)
        holder.execute("SELECT id FROM sla_clock WHERE metric = 'first_reply' FOR UPDATE")
    try:
        _reader_cannot_write(url.render_as_string(hide_password=False), ids, 0.5)
    finally:
        if holder is not None:
            holder.rollback()
            holder.close()
        if how == "select_only_role":
            pg_schema.admin.execute(f'DROP OWNED BY "{role}"')
            pg_schema.admin.execute(f'DROP ROLE "{role}"')
    _then_a_writer_records_it_once(pg_schema.url, ids)
