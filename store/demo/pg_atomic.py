"""A PostgreSQL demo built in a scratch schema and swapped in by one transaction.

The demo writes in many transactions (people, tickets in chunks, rollups); built in place, a kill
in between left half a database. Here it is built in a schema of its own (`sd_demo_<target>`,
through the URL's search_path) and, once complete, moved into the target schema in one
transaction (PostgreSQL's DDL is transactional): the previous Shiftdesk tables, if any, are
dropped and every table of the scratch schema moved across (`ALTER TABLE ... SET SCHEMA` takes its
indexes, constraints and sequences along). So at any moment the target holds the previous tables
(or none) or the complete new ones.

One build per target at a time: the builder holds a session advisory lock for the whole run
(released by the server when the process dies, kill -9 included), and a scratch schema found
while the lock is free was left by a killed build and is dropped.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.pool import NullPool

__all__ = ["DemoBuildBusy", "NoScratchSchema", "Scratch", "build_aside", "has_tables"]

_LOCK_KEY = "shiftdesk-demo:"
_EXTRA_TABLES = ("alembic_version",)


class DemoBuildBusy(Exception):
    """Another demo is being built for the same database right now."""


class NoScratchSchema(Exception):
    """The login may not create a schema in this database (CREATE on the database)."""


def _tables() -> list[str]:
    from sqlmodel import SQLModel

    import store.models  # noqa: F401  (registers the tables)

    return [table.name for table in SQLModel.metadata.sorted_tables]


def has_tables(conn: Connection) -> bool:
    """Whether the login's schema holds Shiftdesk tables (migrated at some version)."""
    return conn.execute(text("SELECT to_regclass('alembic_version') IS NOT NULL")).scalar() is True


def scratch_name(target: str) -> str:
    return f"sd_demo_{target}"[:63]


@dataclass
class Scratch:
    """The scratch schema of one build: its URL for the generator, and the swap."""

    conn: Connection  # the builder's own session: holds the advisory lock, runs the copy and the swap
    target: str
    schema: str
    url: str

    def copy_from_target(self) -> None:
        """An initialised target without tickets keeps what it holds (agents, policies, shifts):
        its rows are copied into the migrated scratch tables first (both at the same version)."""
        with self.conn.begin():
            for table in _tables():
                columns = ", ".join(f'"{c}"' for c in self._columns(table))
                self.conn.execute(text(f'INSERT INTO "{self.schema}"."{table}" ({columns}) '
                                       f'SELECT {columns} FROM "{self.target}"."{table}"'))

    def _columns(self, table: str) -> list[str]:
        rows = self.conn.execute(text(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = :s AND table_name = :t "
            "ORDER BY ordinal_position"), {"s": self.schema, "t": table})
        return [r[0] for r in rows]

    def swap(self) -> None:
        """One transaction: the target's Shiftdesk tables dropped, the scratch schema's moved in."""
        with self.conn.begin():
            for table in (*reversed(_tables()), *_EXTRA_TABLES):
                self.conn.execute(text(f'DROP TABLE IF EXISTS "{self.target}"."{table}" CASCADE'))
            moved = self.conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = :s"),
                                      {"s": self.schema}).scalars().all()
            for table in moved:
                self.conn.execute(text(f'ALTER TABLE "{self.schema}"."{table}" SET SCHEMA "{self.target}"'))
            self.conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))


@contextmanager
def build_aside(url: str) -> Iterator[Scratch]:
    """Lock the target's demo build, clear a killed build's leftovers, make the scratch schema;
    yields it, and drops it again unless it was swapped in."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            target = conn.execute(text("SELECT current_schema()")).scalar()
            if not target:
                raise NoScratchSchema("the login has no schema on its search_path")
            conn.commit()
            got = conn.execute(text("SELECT pg_try_advisory_lock(hashtext(:k))"), {"k": _LOCK_KEY + target}).scalar()
            conn.commit()
            if not got:
                raise DemoBuildBusy(target)
            schema = scratch_name(target)
            try:
                with conn.begin():
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))  # a killed build's
                    conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            except ProgrammingError as exc:
                raise NoScratchSchema(str(exc.orig)) from exc
            scratch_url = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
            scratch = Scratch(conn, target, schema, scratch_url.render_as_string(hide_password=False))
            try:
                yield scratch
            finally:
                if conn.in_transaction():
                    conn.rollback()
                with conn.begin():
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                conn.execute(text("SELECT pg_advisory_unlock(hashtext(:k))"), {"k": _LOCK_KEY + target})
                conn.commit()
    finally:
        engine.dispose()
