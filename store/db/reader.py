"""Read-only SQL for the hot paths (queue, detail, change polling).

A SQLite file is read through the standard library's sqlite3, so the console paints its first
rows without importing SQLAlchemy or SQLModel; any other database (PostgreSQL) goes through a
SQLAlchemy engine. Both speak the same SQL with `:name` parameters, and both give a
consistent snapshot for the length of one `read()` block.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "EngineReader",
    "ReadUnit",
    "Reader",
    "SqliteReader",
    "in_params",
    "parse_dt",
    "parse_json",
    "reader_for",
    "session_unit",
    "sqlite_path_for",
]

ENV_VAR = "SHIFTDESK_DB"  # the same variable store.db.engine reads
BUSY_TIMEOUT_MS = 30_000
Params = Mapping[str, Any]


class ReadUnit(Protocol):
    """One consistent read: run statements, get plain tuples back."""

    dialect: str

    def all(self, sql: str, params: Params | None = None) -> list[tuple]: ...

    def one(self, sql: str, params: Params | None = None) -> tuple | None: ...

    def scalar(self, sql: str, params: Params | None = None) -> Any: ...


class Reader(Protocol):
    """Opens read units; safe to share between threads."""

    dialect: str

    def read(self) -> Any:  # a context manager yielding a ReadUnit
        ...

    def close(self) -> None: ...


# -- values coming back ------------------------------------------------------------------------


def parse_dt(value: object) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (SQLite hands back naive UTC text)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    parsed = datetime.fromisoformat(str(value))
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_json(value: object) -> dict:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        return value
    try:
        loaded = json.loads(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def in_params(prefix: str, values: Sequence[object]) -> tuple[str, dict[str, object]]:
    """Placeholders and parameters for `col IN (...)`, portable across drivers."""
    names = [f"{prefix}{i}" for i in range(len(values))]
    return ", ".join(f":{n}" for n in names), dict(zip(names, values, strict=True))


# -- SQLite through the standard library --------------------------------------------------------


class _SqliteUnit:
    dialect = "sqlite"

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def all(self, sql: str, params: Params | None = None) -> list[tuple]:
        return self._conn.execute(sql, dict(params or {})).fetchall()

    def one(self, sql: str, params: Params | None = None) -> tuple | None:
        return self._conn.execute(sql, dict(params or {})).fetchone()

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        row = self.one(sql, params)
        return None if row is None else row[0]


class SqliteReader:
    """Reads a SQLite file with one connection per thread, each read in its own snapshot."""

    dialect = "sqlite"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[tuple[sqlite3.Connection, threading.Lock]] = []
        self._lock = threading.Lock()
        self._generation = 0  # bumped by close(): connections of an older generation are gone

    def connect(self) -> sqlite3.Connection:
        """A fresh read-only connection (callers that poll keep their own)."""
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                               check_same_thread=False)
        conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        conn.execute("PRAGMA query_only=ON")
        return conn

    def _conn(self) -> tuple[sqlite3.Connection, threading.Lock, int]:
        held = getattr(self._local, "held", None)
        if held is None or held[2] != self._generation:
            conn, busy = self.connect(), threading.Lock()
            with self._lock:
                self._all.append((conn, busy))
                held = (conn, busy, self._generation)
            self._local.held = held
        return held

    @contextmanager
    def read(self) -> Iterator[ReadUnit]:
        while True:
            conn, busy, generation = self._conn()
            busy.acquire()  # close() waits for a read in flight instead of pulling the connection away
            if generation == self._generation:
                break
            busy.release()  # closed meanwhile: connect again
        try:
            conn.execute("BEGIN")
            try:
                yield _SqliteUnit(conn)
            finally:
                conn.execute("ROLLBACK")
        finally:
            busy.release()

    def close(self) -> None:
        """Close every connection, each once its current read is done (later reads reconnect)."""
        with self._lock:
            held, self._all = self._all, []
            self._generation += 1
        for conn, busy in held:
            with busy:
                conn.close()


# -- anything else through SQLAlchemy -----------------------------------------------------------


class _SqlAlchemyUnit:
    def __init__(self, conn: Any) -> None:
        from sqlalchemy import text

        self._conn = conn
        self._text = text
        self.dialect = conn.dialect.name

    def all(self, sql: str, params: Params | None = None) -> list[tuple]:
        return [tuple(r) for r in self._conn.execute(self._text(sql), dict(params or {})).all()]

    def one(self, sql: str, params: Params | None = None) -> tuple | None:
        row = self._conn.execute(self._text(sql), dict(params or {})).first()
        return None if row is None else tuple(row)

    def scalar(self, sql: str, params: Params | None = None) -> Any:
        return self._conn.execute(self._text(sql), dict(params or {})).scalar()


class EngineReader:
    """Reads through a SQLAlchemy engine (PostgreSQL, or SQLite when one is handed in)."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name

    @contextmanager
    def read(self) -> Iterator[ReadUnit]:
        with self.engine.connect() as conn:
            if self.dialect == "postgresql":
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            try:
                yield _SqlAlchemyUnit(conn)
            finally:
                conn.rollback()

    def close(self) -> None:
        """The engine belongs to its Database, which disposes of it."""


def session_unit(session: Any) -> ReadUnit:
    """A read unit over a Session you already hold (sees that session's own uncommitted writes)."""
    return _SqlAlchemyUnit(session.connection())


# -- which reader ---------------------------------------------------------------------------------


def sqlite_path_for(url: str | os.PathLike[str] | None) -> Path | None:
    """The SQLite file a --db value names, resolved as store.db.engine.resolve_url does; None otherwise."""
    chosen = os.fspath(url) if url else (os.environ.get(ENV_VAR) or "")
    if not chosen:
        import platformdirs

        return platformdirs.user_data_path("shiftdesk") / "shiftdesk.db"
    if "://" not in chosen:
        return Path(chosen).expanduser()
    scheme, rest = chosen.split("://", 1)
    if scheme.split("+")[0] != "sqlite":
        return None
    rest = rest.split("?", 1)[0]
    path = rest[1:] if rest.startswith("/") else rest
    if not path or path == ":memory:":
        return None
    return Path(path)


def reader_for(database: Any) -> Reader:
    """The fastest reader for a store.db.engine.Database."""
    path = database.sqlite_path
    if path is not None:
        return SqliteReader(path)
    return EngineReader(database.engine)
