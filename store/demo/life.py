"""One demo ticket's life, simulated in plain arithmetic and written as rows.

The demo's policies run on the 24x7 calendar, where business time is wall time, so the SLA
rules the engine applies to live events (store/sla/clocks.py) reduce to sums here; the rows
come out as the engine would have left them, `sla_breached` events included.

Nothing happens after the demo's "now": a solved ticket's whole life, surveys included, is
placed before it; an open ticket is built back from now, its age drawn against its targets so
that the backlog looks like a real queue (most clocks due in the coming hours, a few breached).
Every reply is written by the agent who holds the ticket.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from store.categories import CATEGORIES, default_priority
from store.demo import text as words
from store.models import NO_DUE, PRIORITIES, PRIORITY_RANK, VIP_TIERS

METRICS = ("first_reply", "next_reply", "resolution")
CHANNEL_WEIGHTS = (("email", 35), ("chat", 30), ("phone", 15), ("web", 12), ("social", 8))
CATEGORY_WEIGHTS = (8, 7, 5, 16, 7, 5, 10, 7, 12, 10, 8, 5)
# The shares that shape the figures (seeds 003/004): about one ticket in ten needs a second
# answer, one in 25 is reopened, CSAT near 4.3 of 5 (85% satisfied), NPS near +50.
FOLLOW_UP, REOPEN, PENDING, NOTE = 0.10, 0.04, 0.25, 0.10
CSAT_WEIGHTS = ((2, 3, 8, 30, 57), (15, 20, 25, 25, 15))  # scores 1-5: met, breached
NPS_WEIGHTS = ((1, 1, 1, 1, 1, 2, 3, 8, 14, 28, 40), (8, 6, 6, 8, 8, 10, 12, 12, 12, 10, 8))  # 0-10
CLOSE_AFTER = 4 * 86400  # a solved ticket is closed four days later
# Intake per local hour: the seeds' daytime curve (08-10 15%, 10-12 30%, 12-14 10%,
# 14-16 25%, 16-18 20%) with a thin night for a 24-hour service. Customers write back (a reopen)
# on the same curve as they write in: reopens at any hour of the night made the night shift's
# repeat contact read ~30% (a handful of arrivals against a steady trickle of reopens).
HOUR_WEIGHTS = (1.0, 0.6, 0.4, 0.3, 0.3, 0.5, 1.0, 2.5, 7.5, 7.5, 15, 15, 5, 5, 12.5, 12.5, 10, 10,
                5, 4, 4, 3, 2, 1.5)
TZ_OFFSET = 8 * 3600  # Asia/Taipei has no DST
DAY = 86400


@dataclass
class Batch:
    tickets: list = field(default_factory=list)
    events: list = field(default_factory=list)
    clocks: list = field(default_factory=list)
    surveys: list = field(default_factory=list)


@dataclass(frozen=True)
class Rules:
    """One policy as the simulation needs it: id, warning share and targets in seconds."""

    id: int
    share: float
    targets: dict[tuple[str, str], int]

    def of(self, priority: str) -> dict[str, int]:
        return {m: self.targets[(priority, m)] for m in METRICS}


class State:
    """What the simulation tracks of one ticket while it writes its rows."""

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


def _cumulative(weights) -> list[float]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return out


class Life:
    """Simulates tickets one at a time into a batch of rows (ts/js turn values into column values)."""

    def __init__(self, seed: int, now: float, agents: list[int], customers: list[tuple],
                 rules: dict[bool, Rules], ts: Callable[[float | None], object], js: Callable[[dict], object]) -> None:
        self.seed, self.now, self.agents, self.customers, self.rules = seed, now, agents, customers, rules
        self.rng = random.Random(seed)
        self.ts, self.js = ts, js
        self.channels = [p[0] for p in CHANNEL_WEIGHTS]
        self.channel_cum = _cumulative(w for _, w in CHANNEL_WEIGHTS)
        self.cat_cum = _cumulative(CATEGORY_WEIGHTS)
        self.batch = Batch()

    # -- rows ------------------------------------------------------------------------------
    def ev(self, tid: int, kind: str, at: float, actor: int | None, body: str = "", public: bool = False,
           data: dict | None = None) -> None:
        assert at <= self.now, "demo events never lie after the demo's now"
        self.batch.events.append((tid, kind, self.ts(at), actor, public, body, self.js(data or {})))

    def clock(self, st: State, metric: str, pol: Rules, target: int, start: float, segments: list,
              stopped: float | None, paused: float | None) -> tuple[float | None, str | None]:
        """Decide a clock from its running segments (the last may run to now); returns (due, outcome)."""
        remaining, breach, due = float(target), None, None
        for a, b in segments:
            due = a + remaining
            end = b if b is not None else self.now
            if end - a > remaining:
                breach = a + remaining
                break
            remaining -= end - a
        last_open = segments[-1][1] is None
        consumed = sum(b - a for a, b in (segments[:-1] if last_open else segments))
        state = "stopped" if stopped is not None else "paused" if paused is not None else "running"
        outcome = "breached" if breach is not None else ("met" if state == "stopped" else None)
        ended = breach if breach is not None else (stopped if outcome == "met" else None)
        holder = st.holder(breach) if breach is not None else (st.holder(stopped) if stopped else None)
        due_at = due if (state == "running" or outcome is not None) else None
        if stopped is not None and segments[-1][1] is not None and segments[-1][1] < stopped and not breach:
            due_at = None  # as the engine leaves it: a clock stopped while paused had no due time
        at_risk = None if due_at is None else due_at - target * pol.share
        seg_start = segments[-1][0] if (state == "running" and last_open) else None
        self.batch.clocks.append((
            st.tid, metric, pol.id, state, target, self.ts(start), int(consumed), self.ts(seg_start),
            self.ts(due_at), self.ts(at_risk), self.ts(paused), self.ts(stopped), outcome, self.ts(ended),
            self.ts(breach), holder if breach is not None else None, holder,
        ))
        if breach is not None:  # recorded at its due time against the holder, as the sweep does
            self.ev(st.tid, "sla_breached", breach, None,
                    data={"metric": metric, "agent_id": holder, "target_seconds": target})
        if state == "running" and due_at is not None:
            st.due_key = min(st.due_key, int(due_at))
            st.risk_key = min(st.risk_key, int(at_risk or due_at))
        return due_at, outcome

    def assign(self, st: State, at: float) -> None:
        st.assignee = self.agents[int(len(self.agents) * self.rng.random() ** 1.3)]
        st.assigned_at = at
        self.ev(st.tid, "assigned", at, st.assignee, data={"from": None, "to": st.assignee, "claim": True})
        st.touch(at)

    def reply(self, st: State, at: float, english: bool) -> None:
        if st.assignee is None:  # whoever answers takes the ticket first: every reply has an agent
            self.assign(st, max(st.t0, at - 30))
        self.ev(st.tid, "agent_reply", at, st.assignee, words.reply(self.rng, english), True)
        st.replies += 1
        if st.first_reply is None:
            st.first_reply = at
        st.touch(at)

    def customer(self, st: State, at: float, english: bool) -> None:
        self.ev(st.tid, "customer_message", at, None, words.followup(self.rng, english), True)
        st.messages += 1
        st.touch(at)

    def status(self, st: State, at: float, to: str, actor: int | None = -1) -> None:
        self.ev(st.tid, "status_changed", at, st.assignee if actor == -1 else actor, data={"from": st.status, "to": to})
        st.status = to
        st.touch(at)

    def delay(self, target: float, mu: float, sigma: float) -> float:
        """How long an answer took: a lognormal share of the target, a minute at least."""
        return max(60.0, target * math.exp(self.rng.gauss(mu, sigma)))

    # -- one ticket ------------------------------------------------------------------------
    def created_at(self, index: int, t0: float, is_open: bool) -> float:
        """When ticket number `index` is created (its life drawn, not written): ids follow this order."""
        return self._draw(index, t0, is_open)[-1]

    def _draw(self, index: int, t0: float, is_open: bool) -> tuple:
        """Everything about a ticket decided before it is written, the same each time it is drawn."""
        rng = self.rng = random.Random(self.seed * 1_000_003 + index)
        cust_id, tier, english = self.customers[min(int(len(self.customers) * rng.random() ** 1.1),
                                                    len(self.customers) - 1)]
        pick = rng.random() * self.cat_cum[-1]
        category = CATEGORIES[next(i for i, c in enumerate(self.cat_cum) if c >= pick)]
        priority = default_priority(category)
        if rng.random() < 0.15:
            priority = PRIORITIES[min(3, max(0, PRIORITY_RANK[priority] + rng.choice((-1, 1))))]
        pol = self.rules[tier in VIP_TIERS]
        channel = rng.choices(self.channels, cum_weights=self.channel_cum)[0]
        plan = (_OpenPlan if is_open else _ClosedPlan)(self, pol.of(priority), english)
        return cust_id, english, category, priority, pol, channel, plan, plan.place(t0)

    def ticket(self, tid: int, index: int, t0: float, is_open: bool) -> None:
        """Write ticket `index` (drawn as `created_at` drew it) under the id `tid`."""
        cust_id, english, category, priority, pol, channel, plan, t0 = self._draw(index, t0, is_open)
        rng = self.rng
        order_id = f"A{rng.randrange(10**7, 10**8)}"
        subject = words.subject(rng, category, english, order_id)
        self.ev(tid, "created", t0, None, words.body(rng, subject, english), True,
                {"channel": channel, "priority": priority, "category": category})
        st = State(tid, t0)
        plan.play(st, pol)
        fields = {"order_id": order_id}
        if rng.random() < 0.3:
            fields["eta"] = datetime.fromtimestamp(t0 + 3 * 86400, UTC).strftime("%Y-%m-%d")
        self.batch.tickets.append((
            tid, None, subject, channel, category, priority, PRIORITY_RANK[priority], st.status,
            st.status in ("new", "open", "pending", "on_hold"), "en" if english else "zh-TW", cust_id,
            st.assignee, pol.id, st.escalated, self.ts(t0), self.ts(st.updated), self.ts(st.solved),
            self.ts(st.first_reply), st.replies, st.messages, st.reopens, st.due_key, st.risk_key,
            self.js(fields), 1 + st.changes,
        ))


class _ClosedPlan:
    """A ticket solved before now: its durations are drawn first, then it is placed in time."""

    def __init__(self, life: Life, targets: dict[str, int], english: bool) -> None:
        rng = life.rng
        self.life, self.targets, self.english = life, targets, english
        self.claim = rng.expovariate(1 / 300) if rng.random() < 0.97 else None
        self.first = life.delay(targets["first_reply"], -1.1, 0.8)
        if self.claim is not None:
            self.first = max(self.first, self.claim + 30)
        self.follow = None
        if rng.random() < FOLLOW_UP:
            wait = rng.expovariate(1 / 10800)
            self.follow = (wait, wait + life.delay(targets["next_reply"], -1.3, 0.8))
        self.note = rng.random() < NOTE
        last = self.first + (self.follow[1] if self.follow else 0)
        self.pending = rng.random() < PENDING
        work = rng.expovariate(1 / (12 * 3600)) if self.pending else rng.expovariate(1 / (targets["resolution"] / 4))
        self.solve = last + 60 + work
        self.reopen = None
        if rng.random() < REOPEN:
            back = self.solve + rng.expovariate(1 / 86400)
            answer = back + life.delay(targets["next_reply"], -1.3, 0.8)
            self.reopen = (back, answer, answer + rng.expovariate(1 / 7200))
        self.length = self.reopen[2] if self.reopen else self.solve

    def place(self, t0: float) -> float:
        """The arrival drawn for it, or earlier if its life would not be over by now."""
        latest = self.life.now - 60 - self.length
        t0 = t0 if t0 <= latest else latest - self.life.rng.random() * 6 * 3600
        if self.reopen is None:
            return t0
        self._reopen_at_customer_hours(t0)
        over = t0 + self.length - (self.life.now - 60)
        # Whole days earlier, so the arrival and the return keep their hours of the day.
        return t0 - math.ceil(over / DAY) * DAY if over > 0 else t0

    def _reopen_at_customer_hours(self, t0: float) -> None:
        """Redraw when the customer writes back so that it follows the intake curve (local hours):
        the return delay stays roughly exponential (a day on average), thinned by the hour's weight."""
        rng, solved = self.life.rng, t0 + self.solve
        back, answer, again = self.reopen  # type: ignore[misc]
        while True:
            gap = rng.expovariate(1 / DAY)
            hour = int((solved + gap + TZ_OFFSET) % DAY // 3600)
            if rng.random() * _PEAK_WEIGHT < HOUR_WEIGHTS[hour]:
                break
        shift = self.solve + gap - back
        self.reopen = (back + shift, answer + shift, again + shift)
        self.length = self.reopen[2]

    def play(self, st: State, pol: Rules) -> None:
        life, t0, targets, english = self.life, st.t0, self.targets, self.english
        if self.claim is not None:
            life.assign(st, t0 + self.claim)
        fr = t0 + self.first
        life.reply(st, fr, english)
        life.status(st, fr, "open")
        life.clock(st, "first_reply", pol, targets["first_reply"], t0, [(t0, fr)], fr, None)
        last = fr
        if self.follow is not None:
            msg, rep = fr + self.follow[0], fr + self.follow[1]
            life.customer(st, msg, english)
            life.reply(st, rep, english)
            life.clock(st, "next_reply", pol, targets["next_reply"], msg, [(msg, rep)], rep, None)
            last = rep
        if self.note:
            life.ev(st.tid, "internal_note", last + 30, st.assignee, words.note(life.rng, english))
        solve = t0 + self.solve
        segments: list = [(t0, solve)]
        if self.pending:
            life.status(st, last + 60, "pending")
            segments = [(t0, last + 60)]  # resolution is paused while pending
        life.status(st, solve, "solved")
        st.solved = solve
        if self.reopen is not None:
            back, answer, again = (t0 + x for x in self.reopen)
            life.customer(st, back, english)
            st.reopens += 1
            life.status(st, back, "open", actor=None)
            life.reply(st, answer, english)
            life.clock(st, "next_reply", pol, targets["next_reply"], back, [(back, answer)], answer, None)
            life.status(st, again, "solved")
            segments.append((back, again))
            st.solved = solve = again
        _, outcome = life.clock(st, "resolution", pol, targets["resolution"], t0, segments, solve, None)
        if solve + CLOSE_AFTER <= life.now:
            life.status(st, solve + CLOSE_AFTER, "closed", actor=None)
        self.survey(st, solve, outcome == "breached")

    def survey(self, st: State, solved: float, breached: bool) -> None:
        life, rng = self.life, self.life.rng
        if rng.random() < 0.25 and solved + 3600 <= life.now:
            score = rng.choices((1, 2, 3, 4, 5), weights=CSAT_WEIGHTS[breached])[0]
            life.batch.surveys.append((st.tid, "csat", score, life.ts(solved + 3600), ""))
            life.ev(st.tid, "survey", solved + 3600, None, data={"kind": "csat", "score": score})
        if rng.random() < 0.15 and solved + 7200 <= life.now:
            score = rng.choices(range(11), weights=NPS_WEIGHTS[breached])[0]
            life.batch.surveys.append((st.tid, "nps", score, life.ts(solved + 7200), ""))
            life.ev(st.tid, "survey", solved + 7200, None, data={"kind": "nps", "score": score})


_PEAK_WEIGHT = max(HOUR_WEIGHTS)


class _OpenPlan:
    """A ticket still open at now, built back from now with its age drawn against its targets."""

    def __init__(self, life: Life, targets: dict[str, int], english: bool) -> None:
        rng = life.rng
        self.life, self.targets, self.english = life, targets, english
        roll = rng.random()
        self.kind = ("new" if roll < 0.30 else "waiting" if roll < 0.42 else "open" if roll < 0.70
                     else "pending" if roll < 0.90 else "on_hold")
        # Age as a share of the target the ticket is waiting on: mostly well inside, ~5% past it.
        self.share = max(rng.random() ** 1.3 * 1.07, 0.002)

    def place(self, t0: float) -> float:
        del t0  # an open ticket's creation follows from how far into its targets it is
        now, rng, targets = self.life.now, self.life.rng, self.targets
        if self.kind == "new":
            return now - max(30.0, targets["first_reply"] * self.share)
        if self.kind == "waiting":
            self.msg = now - max(30.0, targets["next_reply"] * self.share)
            self.fr = self.msg - 60 - rng.expovariate(1 / 7200)
            return self.fr - self.life.delay(targets["first_reply"], -1.1, 0.8)
        age = max(600.0, targets["resolution"] * self.share * 0.95)
        return now - age

    def play(self, st: State, pol: Rules) -> None:
        life, rng, t0, now, targets, english = self.life, self.life.rng, st.t0, self.life.now, self.targets, self.english
        if self.kind == "new":
            if rng.random() < 0.4:
                life.assign(st, t0 + (now - t0) * 0.3 * rng.random())
            life.clock(st, "first_reply", pol, targets["first_reply"], t0, [(t0, None)], None, None)
            life.clock(st, "resolution", pol, targets["resolution"], t0, [(t0, None)], None, None)
            return
        if self.kind == "waiting":
            fr = self.fr
            life.assign(st, t0 + min(300.0, (fr - t0) / 2) * rng.random())
        else:
            fr = t0 + min(life.delay(targets["first_reply"], -1.1, 0.8), (now - t0) * 0.6)
            life.assign(st, t0 + (fr - t0) * 0.3 * rng.random())
        life.reply(st, fr, english)
        life.status(st, fr, "open")
        life.clock(st, "first_reply", pol, targets["first_reply"], t0, [(t0, fr)], fr, None)
        if self.kind == "waiting":
            life.customer(st, self.msg, english)
            life.clock(st, "next_reply", pol, targets["next_reply"], self.msg, [(self.msg, None)], None, None)
        if self.kind in ("pending", "on_hold"):
            pause = fr + 60 + (now - fr - 60) * 0.5 * rng.random()
            life.status(st, pause, self.kind)
            life.clock(st, "resolution", pol, targets["resolution"], t0, [(t0, pause)], None, pause)
        else:
            life.clock(st, "resolution", pol, targets["resolution"], t0, [(t0, None)], None, None)
        if rng.random() < 0.03:
            life.ev(st.tid, "escalated", min(fr + 30, now), st.assignee,
                    "Customer asked for a lead to call back" if english else "VIP 客戶要求主管回電")
            st.escalated = True
