"""Facts: every countable thing that happened, with the values it had at that instant.

A fact is one row of `figure_fact`: when (whole seconds), what kind, who held the ticket then,
and the ticket's channel, priority and category then. Facts are a pure function of a customer's
tickets' histories (events, clocks, surveys, category changes; see store/rollups/history.py):
`customer_facts` is the only place that decides them, for the live hooks (which recompute a
touched customer's facts and write the difference) and for the rebuild (which recomputes them
all), so the live rollups and a rebuild can only agree. The rollups are sums of facts per
quarter hour, hour, four-hour block and UTC day (`CONTRIB` says which counters a fact adds to),
and a period's edges finer than a quarter hour are summed from the facts themselves.

Attribution: "at an instant T" means after every change recorded at or before T. A breach is
counted at its due time against the holder and priority of that moment, even when the due time
was moved into the past later (a priority raise).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from store.rollups.metrics import HIST_FRT, HIST_RES, REPEAT_WINDOW_SECONDS, bin_of

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECOND = timedelta(seconds=1)
SOLVED = ("solved", "closed")

# Kinds (stored as integers; never renumber, a rebuild is needed if one changes meaning).
RECEIVED, REOPENED, RECEIVED_SOLVED, TRANSITION, ASSIGNED, REPLIED, FIRST_REPLY, SOLVE = 1, 2, 3, 4, 5, 6, 7, 8
FR_MET, FR_BREACHED, NR_MET, NR_BREACHED, RS_MET, RS_BREACHED = 11, 12, 13, 14, 15, 16
CSAT5, CSAT10, NPS = 21, 22, 23
CLOCK_KINDS = {("first_reply", "met"): FR_MET, ("first_reply", "breached"): FR_BREACHED,
               ("next_reply", "met"): NR_MET, ("next_reply", "breached"): NR_BREACHED,
               ("resolution", "met"): RS_MET, ("resolution", "breached"): RS_BREACHED}

# Which rollup rows a kind is added to: the agent table, the ticket tables (channel, priority,
# category), both, or none (TRANSITION facts are read only to date the resolution rate).
NO_AGENT = frozenset({RECEIVED, REOPENED, RECEIVED_SOLVED})
AGENT_ONLY = frozenset({ASSIGNED, REPLIED})
UNCOUNTED = frozenset({TRANSITION})

ONE, VALUE, FLAG = "one", "value", "flag"
# kind -> ((counter, what), ...): what is ONE, VALUE, FLAG, or (">=", n) / ("<=", n) on the value.
CONTRIB: dict[int, tuple[tuple[str, object], ...]] = {
    RECEIVED: (("received", ONE), ("contacts", ONE), ("repeat_contacts", FLAG)),
    REOPENED: (("contacts", ONE), ("repeat_contacts", ONE), ("reopened", ONE)),
    RECEIVED_SOLVED: (("received_solved", ONE),),
    ASSIGNED: (("assigned", ONE),),
    REPLIED: (("replied", ONE),),
    FIRST_REPLY: (("frt_n", ONE), ("frt_sum", VALUE)),
    SOLVE: (("solved", ONE), ("solved_fcr", FLAG), ("res_sum", VALUE)),
    FR_MET: (("fr_met", ONE),), FR_BREACHED: (("fr_breached", ONE),),
    NR_MET: (("nr_met", ONE),), NR_BREACHED: (("nr_breached", ONE),),
    RS_MET: (("rs_met", ONE),), RS_BREACHED: (("rs_breached", ONE),),
    CSAT5: (("csat_n", ONE), ("csat_pos", (">=", 4)), ("csat_sum", VALUE)),
    CSAT10: (("csat10_n", ONE), ("csat10_pos", (">=", 8)), ("csat10_sum", VALUE)),
    NPS: (("nps_n", ONE), ("nps_pro", (">=", 9)), ("nps_det", ("<=", 6))),
}
HIST_KINDS = {FIRST_REPLY: HIST_FRT, SOLVE: HIST_RES}


class Fact(NamedTuple):
    kind: int
    at: int  # epoch seconds (floor)
    agent: int | None
    channel: str | None
    priority: str | None
    category: str | None
    value: int = 0
    flag: int = 0
    bin: int = 0


def contribution(what: object, fact: Fact) -> int:
    if what == ONE:
        return 1
    if what == VALUE:
        return fact.value
    if what == FLAG:
        return fact.flag
    op, bound = what  # type: ignore[misc]
    return int(fact.value >= bound) if op == ">=" else int(fact.value <= bound)


def counts_of(fact: Fact) -> dict[str, int]:
    return {name: contribution(what, fact) for name, what in CONTRIB.get(fact.kind, ())}


def sec(at: datetime) -> int:
    """Whole seconds since the epoch, rounded down (10:59:59.9998 stays in 10:59)."""
    return (at - EPOCH) // SECOND


def seconds_between(start: datetime, end: datetime) -> int:
    return (end - start) // SECOND


def top_category(category: str) -> str:
    return category.split("/", 1)[0]


# -- a ticket's history, as loaded ------------------------------------------------------------------


@dataclass
class TicketHistory:
    id: int
    customer_id: int
    created_at: datetime
    channel: str
    category: str
    priority: str
    events: list[tuple]  # (id, kind, at, actor_id, data), in (at, id) order
    clocks: list[tuple]  # (metric, outcome, ended_at) of decided clocks
    surveys: list[tuple]  # (id, at, kind, score, scale)
    category_changes: list[tuple]  # (at, category), in order


class _Timeline:
    """A value over time: `at(t)` is the value after every change at or before t."""

    def __init__(self, first: object) -> None:
        self.times: list[datetime] = []
        self.values: list[object] = [first]

    def change(self, at: datetime, value: object) -> None:
        self.times.append(at)
        self.values.append(value)

    def at(self, when: datetime) -> object:
        return self.values[bisect_right(self.times, when)]


@dataclass
class Peers:
    """What a ticket's repeat-contact and FCR facts need from the customer's other tickets in the
    same top-level category: when each was created and when each became solved, in whole seconds."""

    created: list[tuple[int, int]]  # (created, ticket id), sorted
    solves: list[tuple[int, int]]  # (solve transition, ticket id), sorted

    def sort(self) -> Peers:
        self.created.sort()
        self.solves.sort()
        return self


def solve_transitions(h: TicketHistory) -> list[datetime]:
    """When the ticket became solved, following its status events in the order they were recorded."""
    out, solved = [], False
    for _id, kind, at, _actor, data in sorted(h.events, key=lambda e: e[0]):
        if kind == "status_changed":
            now = (data or {}).get("to") in SOLVED
            if now and not solved:
                out.append(at)
            solved = now
    return out


def group_of(customer_id: int, category: str) -> tuple[int, str]:
    return customer_id, top_category(category)


def customer_facts(histories: Iterable[TicketHistory], window: int = REPEAT_WINDOW_SECONDS,
                   others: dict[tuple[int, str], Peers] | None = None) -> dict[int, list[Fact]]:
    """Every fact of these tickets. `others` holds what the customer's tickets not given here
    contribute as peers (the live hooks recompute only the tickets a write can have changed); the
    rebuild gives every ticket of each customer and no `others`."""
    histories = list(histories)
    groups: dict[tuple[int, str], Peers] = {}
    for key, extra in (others or {}).items():
        groups[key] = Peers(list(extra.created), list(extra.solves))
    for h in histories:
        peers = groups.setdefault(group_of(h.customer_id, h.category), Peers([], []))
        peers.created.append((sec(h.created_at), h.id))
        peers.solves.extend((sec(at), h.id) for at in solve_transitions(h))
    for peers in groups.values():
        peers.sort()
    return {h.id: ticket_facts(h, groups[group_of(h.customer_id, h.category)], window) for h in histories}


def _is_repeat(h: TicketHistory, peers: Peers, window: int) -> bool:
    """A new ticket is a repeat contact when another ticket of the customer, in the same top-level
    category and created before it, was solved within the window before it was created."""
    c = sec(h.created_at)
    created = dict((tid, at) for at, tid in peers.created)
    lo = bisect_left(peers.solves, (c - window, -1))
    for at, tid in peers.solves[lo:]:
        if at > c:
            break
        if tid != h.id and tid in created and (created[tid], tid) < (c, h.id):
            return True
    return False


def _repeat_after(h: TicketHistory, peers: Peers, solved: int, window: int) -> bool:
    """Another ticket of the customer in the same top-level category created within the window
    after this solve."""
    lo = bisect_right(peers.created, (solved, 2**62))
    return any(tid != h.id for created, tid in peers.created[lo:] if created <= solved + window)


@dataclass
class Values:
    """A ticket's channel, and its holder, priority and category over time."""

    channel: str
    holder: _Timeline
    priority: _Timeline
    category: _Timeline

    def fact(self, kind: int, at: datetime, agent: int | None = None, **kw: int) -> Fact:
        return Fact(kind, sec(at), agent, self.channel, str(self.priority.at(at)), str(self.category.at(at)), **kw)


def values_of(h: TicketHistory, events: Sequence[tuple]) -> Values:
    """The values at an instant (holder, priority, category) follow the changes in time order."""
    created = next((e for e in events if e[1] == "created"), None)
    data0 = (created[4] if created else None) or {}
    holder, priority = _Timeline(None), _Timeline(data0.get("priority") or h.priority)
    category = _Timeline(data0.get("category") if data0.get("category") is not None else h.category)
    for at, value in sorted(h.category_changes, key=lambda c: c[0]):
        category.change(at, value)
    for _id, kind, at, _actor, data in sorted(events, key=lambda e: (e[2], e[0])):
        data = data or {}
        if kind == "assigned":
            holder.change(at, data.get("to"))
        elif kind in ("priority_changed", "escalated") and data.get("to"):
            priority.change(at, data["to"])
    return Values(data0.get("channel") or h.channel, holder, priority, category)


def breach_fact(h: TicketHistory, metric: str, due_at: datetime) -> Fact:
    """The fact a breach of this clock at `due_at` is (or will be, once recorded): counted at its due
    time under the priority and category then, against whoever held the ticket then."""
    values = values_of(h, sorted(h.events, key=lambda e: e[0]))
    return values.fact(CLOCK_KINDS[(metric, "breached")], due_at, values.holder.at(due_at))  # type: ignore[arg-type]


def ticket_facts(h: TicketHistory, peers: Peers, window: int) -> list[Fact]:
    # The state (solved or not, replies, reopens) follows the events in the order they were recorded.
    events = sorted(h.events, key=lambda e: e[0])
    values = values_of(h, events)
    channel, holder, priority, category, fact = (values.channel, values.holder, values.priority, values.category,
                                                 values.fact)

    c = h.created_at
    received = (channel, str(priority.at(c)), str(category.at(c)))
    out = [Fact(RECEIVED, sec(c), None, *received, flag=int(_is_repeat(h, peers, window)))]
    replies = reopens = 0
    solved = False
    last_solve: tuple[datetime, int, int] | None = None  # (at, replies then, reopens before)
    first_reply = None
    for _id, kind, at, actor, data in events:
        data = data or {}
        if kind == "assigned" and data.get("to") is not None:
            out.append(Fact(ASSIGNED, sec(at), data["to"], None, None, None))
        elif kind == "agent_reply":
            replies += 1
            out.append(Fact(REPLIED, sec(at), actor, None, None, None))
            if first_reply is None:
                first_reply = at
                who = holder.at(at)
                secs = max(seconds_between(c, at), 0)
                out.append(fact(FIRST_REPLY, at, who if who is not None else actor, value=secs, bin=bin_of(secs)))
        elif kind == "status_changed":
            now = data.get("to")
            if now in SOLVED and not solved:
                solved = True
                last_solve = (at, replies, reopens)
                out.append(Fact(TRANSITION, sec(at), None, *received, value=sec(c), flag=1))
            elif now not in SOLVED and solved:
                solved = False
                reopens += 1
                out.append(fact(REOPENED, at))
                out.append(Fact(TRANSITION, sec(at), None, *received, value=sec(c), flag=-1))
    if solved and last_solve is not None:
        at, replied_then, reopens_before = last_solve
        secs = max(seconds_between(c, at), 0)
        fcr = replied_then == 1 and reopens_before == 0 and not _repeat_after(h, peers, sec(at), window)
        out.append(fact(SOLVE, at, holder.at(at), value=secs, flag=int(fcr), bin=bin_of(secs)))  # type: ignore[arg-type]
        out.append(Fact(RECEIVED_SOLVED, sec(c), None, *received))
    for metric, outcome, ended in h.clocks:
        kind = CLOCK_KINDS.get((metric, outcome))
        if kind is None or ended is None:
            continue
        who = holder.at(ended)
        if who is None and outcome == "met" and metric != "resolution":
            who = _replier_at(events, ended)
        out.append(fact(kind, ended, who))  # type: ignore[arg-type]
    for _id, at, kind, score, scale in h.surveys:
        if kind == "csat":
            out.append(fact(CSAT10 if scale == 10 else CSAT5, at, holder.at(at), value=int(score)))  # type: ignore[arg-type]
        elif kind == "nps":
            out.append(fact(NPS, at, holder.at(at), value=int(score)))  # type: ignore[arg-type]
    return out


def _replier_at(events: Sequence[tuple], at: datetime) -> int | None:
    """The agent whose reply stopped a reply clock at `at` (an unassigned ticket's reply clock)."""
    for _id, kind, when, actor, _data in events:
        if kind == "agent_reply" and when == at:
            return actor
    return None
