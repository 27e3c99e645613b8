"""Realistic, deterministic demo data, fast enough for a million closed tickets.

The generator simulates each ticket's life in plain arithmetic (the default policies run
on a 24x7 calendar, so business time is wall time) and writes rows in bulk; the outcome
of every SLA clock is decided by the same rules the engine applies to live events.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, text
from sqlmodel import select

from store.categories import CATEGORIES, default_priority
from store.db.engine import Database
from store.defaults import ensure_defaults
from store.demo import text as words
from store.models import NO_DUE, PRIORITIES, PRIORITY_RANK, VIP_TIERS, Agent, Ticket
from store.sla.policies import load_policy_book

Progress = Callable[[str, int, int], None]

# Intake per local hour: the seeds' daytime curve (08-10 15%, 10-12 30%, 12-14 10%,
# 14-16 25%, 16-18 20%) with a thin night for a 24-hour service.
HOUR_WEIGHTS = (1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.0, 2.5, 7.5, 7.5, 15, 15, 5, 5, 12.5, 12.5, 10, 10,
                5, 4, 4, 3, 2, 1.5)
TZ_OFFSET = 8 * 3600  # Asia/Taipei has no DST
CHANNEL_WEIGHTS = (("email", 35), ("chat", 30), ("phone", 15), ("web", 12), ("social", 8))
CATEGORY_WEIGHTS = (8, 7, 5, 16, 7, 5, 10, 7, 12, 10, 8, 5)
TIER_CUTS = ((0.01, "diamond"), (0.04, "platinum"), (0.10, "gold"))
CHUNK = 10_000


@dataclass(frozen=True)
class DemoSpec:
    tickets: int = 2_000
    history: int = 20_000
    days: int = 30
    seed: int = 7


class DemoRefused(Exception):
    """The database already holds tickets and --reset was not given."""


def _weighted(rng: random.Random, pairs: tuple[tuple[str, float], ...]) -> Callable[[], str]:
    names = [p[0] for p in pairs]
    cum, total = [], 0.0
    for _, w in pairs:
        total += w
        cum.append(total)
    return lambda: rng.choices(names, cum_weights=cum)[0]


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
              "segment_start", "due_at", "paused_at", "stopped_at", "outcome", "ended_at", "breached_at",
              "breach_agent_id", "agent_id")
SURVEY_COLS = ("ticket_id", "kind", "score", "at", "comment")


@dataclass
class _Batch:
    tickets: list
    events: list
    clocks: list
    surveys: list


class _Sim:
    """Simulates tickets one at a time into a batch of rows."""

    def __init__(self, rng: random.Random, w: _Writer, now: float, agents: list[int], customers: list[tuple],
                 book) -> None:
        self.rng, self.w, self.now = rng, w, now
        self.agents, self.customers = agents, customers
        self.channel = _weighted(rng, CHANNEL_WEIGHTS)
        self.cat_cum = list(_cumulative(CATEGORY_WEIGHTS))
        vip = book.match(priority="normal", tier="gold", channel="email", category="")
        std = book.match(priority="normal", tier="standard", channel="email", category="")
        self.policy = {True: vip, False: std}
        self.batch = _Batch([], [], [], [])

    # -- helpers ---------------------------------------------------------------------------
    def ev(self, tid: int, kind: str, at: float, actor: int | None, body: str = "", public: bool = False,
           data: dict | None = None) -> None:
        self.batch.events.append((tid, kind, self.w.ts(at), actor, public, body, self.w.js(data or {})))

    def clock(self, tid: int, metric: str, policy_id: int, target: int, start: float, segments: list,
              stopped: float | None, paused: float | None, holder_at: Callable[[float], int | None]) -> tuple:
        """Decide a clock from its running segments; returns (state, due, outcome, breached_at)."""
        remaining, breach, due = float(target), None, None
        for a, b in segments:
            due = a + remaining
            end = b if b is not None else self.now
            if end - a > remaining:
                breach = a + remaining
                break
            remaining -= end - a
        last_open = segments[-1][1] is None
        closed = segments[:-1] if last_open else segments
        consumed = sum(b - a for a, b in closed)
        if stopped is not None:
            state = "stopped"
        elif paused is not None:
            state = "paused"
        else:
            state = "running"
        outcome = "breached" if breach is not None else ("met" if state == "stopped" else None)
        ended = breach if breach is not None else (stopped if outcome == "met" else None)
        holder = holder_at(breach) if breach is not None else (holder_at(stopped) if stopped else None)
        stopped_while_paused = stopped is not None and segments[-1][1] is not None and segments[-1][1] < stopped
        due_at = due if (state == "running" or outcome is not None) else None
        if stopped_while_paused and outcome != "breached":
            due_at = None  # as the engine leaves it: a clock stopped while paused had no due time
        seg_start = segments[-1][0] if (state == "running" and last_open) else None
        self.batch.clocks.append((
            tid, metric, policy_id, state, target, self.w.ts(start), int(consumed), self.w.ts(seg_start),
            self.w.ts(due_at), self.w.ts(paused), self.w.ts(stopped), outcome, self.w.ts(ended),
            self.w.ts(breach), holder if breach is not None else None, holder,
        ))
        return state, due_at, outcome, target

    def pick_category(self) -> str:
        return CATEGORIES[_bisect(self.cat_cum, self.rng.random() * self.cat_cum[-1])]

    def lognormal_share(self, mu: float, sigma: float) -> float:
        return math.exp(self.rng.gauss(mu, sigma))

    # -- one ticket ------------------------------------------------------------------------
    def ticket(self, tid: int, t0: float, is_open: bool) -> None:
        rng = self.rng
        cust_index = int(len(self.customers) * rng.random() ** 1.25)
        cust_id, tier, english = self.customers[min(cust_index, len(self.customers) - 1)]
        category = self.pick_category()
        priority = default_priority(category)
        if rng.random() < 0.15:
            priority = PRIORITIES[min(3, max(0, PRIORITY_RANK[priority] + rng.choice((-1, 1))))]
        policy = self.policy[tier in VIP_TIERS]
        targets = {m: policy.target_seconds(priority, m) for m in ("first_reply", "next_reply", "resolution")}
        channel = self.channel()
        order_id = f"A{rng.randrange(10**7, 10**8)}"
        subject = words.subject(rng, category, english, order_id)
        self.ev(tid, "created", t0, None, words.body(rng, subject, english), True,
                {"channel": channel, "priority": priority, "category": category})
        st = _TicketState(tid, t0)
        if is_open:
            self._open_life(st, targets, english, policy.id)
        else:
            self._closed_life(st, targets, english, policy.id)
        fields = {"order_id": order_id}
        if rng.random() < 0.3:
            fields["eta"] = datetime.fromtimestamp(t0 + 3 * 86400, UTC).strftime("%Y-%m-%d")
        self.batch.tickets.append((
            tid, None, subject, channel, category, priority, PRIORITY_RANK[priority], st.status,
            st.status in ("new", "open", "pending", "on_hold"), "en" if english else "zh-TW", cust_id,
            st.assignee, policy.id, st.escalated, self.w.ts(t0), self.w.ts(st.updated), self.w.ts(st.solved),
            self.w.ts(st.first_reply), st.replies, st.messages, st.reopens, st.due_key, st.risk_key,
            self.w.js(fields), 1 + st.changes,
        ))

    def _assign(self, st: _TicketState, at: float) -> None:
        st.assignee = self.agents[int(len(self.agents) * self.rng.random() ** 1.3)]
        st.assigned_at = at
        self.ev(st.tid, "assigned", at, st.assignee, data={"from": None, "to": st.assignee, "claim": True})
        st.touch(at)

    def _reply(self, st: _TicketState, at: float, english: bool) -> None:
        self.ev(st.tid, "agent_reply", at, st.assignee, words.reply(self.rng, english), True)
        st.replies += 1
        if st.first_reply is None:
            st.first_reply = at
        st.touch(at)

    def _status(self, st: _TicketState, at: float, to: str) -> None:
        self.ev(st.tid, "status_changed", at, st.assignee, data={"from": st.status, "to": to})
        st.status = to
        st.touch(at)

    def _closed_life(self, st: _TicketState, targets: dict, english: bool, pid: int) -> None:
        rng, t0 = self.rng, st.t0
        holder = st.holder
        if rng.random() < 0.97:
            self._assign(st, t0 + rng.expovariate(1 / 300))
        fr = t0 + max(60.0, targets["first_reply"] * self.lognormal_share(-1.1, 0.8))
        if st.assigned_at is not None:
            fr = max(fr, st.assigned_at + 30)
        self._reply(st, fr, english)
        self._status(st, fr, "open")
        self.clock(st.tid, "first_reply", pid, targets["first_reply"], t0, [(t0, fr)], fr, None, holder)
        last = fr
        if rng.random() < 0.35:
            msg = last + rng.expovariate(1 / 10800)
            self.ev(st.tid, "customer_message", msg, None, words.followup(rng, english), True)
            st.messages += 1
            rep = msg + max(60.0, targets["next_reply"] * self.lognormal_share(-1.3, 0.8))
            self._reply(st, rep, english)
            self.clock(st.tid, "next_reply", pid, targets["next_reply"], msg, [(msg, rep)], rep, None, holder)
            last = rep
        if rng.random() < 0.1:
            self.ev(st.tid, "internal_note", last + 120, st.assignee, words.note(rng, english))
        segments: list = []
        if rng.random() < 0.25:
            pend = last + 60
            self._status(st, pend, "pending")
            solve = pend + rng.expovariate(1 / (12 * 3600))
            segments.append((t0, pend))
        else:
            solve = last + rng.expovariate(1 / (targets["resolution"] * 0.25))
            segments.append((t0, solve))
        self._status(st, solve, "solved")
        st.solved = solve
        if rng.random() < 0.07:
            reopen = solve + rng.expovariate(1 / 86400)
            self.ev(st.tid, "customer_message", reopen, None, words.followup(rng, english), True)
            st.messages += 1
            st.reopens += 1
            self._status(st, reopen, "open")
            rep = reopen + max(60.0, targets["next_reply"] * self.lognormal_share(-1.3, 0.8))
            self._reply(st, rep, english)
            self.clock(st.tid, "next_reply", pid, targets["next_reply"], reopen, [(reopen, rep)], rep, None, holder)
            solve = rep + rng.expovariate(1 / 7200)
            segments.append((reopen, solve))
            self._status(st, solve, "solved")
            st.solved = solve
        # A pending stretch before the solve is simply absent from the running segments.
        _, _, outcome, _ = self.clock(st.tid, "resolution", pid, targets["resolution"], t0, segments,
                                      solve, None, holder)
        if solve < self.now - 4 * 86400:
            st.status = "closed"
        self._survey(st, solve, outcome == "breached")

    def _survey(self, st: _TicketState, solved: float, breached: bool) -> None:
        rng = self.rng
        if rng.random() < 0.25:
            weights = (15, 20, 25, 25, 15) if breached else (3, 5, 12, 40, 40)
            score = rng.choices((1, 2, 3, 4, 5), weights=weights)[0]
            self.batch.surveys.append((st.tid, "csat", score, self.w.ts(solved + 3600), ""))
            self.ev(st.tid, "survey", solved + 3600, None, data={"kind": "csat", "score": score})
        if rng.random() < 0.15:
            weights = (1, 1, 1, 1, 1, 2, 4, 9, 16, 27, 37) if not breached else (8, 6, 6, 8, 8, 10, 12, 12, 12, 10, 8)
            score = rng.choices(range(11), weights=weights)[0]
            self.batch.surveys.append((st.tid, "nps", score, self.w.ts(solved + 7200), ""))
            self.ev(st.tid, "survey", solved + 7200, None, data={"kind": "nps", "score": score})

    def _open_life(self, st: _TicketState, targets: dict, english: bool, pid: int) -> None:
        rng, t0, now = self.rng, st.t0, self.now
        holder = st.holder
        roll = rng.random()
        status = "new" if roll < 0.30 else "open" if roll < 0.70 else "pending" if roll < 0.88 else "on_hold"
        span = now - t0
        live: list[tuple[float, int]] = []  # (due, target) of running clocks
        if status == "new":
            if rng.random() < 0.25:
                self._assign(st, t0 + span * rng.random() * 0.5)
            _, due, _, target = self.clock(st.tid, "first_reply", pid, targets["first_reply"], t0,
                                               [(t0, None)], None, None, holder)
            live.append((due, target))
            _, due, _, target = self.clock(st.tid, "resolution", pid, targets["resolution"], t0,
                                               [(t0, None)], None, None, holder)
            live.append((due, target))
        else:
            self._assign(st, t0 + span * 0.05 * rng.random())
            fr = st.assigned_at + span * 0.4 * rng.random() + 30
            self._reply(st, fr, english)
            self._status(st, fr, "open")
            self.clock(st.tid, "first_reply", pid, targets["first_reply"], t0, [(t0, fr)], fr, None, holder)
            if status == "open" and rng.random() < 0.45:
                msg = fr + (now - fr) * rng.random()
                self.ev(st.tid, "customer_message", msg, None, words.followup(rng, english), True)
                st.messages += 1
                st.touch(msg)
                _, due, _, target = self.clock(st.tid, "next_reply", pid, targets["next_reply"], msg,
                                               [(msg, None)], None, None, holder)
                live.append((due, target))
            if status == "open":
                _, due, _, target = self.clock(st.tid, "resolution", pid, targets["resolution"], t0,
                                               [(t0, None)], None, None, holder)
                live.append((due, target))
            else:
                pause = fr + 60
                self._status(st, pause, status)
                self.clock(st.tid, "resolution", pid, targets["resolution"], t0, [(t0, pause)], None, pause,
                           holder)
            if rng.random() < 0.03:
                self.ev(st.tid, "escalated", fr + 120, st.assignee, "VIP 客戶要求主管回電" if not english
                        else "Customer asked for a lead to call back")
                st.escalated = True
        st.status = status
        for due, target in live:
            if due is not None and int(due) < st.due_key:
                st.due_key = int(due)
                st.risk_key = int(due - target * 0.25)


class _TicketState:
    __slots__ = ("assigned_at", "assignee", "changes", "due_key", "escalated", "first_reply", "messages",
                 "reopens", "replies", "risk_key", "solved", "status", "t0", "tid", "updated")

    def __init__(self, tid: int, t0: float) -> None:
        self.tid, self.t0, self.updated = tid, t0, t0
        self.assignee: int | None = None
        self.assigned_at: float | None = None
        self.first_reply: float | None = None
        self.solved: float | None = None
        self.status = "new"
        self.replies = self.reopens = self.changes = 0
        self.messages = 1
        self.escalated = False
        self.due_key = self.risk_key = NO_DUE

    def touch(self, at: float) -> None:
        self.updated = max(self.updated, at)
        self.changes += 1

    def holder(self, at: float | None) -> int | None:
        if at is None or self.assigned_at is None or at < self.assigned_at:
            return None
        return self.assignee


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


def _open_arrival(rng: random.Random, now: float, days: int) -> float:
    """Open tickets are mostly recent: exponential age, mean 20 hours, capped at the window."""
    age = min(rng.expovariate(1 / (20 * 3600)), days * 86400.0)
    return now - max(age, 30.0)


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
        session.add(Agent(name="chief", display_name="周主管", role="supervisor", created_at=now_dt))
        for name in ("lead.lin", "lead.wang", "lead.chen", "lead.huang"):
            session.add(Agent(name=name, display_name=words.person_name(rng, False) + "(組長)", role="lead",
                              created_at=now_dt, team="default"))
        for name in AGENT_NAMES:
            session.add(Agent(name=name, display_name=words.person_name(rng, False), role="agent",
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
    agents, customers = _seed_people(db, spec, rng, now_dt, extra_agent)
    with db.read() as session:
        book = load_policy_book(session)
    w = _Writer(db)
    now = now_dt.timestamp()
    hour_cum = list(_cumulative(HOUR_WEIGHTS))
    arrivals = [(_arrival(rng, now, spec.days, hour_cum), False) for _ in range(spec.history)]
    arrivals += [(_open_arrival(rng, now, spec.days), True) for _ in range(spec.tickets)]
    arrivals.sort()
    sim = _Sim(rng, w, now, agents, customers, book)
    dropped = _secondary_indexes(db) if db.is_sqlite else []
    if dropped:
        with db.engine.begin() as conn:
            for name, _ in dropped:
                conn.execute(text(f'DROP INDEX "{name}"'))
    counts = {"tickets": 0, "events": 0, "clocks": 0, "surveys": 0}
    total = len(arrivals)
    for start in range(0, total, CHUNK):
        for offset, (t0, is_open) in enumerate(arrivals[start:start + CHUNK]):
            sim.ticket(start + offset + 1, t0, is_open)
        b = sim.batch
        w.write("ticket", TICKET_COLS, b.tickets)
        w.write("ticket_event", EVENT_COLS, b.events)
        w.write("sla_clock", CLOCK_COLS, b.clocks)
        w.write("survey", SURVEY_COLS, b.surveys)
        for key, rows in (("tickets", b.tickets), ("events", b.events), ("clocks", b.clocks),
                          ("surveys", b.surveys)):
            counts[key] += len(rows)
        sim.batch = _Batch([], [], [], [])
        if progress:
            progress("tickets", min(start + CHUNK, total), total)
    if dropped:
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
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def demo_now() -> datetime:
    from store.clock import now

    return now().replace(microsecond=0)


__all__ = ["DemoRefused", "DemoSpec", "demo_now", "generate", "has_tickets", "reset"]
