"""Engine and sessions: SQLite in WAL with the write lock taken up front, or PostgreSQL.

A write that cannot start (another process holds SQLite's write lock, or the connection
to PostgreSQL was lost) is a passing condition: `Database.write` waits and retries, with
backoff, for at most `lock_wait` seconds, then raises DatabaseBusy. Nothing of the write
has run by then, so the caller may simply repeat it.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import Session, create_engine

from store.errors import ShiftdeskError

ENV_VAR = "SHIFTDESK_DB"
BUSY_TIMEOUT_MS = 30_000
SLOW_QUERY_SECONDS = 0.5
log = logging.getLogger("shiftdesk.sql")
_FIRST_BACKOFF, _MAX_BACKOFF = 0.05, 1.0


class DatabaseBusy(ShiftdeskError):
    """A write could not start within its time: another process holds the database (SQLite's
    write lock, e.g. an import), or the server is unreachable. Nothing was written."""

    def __init__(self, waited: float, cause: BaseException, where: str = "") -> None:
        named = f" {where}" if where else ""
        super().__init__(f"another process is holding the database{named} (waited {waited:.0f} s); "
                         "nothing was changed, try again in a moment")
        self.waited, self.cause, self.where = waited, cause, where


def _passing(exc: DBAPIError) -> bool:
    """A lock held elsewhere or a lost connection: worth a retry (a bad statement is not)."""
    if exc.connection_invalidated:
        return True
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    if "locked" in text or "busy" in text:  # SQLite: database is locked / busy
        return True
    # PostgreSQL: the server went away or refuses connections for a moment.
    return isinstance(exc, OperationalError) and "sqlite" not in type(exc.orig).__module__


def default_db_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("shiftdesk") / "shiftdesk.db"


def resolve_url(url: str | os.PathLike[str] | None = None) -> str:
    """--db beats SHIFTDESK_DB beats the per-user default file; a bare path means SQLite."""
    chosen = os.fspath(url) if url else (os.environ.get(ENV_VAR) or "")
    if not chosen:
        path = default_db_path()
        return f"sqlite:///{path}"
    if "://" not in chosen:
        return f"sqlite:///{Path(chosen).expanduser()}"
    if chosen.startswith("postgresql://") or chosen.startswith("postgres://"):
        # psycopg 3 is the only PostgreSQL driver we ship with.
        chosen = "postgresql+psycopg://" + chosen.split("://", 1)[1]
    return chosen


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def sqlite_file(url: str) -> Path | None:
    """The file a database URL names when it is a SQLite file (None: another database, or memory)."""
    return _sqlite_path(url)


def display_url(url: str) -> str:
    """A database URL fit to print: the password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def _configure_sqlite(engine: Engine, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record) -> None:  # pragma: no branch - trivial wiring
        # Hand transaction control to SQLAlchemy's "begin" event below, so writes can say IMMEDIATE.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        # SQLite's own busy handler is the inner retry loop (it sleeps with backoff up to busy_ms).
        cur.execute(f"PRAGMA busy_timeout={busy_ms}")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def _log_slow_queries(engine: Engine) -> None:
    """Log a statement slower than SLOW_QUERY_SECONDS at WARNING: its SQL text only, never its
    parameters (they hold customer text)."""

    @event.listens_for(engine, "before_cursor_execute")
    def _started(conn, _cursor, _statement, _parameters, _context, _many) -> None:
        conn.info.setdefault("shiftdesk.query_start", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def _finished(conn, _cursor, statement, _parameters, _context, _many) -> None:
        starts = conn.info.get("shiftdesk.query_start")
        if not starts:
            return
        elapsed = time.perf_counter() - starts.pop()
        if elapsed > SLOW_QUERY_SECONDS:
            log.warning("slow query (%.2f s): %s", elapsed, " ".join(statement.split())[:2000])


@dataclass
class Database:
    """One database: its URL, engine, and the two kinds of unit of work."""

    url: str
    lock_wait: float | None = None
    """The longest a write waits for the lock (or a lost connection) before DatabaseBusy;
    None: the busy timeout (BUSY_TIMEOUT_MS), read when the database is opened."""
    engine: Engine = field(init=False, repr=False)
    _write_engine: Engine = field(init=False, repr=False)
    _channel: str | None = field(init=False, repr=False, default=None)

    def __post_init__(self) -> None:
        if self.lock_wait is None:
            self.lock_wait = BUSY_TIMEOUT_MS / 1000
        self.url = resolve_url(self.url)
        path = _sqlite_path(self.url)
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.engine = create_engine(
                self.url,
                connect_args={"timeout": self.lock_wait, "check_same_thread": False},
            )
            _configure_sqlite(self.engine, int(self.lock_wait * 1000))
            self._write_engine = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        else:
            self.engine = create_engine(self.url, pool_pre_ping=True)
            self._write_engine = self.engine
        _log_slow_queries(self.engine)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def notify_channel(self) -> str:
        """The LISTEN/NOTIFY channel of this database (one per schema, so schemas never cross-talk)."""
        if self._channel is None:
            from store.db.notify import channel_for, channel_of

            self._channel = channel_of(self.engine) if self.is_postgres else channel_for(None)
        return self._channel

    @property
    def label(self) -> str:
        """The database as a user names it: the SQLite file, or the server URL without password."""
        path = self.sqlite_path
        if path is not None:
            return str(path)
        return self.engine.url.set(query={}).render_as_string(hide_password=True)

    @property
    def sqlite_path(self) -> Path | None:
        return _sqlite_path(self.url)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A short read-only unit of work."""
        with Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One short write transaction that holds the write lock from its first statement.

        Waits (retrying with backoff) at most `lock_wait` seconds for the lock or a lost
        connection before the body runs; then raises DatabaseBusy. On PostgreSQL the tickets
        it touched are announced (NOTIFY) inside the same transaction, so listeners hear of a
        change exactly when it becomes visible.
        """
        with self._begin_write() as session:
            try:
                yield session
                if self.is_postgres:
                    from store.db import notify

                    notify.announce(session, self.notify_channel)
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def _begin_write(self) -> Session:
        """A session whose transaction has begun (BEGIN IMMEDIATE on SQLite: the lock is held)."""
        started = time.monotonic()
        deadline = started + self.lock_wait
        delay = _FIRST_BACKOFF
        while True:
            session = Session(self._write_engine, expire_on_commit=False)
            try:
                if self.is_postgres:
                    from store.db import notify

                    notify.track(session)
                session.connection()  # BEGIN IMMEDIATE now, not at the first statement
                return session
            except DBAPIError as exc:
                session.close()
                now = time.monotonic()
                if not _passing(exc):
                    raise
                if now + delay > deadline:
                    raise DatabaseBusy(now - started, exc, self.label) from exc
                time.sleep(delay)
                delay = min(delay * 2, _MAX_BACKOFF)
            except BaseException:
                session.close()
                raise

    def sync_sequences(self) -> None:
        """After rows were written with explicit ids (bulk loads), move PostgreSQL's id sequences
        past them, so the next ordinary insert gets a fresh id. Nothing to do on SQLite."""
        if not self.is_postgres:
            return
        from sqlmodel import SQLModel

        import store.models  # noqa: F401  (registers the tables)

        with self.engine.begin() as conn:
            for table in SQLModel.metadata.sorted_tables:
                column = table.c.get("id")
                if column is None or not column.autoincrement or not column.primary_key:
                    continue
                conn.exec_driver_sql(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM \"{table.name}\"), 0) + 1, false)")

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str | os.PathLike[str] | None = None, *, migrate: bool = True,
                  backup: bool = True, lock_wait: float | None = None) -> Database:
    """Open (and by default migrate) the database the user chose."""
    db = Database(os.fspath(url) if url else "", lock_wait=lock_wait)
    if migrate and not _schema_current(db):
        from store.db.migrate import upgrade

        upgrade(db, backup=backup)
    return db


def _schema_current(db: Database) -> bool:
    """The schema is at the migrations' head (checked without importing Alembic)."""
    from store.db.revision import is_current

    return is_current(db.engine)
