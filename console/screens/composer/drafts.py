"""The composer's draft book-keeping: what the database holds, and one lock for saves and the send.

Saves and the send run in worker threads and take the same lock, in the order they were
started; once the reply is sent no save runs again, so a late autosave can never bring back
the draft that sending deleted.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

from console.failures import in_thread
from console.screens.composer.work import Snapshot, save_snapshot, send_snapshot
from console.services import Services
from store.replies.drafts import SentReply

__all__ = ["DraftKeeper"]


class DraftKeeper:
    """The state of one reply's draft; `left` once the composer is gone (nothing saves after)."""

    def __init__(self, ticket_id: int) -> None:
        self.ticket_id = ticket_id
        self.saved = Snapshot()  # what the database holds
        self.saving: Snapshot | None = None  # handed to a worker, not confirmed yet
        self.lock = threading.Lock()
        self.sent = False  # guarded by lock
        self.left = False

    def needs_save(self, snapshot: Snapshot) -> bool:
        return not self.left and snapshot != self.saved and snapshot != self.saving

    def save(self, services: Services, snapshot: Snapshot) -> bool:
        """In a worker: store the snapshot unless the reply went out meanwhile."""
        with self.lock:
            if self.sent:
                return False
            save_snapshot(services, self.ticket_id, snapshot)
            return True

    def confirmed(self, snapshot: Snapshot) -> None:
        self.saved = snapshot
        if self.saving == snapshot:
            self.saving = None

    def send(self, services: Services, body: str, template_key: str, status: str | None,
             version: int) -> SentReply:
        """In a worker: send (raises StaleVersion and the like with nothing written)."""
        with self.lock:
            sent = send_snapshot(services, self.ticket_id, body, template_key, set_status=status,
                                 expected_version=version)
            self.sent = True
            return sent

    def leave(self, app: Any, services: Services, snapshot: Snapshot) -> None:
        """Save what is unsaved in a worker of the app, which outlives the screen."""
        if self.left:
            return
        self.left = True
        if snapshot == self.saved:
            return

        # On the app (it outlives the screen): a failure reaches console/failures.py from there.
        app.run_worker(partial(self.save, services, snapshot), thread=True, group="composer-leave",
                       exit_on_error=False)

    def save_now(self, services: Services, snapshot: Snapshot) -> None:
        """The app is quitting with the composer open: save once, in a thread of its own (never on
        the event loop; the process waits for it). A failure is logged: nowhere left to show it."""
        if self.left or self.sent or snapshot == self.saved:
            return
        self.left = True
        in_thread("composer-last-save", self.save, services, snapshot)
