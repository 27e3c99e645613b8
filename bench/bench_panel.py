"""Bench: one SLA panel refresh and a 30-day `shiftdesk report`, from the rollups and by plain scan.

    .venv/bin/python bench/bench_panel.py [--db bench/.data/bench.db] [--repeat 20]

Build the database once with
    .venv/bin/shiftdesk demo --no-open --tickets 100000 --history 1000000 --db bench/.data/bench.db

For each, prints the time from the rollups, the time for the same figures by a plain SQL scan
of the history (store/reports/scan.py), the ratio, and whether both gave the same numbers.
Budgets (issue 6): a panel refresh under 30 ms of database time, the report under 2 s.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import bindparam, event, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store.db.engine import open_database  # noqa: E402
from store.reports.figures import figures, hour_end, local_midnight, panel_periods  # noqa: E402
from store.reports.live import at_risk_now, breached_now, panel_refresh, panel_snapshot  # noqa: E402
from store.reports.scan import scan, scan_open  # noqa: E402
from store.rollups.metrics import Figures  # noqa: E402
from store.team.shifts import current_shift  # noqa: E402
from store.types import UTCDateTime  # noqa: E402

PANEL_BUDGET_MS, REPORT_BUDGET_S = 30.0, 2.0


class DbTimer:
    """Records the statements a unit of work sends, to replay them on the bare driver: the time the
    database needs for them (execute and fetch every row), without the Python around them."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.statements: list[tuple[str, object]] = []
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, params, context, many) -> None:
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK")):
            self.statements.append((statement, params))

    def replay_ms(self, repeat: int) -> float:
        """Median over `repeat` runs of executing the recorded statements and fetching all rows."""
        raw = self.engine.raw_connection()
        try:
            times = []
            for _ in range(repeat):
                cursor = raw.cursor()
                if self.engine.dialect.name == "sqlite":
                    cursor.execute("BEGIN")  # one read snapshot, as a refresh has
                started = time.perf_counter()
                for statement, params in self.statements:
                    cursor.execute(statement, params)
                    if cursor.description is not None:
                        cursor.fetchall()
                times.append((time.perf_counter() - started) * 1000)
                cursor.close()
                raw.rollback()
            return statistics.median(times)
        finally:
            raw.close()


def _same(a: dict[str, Figures], b: dict[str, Figures], *, res_hist: bool = True) -> bool:
    """Same counts and histograms (the panel's agent table reads no resolution histograms)."""
    keys = set(a) | set(b)
    return all((a.get(k) or Figures()).counts == (b.get(k) or Figures()).counts
               and (a.get(k) or Figures()).frt_hist == (b.get(k) or Figures()).frt_hist
               and (not res_hist or (a.get(k) or Figures()).res_hist == (b.get(k) or Figures()).res_hist)
               for k in keys)


def plain_intake(session, now: datetime, tz: str) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """The intake curve from the ticket table (hour of creation in the team's zone)."""
    from zoneinfo import ZoneInfo

    midnight = local_midnight(now, tz)
    start = local_midnight(midnight - timedelta(days=7) + timedelta(hours=12), tz)
    today, before = [0] * 24, [0] * 24
    stmt = text("SELECT created_at FROM ticket WHERE created_at >= :s AND created_at < :e").bindparams(
        bindparam("s", type_=UTCDateTime()), bindparam("e", type_=UTCDateTime()))
    zone = ZoneInfo(tz)
    for (created,) in session.execute(stmt, {"s": start, "e": hour_end(now)}):
        at = created if isinstance(created, datetime) else datetime.fromisoformat(created)
        at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
        (today if at >= midnight else before)[at.astimezone(zone).hour] += 1
    return tuple(today), tuple(n / 7 for n in before)


def plain_panel(session, now: datetime, period: str, dim: str) -> dict:
    """Everything a panel refresh shows, computed by scanning the history."""
    shift = current_shift(session, now)
    periods = {p.key: p for p in panel_periods(shift.start, now, shift.tz)}
    totals = {k: scan(session, p.start, p.end).figures.get("", Figures()) for k, p in periods.items()}
    breakdown = dict(scan(session, periods[period].start, periods[period].end, dim).figures)
    labels: dict[str, str] = {}
    return {"totals": totals, "breakdown": breakdown, "open": scan_open(session),
            "breached": breached_now(session, now, labels)[1], "at_risk": at_risk_now(session, now, labels)[1],
            "intake": plain_intake(session, now, shift.tz)}


def bench_panel(db, now: datetime, repeat: int, timer: DbTimer) -> None:
    print(f"\n== one panel refresh (now = {now:%Y-%m-%d %H:%M} UTC; shift, today, 7 days + agents of the shift) ==")
    walls = []
    snap = None
    for _ in range(repeat):
        timer.statements.clear()
        started = time.perf_counter()
        snap = panel_refresh(db, now, period="shift", dim="agent")  # the breach sweep's short write included
        walls.append((time.perf_counter() - started) * 1000)
    assert snap is not None
    median_wall = statistics.median(walls)
    queries = len(timer.statements)
    median_db = timer.replay_ms(repeat)
    timer.statements.clear()
    started = time.perf_counter()
    with db.read() as session:
        plain = plain_panel(session, now, "shift", "agent")
    plain_wall = (time.perf_counter() - started) * 1000
    plain_db = timer.replay_ms(1)
    same = (all(_same({"": snap.totals[k]}, {"": plain["totals"][k]}) for k in snap.totals)
            and _same(snap.breakdown, plain["breakdown"], res_hist=False) and snap.open_counts == plain["open"]
            and (snap.intake.today, snap.intake.average) == plain["intake"])
    print(f"rollups:    {median_db:9.1f} ms database ({queries} statements), {median_wall:8.1f} ms with Python "
          f"(median of {repeat})")
    print(f"plain scan: {plain_db:9.1f} ms database, {plain_wall:8.1f} ms with Python")
    print(f"ratio:      {plain_db / median_db:9.1f}x database   same figures: {'yes' if same else 'NO'}")
    verdict = "OK" if median_db < PANEL_BUDGET_MS else "OVER"
    print(f"budget:     {median_db:.1f} ms database < {PANEL_BUDGET_MS:.0f} ms: {verdict}")
    worst = []
    for period in ("shift", "today", "week"):
        for dim in ("agent", "channel", "priority", "category", None):
            timer.statements.clear()
            with db.read() as session:
                panel_snapshot(session, now, period=period, dim=dim)
            worst.append((timer.replay_ms(max(3, repeat // 4)), period, dim or "intake"))
    slowest = max(worst)
    print(f"any tab:    {min(worst)[0]:.1f}-{slowest[0]:.1f} ms database over every period and breakdown tab "
          f"(slowest: {slowest[1]}, {slowest[2]}): {'OK' if slowest[0] < PANEL_BUDGET_MS else 'OVER'}")
    week = snap.totals["week"]
    print(f"            7 days: {week.received} received, first reply attained {week.attainment('first_reply'):.1%}, "
          f"{snap.breached_count} breached now, {snap.at_risk_count} at risk")


def bench_report(db, url: str, now: datetime, timer: DbTimer) -> None:
    start = local_midnight(now - timedelta(days=29), "Asia/Taipei")
    end = hour_end(now)
    print(f"\n== shiftdesk report --from {start.astimezone():%Y-%m-%d} (30 days) ==")
    runs = []
    for by in ("", "agent"):
        cmd = [sys.executable, "-m", "console.cli", "--db", url, "--lang", "en", "report", "--from",
               f"{start.astimezone(__import__('zoneinfo').ZoneInfo('Asia/Taipei')):%Y-%m-%d}", "--format", "json"]
        if by:
            cmd += ["--by", by]
        started = time.perf_counter()
        done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        runs.append((by or "totals", time.perf_counter() - started, done.returncode))
    started = time.perf_counter()
    with db.read() as session:
        rolled = {dim: figures(session, start, end, dim) for dim in ("all", "agent")}
    inproc = time.perf_counter() - started
    started = time.perf_counter()
    with db.read() as session:
        plain = {dim: dict(scan(session, start, end, dim).figures) for dim in ("all", "agent")}
    plain_s = time.perf_counter() - started
    same = all(_same(rolled[d], plain[d]) for d in rolled)
    for by, seconds, code in runs:
        flag = "OK" if seconds < REPORT_BUDGET_S and code == 0 else "OVER" if code == 0 else f"FAILED ({code})"
        print(f"command (--by {by:6}): {seconds:6.2f} s end to end, process start included: {flag}")
    print(f"rollups in process:    {inproc * 1000:8.1f} ms (totals and by agent)")
    print(f"plain scan:            {plain_s * 1000:8.1f} ms")
    print(f"ratio:                 {plain_s / inproc:8.1f}x   same figures: {'yes' if same else 'NO'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=str(ROOT / "bench" / ".data" / "bench.db"))
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    if "://" not in args.db and not Path(args.db).exists():
        sys.exit(f"no database at {args.db}; build it with shiftdesk demo (see the docstring)")
    db = open_database(args.db)
    timer = DbTimer(db.engine)
    with db.read() as session:
        latest = session.execute(text("SELECT MAX(created_at) FROM ticket")).scalar()
        counts = dict(session.execute(text("SELECT 'tickets', COUNT(*) FROM ticket UNION ALL "
                                           "SELECT 'events', COUNT(*) FROM ticket_event")).all())
    now = (latest if isinstance(latest, datetime) else datetime.fromisoformat(str(latest))).replace(tzinfo=UTC)
    now = now.replace(microsecond=0) + timedelta(seconds=1)
    print(f"database: {args.db} ({counts['tickets']:,} tickets, {counts['events']:,} events)")
    with db.read() as session:  # warm the page cache the way a running panel has it
        panel_snapshot(session, now)
    bench_panel(db, now, args.repeat, timer)
    bench_report(db, args.db, now, timer)
    db.dispose()


if __name__ == "__main__":
    main()
