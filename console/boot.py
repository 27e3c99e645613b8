"""What the console needs before its first paint, found without importing SQLAlchemy.

On an existing SQLite file the agent is looked up through the store's SQLAlchemy-free reader
(store/team/roster.py) and the queue paints from it at once; the full services (SQLModel, migrations, defaults) come up in a
worker right after. Anything else (a new file, PostgreSQL) takes the full path up front.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from console.context import CliState
from store.clock import Clock, get_clock
from store.db.reader import sqlite_path_for

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
    team_zone: str | None = None  # the agent's team's zone (console/zone.py: the setting beats it)
    # The queue's first window, read while the UI starts (see prefetch_first_window).
    first_window: Future | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_services(cls, services: Services) -> Boot:
        agent = services.agent
        return cls(state=services.state, lang=services.lang, clock=services.clock, agent_id=agent.id,
                   agent_name=agent.name, agent_label=agent.label, agent_role=agent.role,
                   sqlite_path=services.db.sqlite_path, team_zone=services.team_zone)


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
    from store.team.roster import boot_member

    member = boot_member(path, state.agent_name())
    if member is None:
        return None
    return Boot(state=state, lang=lang, clock=clock or get_clock(), agent_id=member.id, agent_name=member.name,
                agent_label=member.label, agent_role=member.role, sqlite_path=path, team_zone=member.team_zone)


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
            from store.tickets import queue

            q = queue.QueueQuery(agent_id=agent_id)
            total, rows = queue.first_window(path, q, FIRST_WINDOW, now=clock.now(), clean=clean)
            result.set_result((q, total, rows))
        except BaseException as exc:  # the screen then reads the normal way
            result.set_exception(exc)

    threading.Thread(target=read, name="queue-prefetch", daemon=True).start()
    return replace(boot, first_window=result)
