"""`shiftdesk demo` is atomic: killed at any moment, it leaves no database or a complete one.

A complete one opens, passes SQLite's integrity check, has every index a migrated file has,
and its report counts every ticket (the report reads the rollups, built last). A half-built
file (missing indexes, rollups saying 0 received of thousands) fails these checks.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

SHIFTDESK = Path(sys.executable).with_name("shiftdesk")
TICKETS, HISTORY, DAYS = 1000, 1500, 7
KILLS = 8


def demo(target: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([str(SHIFTDESK), "--as", "chief", "demo", "--db", str(target), "--no-open",
                             "--tickets", str(TICKETS), "--history", str(HISTORY), "--days", str(DAYS), *extra],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "SHIFTDESK_LANG": "en"})


def indexes(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index' AND sql IS NOT NULL")}
    finally:
        conn.close()


def received(path: Path) -> int:
    since = (date.today() - timedelta(days=DAYS + 3)).isoformat()
    out = subprocess.run([str(SHIFTDESK), "--db", str(path), "--as", "chief", "report", "--format", "json",
                          "--from", since], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["totals"]["received"]


def assert_complete(path: Path, expected_indexes: set[str]) -> None:
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM ticket").fetchone()[0] == TICKETS + HISTORY
        assert conn.execute("SELECT count(*) FROM ticket WHERE is_open").fetchone()[0] == TICKETS
    finally:
        conn.close()
    assert expected_indexes <= indexes(path)
    assert received(path) == TICKETS + HISTORY


@pytest.fixture
def migrated_indexes(tmp_path) -> set[str]:
    from store.db.engine import open_database

    db = open_database(tmp_path / "fresh.db")
    db.dispose()
    names = indexes(tmp_path / "fresh.db")
    assert len(names) > 5  # the queue's, the clocks', the events' ...
    return names


@pytest.mark.slow
def test_a_finished_demo_is_complete_and_leaves_no_temporary(tmp_path, migrated_indexes):
    target = tmp_path / "demo.db"
    proc = demo(target)
    assert proc.wait(300) == 0, proc.stderr.read() if proc.stderr else ""
    assert_complete(target, migrated_indexes)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


@pytest.mark.slow
def test_demo_killed_at_random_moments_leaves_no_database_or_a_complete_one(tmp_path, migrated_indexes):
    target = tmp_path / "demo.db"
    started = time.monotonic()
    first = demo(tmp_path / "timing.db")
    assert first.wait(300) == 0
    full = time.monotonic() - started
    rng = random.Random()
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    outcomes = []
    for attempt in range(KILLS):
        had = target.exists()
        proc = demo(target, *(["--reset"] if had else []))
        moment = rng.uniform(0.2, full * 1.1)
        time.sleep(moment)
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        if target.exists():
            assert_complete(target, migrated_indexes)
        else:
            assert not had, f"kill {attempt} at {moment:.1f} s (seed {seed}) lost the previous database"
            assert not (tmp_path / "demo.db-wal").exists()
        outcomes.append((round(moment, 1), finished, target.exists()))
    # The next demo clears the temporaries the killed ones left.
    proc = demo(target, "--reset")
    assert proc.wait(300) == 0
    assert_complete(target, migrated_indexes)
    assert [p.name for p in tmp_path.iterdir() if ".demo-" in p.name] == [], outcomes
