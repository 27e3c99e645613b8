"""What the console needs before its first paint, found without importing SQLAlchemy.

On an existing SQLite file the agent is looked up with the standard library's sqlite3 and the
queue paints from it at once; the full services (SQLModel, migrations, defaults) come up in a
worker right after. Anything else (a new file, PostgreSQL) takes the full path up front.
"""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from console.context import CliState
from store.clock import Clock, get_clock
from store.db.reader import sqlite_path_for
from store.errors import UnknownAgent

if TYPE_CHECKING:
    from console.services import Services

__all__ = ["FIRST_WINDOW", "Boot", "prefetch_first_window", "quick_boot"]

FIRST_WINDOW = 100  # rows read before the first paint (widgets.queue_table.QueueTable.BLOCK)


@dataclass(frozen=True)
class Boot:
    """Who is acting, on which database, by which clock: enough to paint the queue."""

    state: CliState
    lang: str
    clock: Clock
    agent_id: int
    agent_name: str
    agent_label: str
    agent_role: str
    sqlite_path: Path | None
    # The queue's first window, read while the UI starts (see prefetch_first_window).
    first_window: Future | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_services(cls, services: Services) -> Boot:
        agent = services.agent
        return cls(state=services.state, lang=services.lang, clock=services.clock, agent_id=agent.id,
                   agent_name=agent.name, agent_label=agent.label, agent_role=agent.role,
                   sqlite_path=services.db.sqlite_path)


def quick_boot(state: CliState, *, clock: Clock | None = None) -> Boot | None:
    """A Boot for an existing, migrated SQLite file, or None when the full start-up is needed.

    Raises UnknownAgent (listing who exists) when the acting name is not an active agent.
    """
    from console.i18n import detect_language, set_language

    path = sqlite_path_for(state.db_url)
    if path is None or not path.is_file() or path.stat().st_size == 0:
        return None
    lang = detect_language(state.lang)
    set_language(lang)
    name = state.agent_name()
    try:
        conn = sqlite3.connect(path, timeout=30)
    except sqlite3.Error:
        return None
    try:
        conn.execute("PRAGMA query_only=ON")
        if conn.execute("SELECT version_num FROM alembic_version").fetchone() is None:
            return None
        row = conn.execute(
            "SELECT id, name, display_name, role FROM agent WHERE name = ? AND active", (name,)
        ).fetchone()
        if row is None:
            known = [r[0] for r in conn.execute("SELECT name FROM agent WHERE active ORDER BY name")]
            raise UnknownAgent(name, known)
    except sqlite3.Error:
        return None
    finally:
        conn.close()
    return Boot(state=state, lang=lang, clock=clock or get_clock(), agent_id=row[0], agent_name=row[1],
                agent_label=row[2] or row[1], agent_role=row[3], sqlite_path=path)


def prefetch_first_window(boot: Boot) -> Boot:
    """Start reading the default view's count and first rows in a thread, right away.

    The read overlaps with Textual starting up (imports, CSS, layout); the queue screen takes the
    result instead of asking again. Returns the boot carrying the future.
    """
    if boot.sqlite_path is None:
        return boot
    result: Future = Future()
    path, agent_id, clock = boot.sqlite_path, boot.agent_id, boot.clock

    def read() -> None:
        try:
            import console.sanitize as clean
            from store.db.reader import SqliteReader
            from store.tickets import queue

            q = queue.QueueQuery(agent_id=agent_id)
            now = clock.now()
            reader = SqliteReader(path)
            try:
                with reader.read() as conn:
                    total = queue.count(q, conn=conn, now=now)
                    rows = queue.window(q, 0, FIRST_WINDOW, conn=conn, now=now, clean=clean)
            finally:
                reader.close()
            result.set_result((q, total, rows))
        except BaseException as exc:  # the screen then reads the normal way
            result.set_exception(exc)

    threading.Thread(target=read, name="queue-prefetch", daemon=True).start()
    return replace(boot, first_window=result)
