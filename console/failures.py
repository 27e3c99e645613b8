"""The one path a worker failure takes: tell the user in plain text, log the traceback, and let
the view that waited for the result show that it failed.

Workers raise; they never catch an exception only to report it. Worker.StateChanged does not
bubble in Textual, so each screen hands it on (`ReportsFailures`) to the app's one handler,
`ShiftdeskApp.on_worker_state_changed`, which calls `report`. What the user reads comes from
FAILURES, keyed by the worker's group: a domain error (store.errors) says its own message, a
locked database says so and to try again, anything else names what failed and the exception's
type. The text goes to `notify(markup=False)`, so nothing in an exception is read as markup.
A screen that shows a loading state defines `worker_failed(group, text)` to show the failure
there instead. Heartbeats and the live-sync poll are `quiet`: logged, never a toast every
second, since the next beat tries again anyway.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Protocol

from console.i18n import t
from console.sanitize import clean_line
from store.errors import ShiftdeskError

__all__ = ["FAILURES", "Failure", "FailureView", "ReportsFailures", "describe", "in_thread", "report", "report_error"]

log = logging.getLogger("shiftdesk")


@dataclass(frozen=True, slots=True)
class Failure:
    """What to tell the user when a worker of one group fails."""

    what: str  # catalogue key of the sentence, with an {error} field
    quiet: bool = False  # logged only


_QUIET = Failure("failure.background", quiet=True)

FAILURES: dict[str, Failure] = {
    "queue-load": Failure("failure.queue.load"),
    "queue-window": Failure("failure.queue.load"),
    "queue-detail": Failure("failure.queue.detail"),
    "queue-agents": Failure("failure.queue.agents"),
    "queue-jump": Failure("failure.queue.jump"),
    "queue-write": Failure("failure.queue.write"),
    "queue-presence": _QUIET,
    "composer-load": Failure("composer.error.load"),
    "composer-draft": Failure("composer.draft.failed"),
    "composer-leave": Failure("composer.draft.failed"),
    "composer-send": Failure("composer.error.send"),
    "composer-presence": _QUIET,
    "handover-save": Failure("handover.save_failed"),
    "handover-refresh": Failure("failure.handover.refresh"),
    "handover-doc": Failure("failure.handover.doc"),
    "handover-history": Failure("failure.handover.history"),
    "handover-open": Failure("failure.handover.open"),
    "handover-gate": Failure("failure.handover.open"),
    "panel-poll": Failure("panel.error"),
    "services": Failure("app.services_failed"),
    "livesync": _QUIET,
}
DEFAULT = Failure("failure.background")

# How a database that another connection holds locked says so (SQLite; PostgreSQL's lock_timeout).
_LOCKED = ("database is locked", "database table is locked", "lock timeout", "could not obtain lock")


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception, what it wraps (SQLAlchemy's `orig`) and what caused it."""
    seen: list[BaseException] = []
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or any(item is s for s in seen):
            continue
        seen.append(item)
        todo += [getattr(item, "orig", None), item.__cause__, item.__context__]
    return seen


def locked(exc: BaseException) -> bool:
    """True when the database was busy with another writer (try again in a moment)."""
    return any(marker in str(e).lower() for e in _chain(exc) for marker in _LOCKED)


def reason(exc: BaseException) -> str:
    """The part of the message that says why: a lock (another process holds the database: the
    action can be repeated), a domain error's own words, or the type."""
    from store.db.engine import DatabaseBusy

    if isinstance(exc, DatabaseBusy) or locked(exc):
        return t("failure.locked")
    if isinstance(exc, ShiftdeskError):
        return clean_line(str(exc))
    return type(exc).__name__


def describe(group: str | None, exc: BaseException) -> str:
    """The plain sentence shown to the user for a failure in this worker group."""
    return t(FAILURES.get(group or "", DEFAULT).what, error=reason(exc))


class FailureView(Protocol):
    def worker_failed(self, group: str, text: str) -> None:
        """Show, where the result would have gone, that it did not come."""


def report_error(app: Any, group: str | None, exc: BaseException, *, node: Any = None, name: str = "") -> None:
    """Log the traceback, tell the user (unless quiet) and let the waiting view show it."""
    entry = FAILURES.get(group or "", DEFAULT)
    log.error("worker %s (group %s) failed", name or "?", group or "-",
              exc_info=(type(exc), exc, exc.__traceback__))
    if entry.quiet:
        return
    text = describe(group, exc)
    app.notify(text, severity="error", timeout=10, markup=False)
    view = _view_of(node)
    if view is not None:
        view.worker_failed(group or "", text)


def report(app: Any, worker: Any) -> None:
    """A worker ended in error (called by the app's Worker.StateChanged handler)."""
    error = worker.error
    if error is None:
        return
    report_error(app, worker.group, error, node=worker.node, name=worker.name)


def _view_of(node: Any) -> FailureView | None:
    """The node that started the worker if it can show a failure, else its screen (none for the app)."""
    from textual.app import App

    if node is None or isinstance(node, App):
        return None
    for candidate in (node, getattr(node, "screen", None)):
        if callable(getattr(candidate, "worker_failed", None)):
            return candidate  # type: ignore[return-value]
    return None


class ReportsFailures:
    """Mixed into every screen that runs workers: hands Worker.StateChanged (which does not bubble)
    to the app's one handler."""

    app: Any

    def on_worker_state_changed(self, event: Any) -> None:
        handler = getattr(self.app, "on_worker_state_changed", None)
        if callable(handler):
            handler(event)


def in_thread(name: str, job: Any, *args: Any) -> None:
    """Fire and forget `job(*args)` in a thread of its own (an unmount handler's last write, which
    must not run on the event loop and may outlive the app); a failure is logged."""
    import threading

    def run() -> None:
        try:
            job(*args)
        except Exception:
            log.exception("%s failed", name)

    threading.Thread(target=run, name=name, daemon=False).start()
