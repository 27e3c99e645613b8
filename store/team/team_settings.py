"""Settings of the whole team, kept in the database (`team_setting`), so that every console and
the CLI count the same way; the per-machine settings file holds only one person's choices.

One today: the repeat-contact window. Seed 003 counts a new ticket as a repeat contact when the
same customer comes back about the same problem; Shiftdesk reads that as "the same top-level
category, within the window after their previous ticket was solved" (default 7 days, 1 hour to
90 days). The facts already recorded carry the window they were computed with, so changing it
recomputes them all (store/rollups/rebuild.py `change_repeat_window`, in the same transaction).
"""

from __future__ import annotations

import re

from sqlalchemy import text
from sqlalchemy.engine import Connection

from store.rollups.metrics import REPEAT_WINDOW_SECONDS

REPEAT_WINDOW = "repeat_window_seconds"
MIN_WINDOW, MAX_WINDOW = 3600, 90 * 86400
_DURATION = re.compile(r"^\s*(\d{1,9})\s*(m|min|h|d)\s*$")
_UNIT = {"m": 60, "min": 60, "h": 3600, "d": 86400}


def parse_window(value: str) -> int:
    """`7d`, `36h` or `90m` as seconds, 1 hour to 90 days; ValueError names the field otherwise."""
    found = _DURATION.match(value or "")
    if found is None:
        raise ValueError(f"repeat window: {value!r} is not a duration; give days, hours or minutes (7d, 36h, 90m)")
    return check_window(int(found.group(1)) * _UNIT[found.group(2)])


def check_window(seconds: int) -> int:
    if not MIN_WINDOW <= seconds <= MAX_WINDOW:
        raise ValueError(f"repeat window: {format_window(seconds)} is outside 1 hour to 90 days")
    return seconds


def format_window(seconds: int) -> str:
    """The shortest exact way to write it: 7d, 36h, 90m (or seconds, which only the store can hold)."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def repeat_window(conn: Connection) -> int:
    """The team's repeat-contact window in seconds (the default when none was set)."""
    row = conn.execute(text("SELECT value FROM team_setting WHERE name = :n"), {"n": REPEAT_WINDOW}).first()
    return REPEAT_WINDOW_SECONDS if row is None else int(row[0])
