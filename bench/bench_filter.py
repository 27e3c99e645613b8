"""Filter as you type: what one keystroke costs the database, beside the filter it replaced.

    .venv/bin/python bench/bench_filter.py [--db bench/.data/bench.db] [--db10k bench/.data/bench10k.db]

For each database and term, in the same run:

* ours      `store.tickets.queue.page`: count, window (100-row blocks around the cursor, 45 rows
            either side) and cursor position in one statement over the open tickets' text index,
            then the rows of that window, as the queue's load worker reads them
* baseline  the filter as it was before migration 0011: `LIKE '%term%'` on the subject and on
            every customer ever stored, run for the count, the cursor position and the window

Each figure is the best of --runs calls after one warm-up call (the least disturbed on a shared
machine; the baseline is timed the same way), on one connection (as the console's reader keeps one). The budget is issue 19's: under 50 ms from keystroke to result at
100k open tickets, flat from 10k, Latin and CJK terms, one or two CJK characters included. The
figure here is the database's share of that; the console adds one message and a table refresh.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BUDGET = 0.050
REACH, BLOCK = 45, 100  # a 45-row screen, the queue table's block (widgets.queue_table.QueueTable.BLOCK)
TERMS = ("password", "機器人", "發票", "退", "ab", "#{open_id}", "zzqx")


def _old_where(term: str) -> tuple[str, dict[str, object]]:
    """The filter before migration 0011 (store/tickets/queue.py at main 5a57ac0), kept here as the baseline."""
    pattern = "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    options = ["t.subject LIKE :pattern ESCAPE '\\'",
               "t.customer_id IN (SELECT cf.id FROM customer cf WHERE cf.name LIKE :pattern ESCAPE '\\')"]
    params: dict[str, object] = {"is_open": True, "pattern": pattern}
    digits = term.removeprefix("#")
    if digits.isdigit() and len(digits) < 19:
        options.append("t.id = :ticket_id")
        params["ticket_id"] = int(digits)
    return "t.is_open = :is_open AND (" + " OR ".join(options) + ")", params


def baseline(conn, term: str, anchor: int) -> int:
    """count, position and window as three statements, the way the console ran them per keystroke."""
    from store.tickets import queue

    where, params = _old_where(term)
    hint = "INDEXED BY ix_ticket_queue"
    total = conn.scalar(f"SELECT count(*) FROM ticket t WHERE {where}", params)
    key = conn.one(f"SELECT t.priority_rank, t.due_key, t.id FROM ticket t WHERE t.id = :anchor AND {where}",
                   {**params, "anchor": anchor})
    if key is not None:
        conn.scalar(f"SELECT count(*) FROM ticket t {hint} WHERE {where} AND "
                    "(t.priority_rank, t.due_key, t.id) < (:a, :b, :c)", {**params, "a": key[0], "b": key[1], "c": key[2]})
    ids = [r[0] for r in conn.all(f"SELECT t.id FROM ticket t {hint} WHERE {where} "
                                  "ORDER BY t.priority_rank, t.due_key, t.id LIMIT :limit OFFSET 0",
                                  {**params, "limit": REACH + BLOCK})]
    import console.sanitize as clean

    queue.ticket_rows(ids, conn=conn, clean=clean)
    return int(total or 0)


def ours(conn, term: str, anchor: int) -> int:
    import console.sanitize as clean
    from store.tickets import queue

    got = queue.page(queue.QueueQuery(text=term), anchor=anchor, fallback=0, reach=REACH, block=BLOCK, conn=conn,
                     now=datetime.now(UTC), clean=clean)
    return got.total


def timed(fn, runs: int) -> tuple[float, int]:
    fn()
    times, found = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        found = fn()
        times.append(time.perf_counter() - started)
    return min(times), found


def measure(db: str, runs: int, skip_baseline: bool) -> list[tuple[str, float, float | None, int]]:
    from store.db.engine import open_database
    from store.db.reader import SqliteReader

    open_database(db, backup=False).dispose()  # the current schema first: no migration inside a figure
    reader = SqliteReader(db)
    out = []
    with reader.read() as conn:
        open_id = conn.scalar("SELECT max(id) FROM ticket WHERE is_open")
        anchor = conn.scalar("SELECT min(id) FROM ticket WHERE is_open")
        for raw in TERMS:
            term = raw.format(open_id=open_id)
            mine, found = timed(lambda t=term: ours(conn, t, anchor), runs)
            theirs = None if skip_baseline else timed(lambda t=term: baseline(conn, t, anchor), max(1, runs // 3))[0]
            out.append((term, mine, theirs, found))
    reader.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=str(ROOT / "bench/.data/bench.db"))
    parser.add_argument("--db10k", default=str(ROOT / "bench/.data/bench10k.db"))
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--skip-baseline", action="store_true", help="leave out the old LIKE filter (slow at 100k)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} "
          f"on {os.cpu_count()} cores; budget {BUDGET * 1000:.0f} ms a keystroke")
    failed = 0
    for label, db in (("10k", args.db10k), ("100k", args.db)):
        if not Path(db).exists():
            print(f"{label}: {db} is missing (see bench/README.md to build it)")
            failed += 1
            continue
        print(f"\n{label} ({db})\n{'term':<12} {'matches':>8} {'ours':>10} {'baseline':>10} {'ratio':>7}  budget")
        for term, mine, theirs, found in measure(db, args.runs, args.skip_baseline):
            ok = mine <= BUDGET
            failed += not ok
            ratio = f"{mine / theirs:6.3f}x" if theirs else "      -"
            base = f"{theirs * 1000:7.1f} ms" if theirs is not None else "         -"
            print(f"{term:<12} {found:>8,} {mine * 1000:7.1f} ms {base} {ratio}  {'ok' if ok else 'OVER'}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
