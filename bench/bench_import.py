"""Import at scale, beside the plain-sqlite3 floor measured in the same run.

    .venv/bin/python bench/bench_import.py [--tickets 10000] [--keep DIR]

Writes a generic JSON Lines file of N tickets, four records each (ticket, customer message,
agent reply, solved status: 4N lines, times in the last 20 days), then in the same run:

* import   `shiftdesk import FILE` into a fresh `shiftdesk init` database (a process of its own,
           wall time, peak memory from the child's rusage), then `shiftdesk db check`
* again    the same file imported a second time (must add nothing, and take no longer)
* floor    plain sqlite3: parse the same file with `json.loads` and `executemany` one row per
           record into a table of the same shape, in one transaction

Budgets (issue 19): 10,000 tickets under 3 s, 100,000 under 30 s, or at least a quarter of the
floor's speed (import time at most 4x the floor).

With --ingest N: N lines (N/4 tickets) piped into `shiftdesk ingest` at once, beside plain
sqlite3 committing one row per line (WAL, synchronous=NORMAL, as Shiftdesk opens SQLite).
Budget: at least 1,000 lines a second.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIFTDESK = Path(sys.executable).with_name("shiftdesk")
BUDGETS = {10_000: 3.0, 100_000: 30.0}
SUBJECTS = ("退款申請", "出貨延遲", "Cannot log in", "發票抬頭開錯", "Order missing", "會員點數不見了")


def write_file(path: Path, tickets: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    lines = 0
    with path.open("w", encoding="utf-8") as out:
        for i in range(tickets):
            created = now - timedelta(seconds=rng.randrange(20 * 86400))
            ext = f"b-{i}"
            records = [
                {"type": "ticket", "external_id": ext, "created_at": created.isoformat(),
                 "subject": rng.choice(SUBJECTS), "body": f"第 {i} 號訂單的問題",
                 "customer": {"external_id": f"c-{i % (tickets // 3 + 1)}", "name": f"客戶 {i % 997}",
                              "contact": f"c{i}@example.com"},
                 "channel": rng.choice(("email", "chat", "web")), "priority": rng.choice(("high", "normal", "low"))},
                {"type": "message", "external_id": ext, "at": (created + timedelta(minutes=5)).isoformat(),
                 "body": "請問進度如何？", "message_id": f"m-{i}"},
                {"type": "message", "external_id": ext, "at": (created + timedelta(minutes=40)).isoformat(),
                 "body": "已為您處理", "author": "agent", "agent": "amy", "message_id": f"r-{i}"},
                {"type": "status", "external_id": ext, "at": (created + timedelta(hours=2)).isoformat(),
                 "status": "solved"},
            ]
            for record in records:
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                lines += 1
    return lines


def floor(path: Path, db: Path) -> float:
    """Parse every line and insert one row per record with executemany, in one transaction."""
    started = time.perf_counter()
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE record (id INTEGER PRIMARY KEY, external_id TEXT, kind TEXT, at TEXT, "
                 "subject TEXT, body TEXT, data TEXT)")
    rows = []
    with path.open(encoding="utf-8") as source:
        for line in source:
            r = json.loads(line)
            rows.append((r["external_id"], r["type"], r.get("at") or r.get("created_at"), r.get("subject"),
                         r.get("body"), json.dumps(r.get("customer") or {}, ensure_ascii=False)))
    conn.executemany("INSERT INTO record (external_id, kind, at, subject, body, data) VALUES (?, ?, ?, ?, ?, ?)",
                     rows)
    conn.commit()
    conn.close()
    return time.perf_counter() - started


def ingest_floor(path: Path, db: Path) -> float:
    """One parsed line, one insert, one commit: what per-line commits cost done plainly."""
    started = time.perf_counter()
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE record (id INTEGER PRIMARY KEY, external_id TEXT, kind TEXT, body TEXT)")
    with path.open(encoding="utf-8") as source:
        for line in source:
            r = json.loads(line)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO record (external_id, kind, body) VALUES (?, ?, ?)",
                         (r["external_id"], r["type"], r.get("body")))
            conn.execute("COMMIT")
    conn.close()
    return time.perf_counter() - started


def bench_ingest(work: Path, lines_wanted: int) -> bool:
    source, db = work / "ingest.jsonl", work / "ingest.db"
    lines = write_file(source, max(1, lines_wanted // 4))
    subprocess.run([str(SHIFTDESK), "--db", str(db), "init"], check=True, capture_output=True)
    subprocess.run([str(SHIFTDESK), "--db", str(db), "agents", "add", "amy", "--role", "supervisor"],
                   check=True, capture_output=True)
    base = ingest_floor(source, work / "ingest-floor.db")
    started = time.perf_counter()
    with source.open("rb") as stdin:
        out = subprocess.run([str(SHIFTDESK), "--db", str(db), "--as", "amy", "ingest"], stdin=stdin,
                             capture_output=True, text=True, env={**os.environ, "SHIFTDESK_LANG": "en"})
    took = time.perf_counter() - started
    if out.returncode != 0:
        raise SystemExit(f"ingest failed:\n{out.stderr}")
    rate, floor_rate = lines / took, lines / base
    ok = rate >= 1000
    print(f"ingest {lines:,} lines: {rate:,.0f} lines/s ({took:.2f} s, process start included; floor "
          f"{floor_rate:,.0f} lines/s committing each line, ratio {rate / floor_rate:.2f}; budget 1,000 lines/s) "
          f"{'ok' if ok else 'OVER'}")
    return ok


def shiftdesk(*args: str) -> tuple[float, int, str]:
    """Wall seconds, the child's peak RSS in MiB, and its output."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    out = subprocess.run([str(SHIFTDESK), "--as", "amy", *args], capture_output=True, text=True,
                         env={**os.environ, "SHIFTDESK_LANG": "en"})
    took = time.perf_counter() - started
    if out.returncode != 0:
        raise SystemExit(f"shiftdesk {' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return took, max(peak, before) // 1024, out.stdout + out.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, nargs="+", default=[10_000])
    parser.add_argument("--keep", type=Path, help="a folder to keep the files in")
    parser.add_argument("--ingest", type=int, default=8000, help="lines for the ingest figure (0: skip it)")
    args = parser.parse_args()
    failed = 0
    with tempfile.TemporaryDirectory(dir=args.keep) as tmp:
        work = Path(tmp)
        if args.ingest:
            failed += not bench_ingest(work, args.ingest)
        for n in args.tickets:
            source, db = work / f"tickets-{n}.jsonl", work / f"import-{n}.db"
            lines = write_file(source, n)
            subprocess.run([str(SHIFTDESK), "--db", str(db), "init"], check=True, capture_output=True)
            subprocess.run([str(SHIFTDESK), "--db", str(db), "agents", "add", "amy", "--role", "supervisor"],
                           check=True, capture_output=True)
            base = floor(source, work / f"floor-{n}.db")
            took, peak, _ = shiftdesk("--db", str(db), "import", str(source))
            again, _, said = shiftdesk("--db", str(db), "import", str(source))
            check, _, _ = shiftdesk("--db", str(db), "db", "check")
            load = os.getloadavg()
            budget = BUDGETS.get(n, 30.0 * n / 100_000)
            ok = took <= budget or took <= 4 * base
            failed += not ok
            print(f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} cores")
            print(f"{n:,} tickets ({lines:,} lines): import {took:.2f} s ({n / took:,.0f} tickets/s, "
                  f"{took / base:.1f}x the floor's {base:.2f} s; budget {budget:.1f} s or 4x the floor) "
                  f"{'ok' if ok else 'OVER'}; peak memory {peak} MiB")
            print(f"  re-import {again:.2f} s ({again / took:.2f}x the first; "
                  f"{'nothing added' if 'nothing' in said.lower() or ' 0 ' in said else said.strip()[:120]}); "
                  f"db check {check:.2f} s, agrees")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
