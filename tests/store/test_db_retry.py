"""A write that cannot start is retried with backoff for a bounded time, never forever.

SQLite's lock is covered by tests/console/test_recovery.py; here the PostgreSQL side: a
server that cannot be reached makes a write give up with DatabaseBusy after `lock_wait`,
and connections the server dropped (a restart, an administrator) are replaced unnoticed.
"""

from __future__ import annotations

import time

import pytest

from store.db.engine import Database, DatabaseBusy


def test_an_unreachable_server_is_retried_then_reported_as_busy():
    db = Database("postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=1", lock_wait=1.5)
    started = time.monotonic()
    with pytest.raises(DatabaseBusy) as caught, db.write():
        raise AssertionError("the body must not run without a connection")
    waited = time.monotonic() - started
    assert 0.7 <= waited < 5.0, waited  # retried until the bound was (nearly) reached, then gave up
    assert "try again" in str(caught.value)
    db.dispose()


def test_a_bad_statement_is_not_retried(tmp_path):
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    db = Database(str(tmp_path / "x.db"), lock_wait=5)
    started = time.monotonic()
    with pytest.raises(OperationalError), db.write() as session:
        session.execute(text("SELECT * FROM no_such_table"))
    assert time.monotonic() - started < 1.0
    db.dispose()


@pytest.mark.postgres
def test_connections_the_server_dropped_are_replaced(pg_schema, pg_url):
    from sqlalchemy import text

    from store.db.engine import open_database

    db = open_database(pg_url, lock_wait=5)
    with db.write() as session:
        session.execute(text("SELECT 1"))
    pg_schema.terminate_others()  # every pooled connection of this schema is gone
    with db.write() as session:
        assert session.execute(text("SELECT 2")).scalar() == 2
    db.dispose()
