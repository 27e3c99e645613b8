"""Realistic, deterministic demo data, fast enough for a million closed tickets.

The generator simulates each ticket's life in plain arithmetic (store/demo/life.py: the
default policies run on a 24x7 calendar, so business time is wall time) and writes rows in
bulk; the outcome of every SLA clock is decided by the same rules the engine applies to live
events. Nothing in the data lies after the demo's "now", and ticket ids follow creation order.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, text
from sqlmodel import select

from store.db.engine import Database
from store.defaults import ensure_defaults
from store.demo import text as words
from store.demo.life import HOUR_WEIGHTS, METRICS, TZ_OFFSET, Batch, Life, Rules
from store.models import PRIORITIES, Agent, Ticket
from store.sla.policies import PolicyBook, load_policy_book

Progress = Callable[[str, int, int], None]
"""progress(phase, done, total); phases in order: people, history and tickets (together), indexes, rollups."""

TIER_CUTS = ((0.01, "diamond"), (0.04, "platinum"), (0.10, "gold"))
CHUNK = 10_000


@dataclass(frozen=True)
class DemoSpec:
    """The default is shaped like a real queue: the backlog (open tickets) is under one day of
    arrivals (400 against ~667 a day), so today's resolution rate reads like a working desk's."""

    tickets: int = 400
    history: int = 20_000
    days: int = 30
    seed: int = 7


class DemoRefused(Exception):
    """The database already holds tickets and --reset was not given."""


class _Writer:
    """Bulk insert into SQLite through the raw driver, or anything else through SQLAlchemy Core."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.sqlite = db.is_sqlite

    def ts(self, epoch: float | None):
        if epoch is None:
            return None
        dt = datetime.fromtimestamp(epoch, UTC)
        return dt.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else dt

    def js(self, value: dict):
        return json.dumps(value, ensure_ascii=False) if self.sqlite else value

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        if self.sqlite:
            raw = self.db.engine.raw_connection()
            try:
                cur = raw.cursor()
                cur.execute("BEGIN IMMEDIATE")
                marks = ",".join("?" * len(columns))
                cur.executemany(f'INSERT INTO {table} ({",".join(columns)}) VALUES ({marks})', rows)
                cur.execute("COMMIT")
            finally:
                raw.close()
        else:
            from sqlmodel import SQLModel

            tbl = SQLModel.metadata.tables[table]
            with self.db.engine.begin() as conn:
                conn.execute(tbl.insert(), [dict(zip(columns, r, strict=True)) for r in rows])


TICKET_COLS = ("id", "external_id", "subject", "channel", "category", "priority", "priority_rank", "status",
               "is_open", "language", "customer_id", "assignee_id", "policy_id", "escalated", "created_at",
               "updated_at", "solved_at", "first_reply_at", "reply_count", "customer_message_count",
               "reopen_count", "due_key", "risk_key", "fields", "version")
EVENT_COLS = ("ticket_id", "kind", "at", "actor_id", "public", "body", "data")
CLOCK_COLS = ("ticket_id", "metric", "policy_id", "state", "target_seconds", "started_at", "consumed_seconds",
              "segment_start", "due_at", "at_risk_at", "paused_at", "stopped_at", "outcome", "ended_at", "breached_at",
              "breach_agent_id", "agent_id")
SURVEY_COLS = ("ticket_id", "kind", "score", "at", "comment")


def _rules(book: PolicyBook, now_dt: datetime) -> dict[bool, Rules]:
    """The VIP and standard policies in seconds; the simulation needs their 24x7 calendars."""
    out = {}
    for vip, tier in ((True, "gold"), (False, "standard")):
        policy = book.match(priority="normal", tier=tier, channel="email", category="")
        if policy is None or not policy.calendar.is_always_open:
            raise ValueError("the demo needs the default 24x7 SLA policies; run it on a new database")
        cal, targets = policy.calendar, {}
        for priority in PRIORITIES:
            for metric in METRICS:
                target = policy.target(priority, metric)
                if target is None:
                    raise ValueError(f"the demo needs every target; {policy.name} has none for {priority}.{metric}")
                targets[(priority, metric)] = target.clock_seconds(cal, now_dt)
        out[vip] = Rules(policy.id, policy.warn_share, targets)
    return out


def _cumulative(weights) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _bisect(cum: list[float], x: float) -> int:
    lo, hi = 0, len(cum) - 1
    while lo < hi:
        mid = (lo + hi) // 2
        if cum[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


def _arrival(rng: random.Random, now: float, days: int, hour_cum: list[float]) -> float:
    """A creation time in the last `days` days following the daily intake curve (local time)."""
    while True:
        day = rng.randrange(days + 1)
        hour = _bisect(hour_cum, rng.random() * hour_cum[-1])
        local_midnight = (now + TZ_OFFSET) // 86400 * 86400 - day * 86400
        t = local_midnight + hour * 3600 + rng.random() * 3600 - TZ_OFFSET
        if t < now - 60:
            return t


# -- orchestration -------------------------------------------------------------------------------

AGENT_NAMES = ("amy", "ben", "chloe", "david", "emma", "frank", "grace", "henry", "ivy", "jack", "kate", "leo",
               "mia", "noah", "olivia", "peter", "ryan", "sara", "tom", "victor", "wendy", "zoe", "alan",
               "bella", "cindy", "dora", "eric", "fiona", "gary", "helen", "ian", "judy", "kevin", "lily",
               "max", "nina", "oscar", "paula", "quinn", "rose", "sam", "tina", "vera", "will", "yuki")


def has_tickets(db: Database) -> bool:
    with db.read() as session:
        return (session.exec(select(func.count()).select_from(Ticket)).one() or 0) > 0


def _seed_people(db: Database, spec: DemoSpec, rng: random.Random, now_dt: datetime,
                 extra_agent: str | None) -> tuple[list[int], list[tuple]]:
    with db.write() as session:
        ensure_defaults(session, now_dt)
        taken = {"周主管"}  # display names are how agents tell each other apart: no two alike
        if extra_agent:
            taken.add(extra_agent)
        session.add(Agent(name="chief", display_name="周主管", role="supervisor", created_at=now_dt))
        for name in ("lead.lin", "lead.wang", "lead.chen", "lead.huang"):
            session.add(Agent(name=name, display_name=words.unique_person_name(rng, False, taken) + "(組長)",
                              role="lead", created_at=now_dt, team="default"))
        for name in AGENT_NAMES:
            session.add(Agent(name=name, display_name=words.unique_person_name(rng, False, taken), role="agent",
                              created_at=now_dt))
        if extra_agent and extra_agent not in ("chief", *AGENT_NAMES) and not extra_agent.startswith("lead."):
            session.add(Agent(name=extra_agent, display_name=extra_agent, role="lead", created_at=now_dt))
    with db.read() as session:
        agents = [a.id for a in session.exec(select(Agent).where(Agent.role != "supervisor").order_by(Agent.id))]
    customers: list[tuple] = []
    count = max(500, (spec.tickets + spec.history) * 3 // 2)
    w = _Writer(db)
    rows = []
    for cid in range(1, count + 1):
        roll = rng.random()
        tier = next((name for cut, name in TIER_CUTS if roll < cut), "standard")
        english = rng.random() < 0.2
        rows.append((cid, words.person_name(rng, english), f"c{cid}@example.com", tier,
                     "en" if english else "zh-TW", None, w.ts(now_dt.timestamp() - 90 * 86400)))
        customers.append((cid, tier, english))
    for start in range(0, len(rows), 50_000):
        w.write("customer", ("id", "name", "contact", "tier", "language", "external_id", "created_at"),
                rows[start:start + 50_000])
    return agents, customers


def _secondary_indexes(db: Database) -> list[tuple[str, str]]:
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
            "AND tbl_name IN ('ticket','ticket_event','sla_clock','survey')"
        )).all()
    return [(r[0], r[1]) for r in rows]


def generate(db: Database, spec: DemoSpec, now_dt: datetime, *, progress: Progress | None = None,
             extra_agent: str | None = None) -> dict[str, int]:
    """Fill an empty, migrated database; returns row counts."""
    if has_tickets(db):
        raise DemoRefused("this database already has tickets")
    rng = random.Random(spec.seed)
    if progress:
        progress("people", 0, 1)
    agents, customers = _seed_people(db, spec, rng, now_dt, extra_agent)
    if progress:
        progress("people", 1, 1)
    with db.read() as session:
        book = load_policy_book(session)
    w = _Writer(db)
    now = now_dt.timestamp()
    hour_cum = list(_cumulative(HOUR_WEIGHTS))
    drawn = [(_arrival(rng, now, spec.days, hour_cum), False) for _ in range(spec.history)]
    drawn += [(now, True) for _ in range(spec.tickets)]  # an open ticket's age is drawn with its life
    sim = Life(spec.seed, now, agents, customers, _rules(book, now_dt), w.ts, w.js)
    # Ids follow creation order, as a real database's do: place every life first, then write.
    arrivals = sorted((sim.created_at(i, t0, is_open), i, t0, is_open) for i, (t0, is_open) in enumerate(drawn))
    dropped = _secondary_indexes(db) if db.is_sqlite else []
    if dropped:
        with db.engine.begin() as conn:
            for name, _ in dropped:
                conn.execute(text(f'DROP INDEX "{name}"'))
    counts = {"tickets": 0, "events": 0, "clocks": 0, "surveys": 0}
    total = len(arrivals)
    made = {True: 0, False: 0}  # open tickets, closed history
    if progress:
        progress("history", 0, spec.history)
        progress("tickets", 0, spec.tickets)
    for start in range(0, total, CHUNK):
        for offset, (_, index, t0, is_open) in enumerate(arrivals[start:start + CHUNK]):
            sim.ticket(start + offset + 1, index, t0, is_open)
            made[is_open] += 1
        b = sim.batch
        w.write("ticket", TICKET_COLS, b.tickets)
        w.write("ticket_event", EVENT_COLS, b.events)
        w.write("sla_clock", CLOCK_COLS, b.clocks)
        w.write("survey", SURVEY_COLS, b.surveys)
        for key, rows in (("tickets", b.tickets), ("events", b.events), ("clocks", b.clocks),
                          ("surveys", b.surveys)):
            counts[key] += len(rows)
        sim.batch = Batch()
        if progress:
            progress("history", made[False], spec.history)
            progress("tickets", made[True], spec.tickets)
    if dropped:
        if progress:
            progress("indexes", 0, len(dropped))
        for i, (_name, sql) in enumerate(dropped):
            with db.engine.begin() as conn:
                conn.execute(text(sql))
            if progress:
                progress("indexes", i + 1, len(dropped))
    _build_rollups(db, progress)
    db.sync_sequences()  # the rows above carry their own ids
    if dropped:
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return counts


def _build_rollups(db: Database, progress: Progress | None) -> None:
    """The panel's and reports' counters, from the rows just written (in SQL)."""
    from store.rollups.rebuild import rebuild

    if progress:
        progress("rollups", 0, 1)
    with db.engine.begin() as conn:
        rebuild(conn)
    if progress:
        progress("rollups", 1, 1)


def reset(db: Database) -> None:
    """Throw the whole database away (the caller has been told and asked for --reset)."""
    path = db.sqlite_path
    db.dispose()
    if path is not None:
        for suffix in ("", "-wal", "-shm"):
            p = path.with_name(path.name + suffix)
            if p.exists():
                p.unlink()
        return
    from sqlmodel import SQLModel

    import store.models  # noqa: F401

    with db.engine.begin() as conn:
        SQLModel.metadata.drop_all(conn)
        # The filter's text index (migration 0011) lives outside the metadata; its triggers went
        # with the tables they sat on.
        conn.execute(text("DROP TABLE IF EXISTS ticket_search"))
        conn.execute(text("DROP FUNCTION IF EXISTS ticket_search_doc(BIGINT)"))
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def demo_now() -> datetime:
    from store.clock import now

    return now().replace(microsecond=0)


__all__ = ["DemoRefused", "DemoSpec", "demo_now", "generate", "has_tickets", "reset"]
