"""Noticing other consoles' writes: a cheap change probe (store/db/changes.py) polled in a worker,
plus a breach sweep. A poll never overlaps the previous one, and a change is announced to the
app as one `DatabaseChanged` message.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App
    from textual.timer import Timer

    from store.db.changes import ChangeProbe

__all__ = ["SWEEP_BATCH", "DatabaseChanged", "LiveSync"]

SWEEP_BATCH = 200  # breaches recorded per write transaction, so other consoles' writes never wait long


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
        """Take the baseline at once (in a worker: no database work on the event loop), then poll
        on the interval."""
        if self._timer is not None:
            return
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
