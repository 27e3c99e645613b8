"""Cheap probes that tell whether another connection committed a change (console live sync).

On SQLite, `PRAGMA data_version` on a connection of its own (it moves whenever another
connection commits), confirmed by the newest ticket, event, clock and audit ids so that
presence heartbeats alone announce nothing. On PostgreSQL, the NOTIFY every write sends
(LISTEN: no query per poll; store/db/notify.py). Anything else: the newest event and audit ids,
since every ticket action writes an event. Each probe is called from a worker thread.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from store.db.reader import Reader

__all__ = ["CONTENT_MARK", "ChangeProbe", "EventProbe", "SqliteProbe", "probe_for"]


class ChangeProbe(Protocol):
    def version(self) -> object:
        """A value that differs after any other connection committed a change."""

    def close(self) -> None: ...


# The newest row of each table the queue shows (rowid maxima: a few page reads). Presence
# heartbeats move data_version every few seconds on every console but none of these.
CONTENT_MARK = ("SELECT (SELECT max(id) FROM ticket), (SELECT max(id) FROM ticket_event), "
                "(SELECT max(id) FROM sla_clock), (SELECT max(id) FROM audit)")


class SqliteProbe:
    """`PRAGMA data_version` on a private connection (microseconds, reads no table); only when it
    moved, the content mark, so a commit that only touched presence announces nothing."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn: sqlite3.Connection | None = None
        self._lock = threading.Lock()
        self._data_version: object = None
        self._mark: object = None

    def version(self) -> object:
        with self._lock:
            if self._conn is None:
                self._conn = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                             check_same_thread=False)
            data_version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if self._mark is None or data_version != self._data_version:
                self._data_version = data_version
                self._mark = tuple(self._conn.execute(CONTENT_MARK).fetchone())
            return self._mark

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
                self._data_version = self._mark = None


class EventProbe:
    """For databases without data_version: on PostgreSQL the NOTIFY every write sends (LISTEN,
    no query per poll, catch-up after a reconnect: store/db/notify.py); else the newest ids."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.listening = None
        if reader.dialect == "postgresql":
            from store.db.notify import NotifyProbe

            self.listening = NotifyProbe(reader.engine)  # type: ignore[attr-defined]

    def version(self) -> object:
        if self.listening is not None:
            return self.listening.version()
        with self.reader.read() as conn:
            return (conn.scalar("SELECT max(id) FROM ticket_event"), conn.scalar("SELECT max(id) FROM audit"))

    def close(self) -> None:
        if self.listening is not None:
            self.listening.close()


def probe_for(sqlite_path: str | Path | None, reader: Reader) -> ChangeProbe:
    """The cheapest probe for this database: data_version on a SQLite file, else events/NOTIFY."""
    return SqliteProbe(sqlite_path) if sqlite_path else EventProbe(reader)
