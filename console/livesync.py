"""Noticing other consoles' writes: a cheap change probe polled in a worker, plus a breach sweep.

On SQLite the probe is `PRAGMA data_version` on a connection of its own (it changes whenever
another connection commits), confirmed by the newest ticket, event, clock and audit ids so that
presence heartbeats alone reload nothing; elsewhere it is the newest event and audit ids, since every
ticket action writes an event. A poll never overlaps the previous one, and a change is
announced to the app as one `DatabaseChanged` message.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from store.db.reader import Reader

__all__ = ["SWEEP_BATCH", "ChangeProbe", "DatabaseChanged", "EventProbe", "LiveSync", "SqliteProbe"]

SWEEP_BATCH = 200  # breaches recorded per write transaction, so other consoles' writes never wait long


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


class DatabaseChanged(Message):
    """Someone (maybe this console) committed a change to the database."""


class LiveSync:
    """Polls a probe every `interval` seconds and sweeps breaches every `sweep_every` seconds."""

    def __init__(self, app: App, probe: ChangeProbe, *, interval: float = 1.0,
                 sweep: Callable[[], int] | None = None, sweep_every: float = 30.0) -> None:
        self.app = app
        self.probe = probe
        self.interval = interval
        self.sweep = sweep
        self.sweep_every = sweep_every
        self.polls = 0
        self._seen: object = None
        self._busy = False
        self._last_sweep = 0.0
        self._timer: Timer | None = None

    def start(self) -> None:
        """Take the baseline now (before any screen reads), then poll on the interval."""
        if self._timer is not None:
            return
        if isinstance(self.probe, SqliteProbe):
            self._seen = self.probe.version()  # microseconds: fine on the event loop
        else:
            self._poll()
        self._timer = self.app.set_interval(self.interval, self._poll, name="livesync")

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self.probe.close()

    def _poll(self) -> None:
        if self._busy:  # the previous poll is still running: skip, never overlap
            return
        self._busy = True
        self.app.run_worker(self._check, thread=True, group="livesync", exit_on_error=False, name="livesync")

    def _check(self) -> None:
        try:
            if self.sweep is not None and time.monotonic() - self._last_sweep >= self.sweep_every:
                self._last_sweep = time.monotonic()
                if self.sweep() >= SWEEP_BATCH:  # a backlog (a database left alone for a while)
                    self._last_sweep = 0.0  # next batch at the next poll, in its own short write
            seen = self.probe.version()
            self.polls += 1
            if self._seen is not None and seen != self._seen:
                self.app.post_message(DatabaseChanged())
            self._seen = seen
        finally:
            self._busy = False
