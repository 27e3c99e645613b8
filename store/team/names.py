"""How people are named on screens and in exports: the display name, with the login beside it
where two agents share that display name ("陳雅婷 (amy)"), so a history line, an audit row or a
handover always reads as one person and never as an id.

Reads through a `ReadUnit` (store/db/reader.py; `session_unit` wraps a Session), so the queue's
SQLAlchemy-free reader and the SQLModel paths name people the same way.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from store.db.reader import ReadUnit

__all__ = ["PERSON_FIELDS", "labels", "person_labels"]

# Audit fields whose values are agent ids, and the name the field is shown under.
PERSON_FIELDS = {"assignee_id": "assignee", "author_id": "author", "acknowledged_by": "acknowledged_by"}


def labels(rows: Iterable[tuple[int, str | None, str | None]]) -> dict[int, str]:
    """id -> how the person is named, from (id, login, display name) rows of the whole team.

    The display name (the login where it is empty); where two agents share a display name each
    carries its login in brackets. Ids only label, never decide anything.
    """
    people = [(agent_id, login or "", (display or "").strip() or (login or "")) for agent_id, login, display in rows]
    counts = Counter(shown for _id, _login, shown in people)
    return {agent_id: (f"{shown} ({login})" if counts[shown] > 1 and login != shown else shown)
            for agent_id, login, shown in people}


def person_labels(conn: ReadUnit) -> dict[int, str]:
    """Every agent's label (active or not: history names people who have left too)."""
    return labels(conn.all("SELECT id, name, display_name FROM agent"))
