"""A SQLite demo built beside its target and moved into place only when complete.

`shiftdesk demo` writes for seconds to minutes (tickets, then indexes, rollups, ANALYZE). Built
in place, a kill in between left a file that opens but is half a database. Here it is built
in a temporary file in the target's folder (same file system, so the final os.replace is
atomic), its WAL folded in and synced, and then swapped in: at any moment the target is the
previous file (or absent) or the complete new one. A temporary left by a killed demo carries
the dead process's pid and is removed by the next demo.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

__all__ = ["DemoTargetBusy", "copy_into", "holds_tickets", "move_into_place", "remove_sqlite",
           "remove_stale_temps", "temp_path_for"]

TEMP_MARK = ".demo-"
SIDE_FILES = ("-wal", "-shm", "-journal")


class DemoTargetBusy(Exception):
    """Another process has the target open, so its WAL cannot be folded in before the swap."""


def holds_tickets(path: Path) -> bool | None:
    """True / False for a Shiftdesk file with / without tickets, None for a file that is not a
    Shiftdesk database (which the demo never replaces unless told to with --reset)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    except sqlite3.Error:
        return None
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if not tables:
            return False
        if "ticket" not in tables:
            return None
        return conn.execute("SELECT EXISTS (SELECT 1 FROM ticket)").fetchone()[0] == 1
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def temp_path_for(target: Path) -> Path:
    """Where the demo for `target` is built by this process."""
    return target.with_name(f".{target.name}{TEMP_MARK}{os.getpid()}.tmp")


def remove_sqlite(path: Path) -> None:
    """A database file and its side files."""
    for suffix in ("", *SIDE_FILES):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # an earlier process that had our pid left it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temps(target: Path) -> list[Path]:
    """Temporaries of demos for `target` whose process is gone; returns what was removed."""
    removed = []
    for stray in target.parent.glob(f".{target.name}{TEMP_MARK}*.tmp"):
        pid = stray.name.removesuffix(".tmp").rsplit("-", 1)[-1]
        if pid.isdigit() and _alive(int(pid)):
            continue
        remove_sqlite(stray)
        removed.append(stray)
    return removed


def copy_into(source: Path, dest: Path) -> None:
    """A consistent copy of a live file (the backup API copes with WAL and readers)."""
    src = sqlite3.connect(source, timeout=30)
    try:
        copy = sqlite3.connect(dest)
        try:
            src.backup(copy)
        finally:
            copy.close()
    finally:
        src.close()


def _fold_wal(path: Path) -> None:
    """Write the WAL back into the file, so the file alone is the whole database."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    finally:
        conn.close()
    if busy:
        raise DemoTargetBusy(str(path))
    wal = path.with_name(path.name + "-wal")
    if wal.exists() and wal.stat().st_size > 0:
        raise DemoTargetBusy(str(path))


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some file systems cannot sync a directory
        pass
    finally:
        os.close(fd)


def move_into_place(temp: Path, target: Path) -> None:
    """Swap the finished temporary in for the target, atomically.

    Both WALs are folded in first: the new file must be complete on its own, and the old
    file's WAL, which sits at the target's name, must not be read against the new file.
    """
    _fold_wal(temp)
    _fsync(temp)
    if target.exists():
        try:
            _fold_wal(target)
        except sqlite3.DatabaseError:  # not a database at all (replaced with --reset): no WAL to fold
            pass
    os.replace(temp, target)
    _fsync(target.parent)
    for suffix in SIDE_FILES:  # the old file's, empty after the fold; the temp's are gone
        for owner in (temp, target):
            side = owner.with_name(owner.name + suffix)
            if side.exists() and side.stat().st_size == 0:
                side.unlink()
