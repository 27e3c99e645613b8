"""Frozen views of tickets for the UI: safe across threads, no ORM object behind them.

Every screen that shows tickets takes these (the queue, the composer, handover, the
supervisor panel). They are built only by `store.tickets.queue`, which passes every piece of
customer- or agent-written text through the `Cleaner` it is given, so a view's strings are
already plain, single-line where they should be, free of control characters and bounded in
length: wrap them in `rich.text.Text` (never markup) and show them.

Times are aware UTC datetimes. Countdowns are never stored: compute `due_at - now` at
render time with the injectable clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

__all__ = [
    "NO_DUE",
    "Cleaner",
    "ClockView",
    "CustomerView",
    "EventView",
    "TicketDetail",
    "TicketRow",
    "epoch_to_datetime",
]

# Mirrors store.models.NO_DUE (a test checks they agree); kept here so that reading the queue
# never imports SQLModel.
NO_DUE = 2**62


class Cleaner(Protocol):
    """What turns raw stored text into text safe to show (console.sanitize satisfies it)."""

    def clean_line(self, value: object, *, limit: int = ...) -> str: ...

    def clean_text(self, value: object, *, limit: int = ..., max_lines: int = ...) -> str: ...


def epoch_to_datetime(key: int) -> datetime | None:
    """A denormalised due/risk key back to a datetime; None for NO_DUE."""
    if key >= NO_DUE:
        return None
    return datetime.fromtimestamp(key, UTC)


@dataclass(frozen=True, slots=True)
class ClockView:
    """One SLA clock of a ticket (first_reply, next_reply or resolution)."""

    id: int
    metric: str
    state: str  # running | paused | stopped | cancelled
    started_at: datetime
    due_at: datetime | None  # set while running (and kept once decided)
    target_seconds: int
    consumed_seconds: int  # business seconds used; all of them while paused
    warn_share: float
    outcome: str | None = None  # None until decided; then met | breached
    stopped_at: datetime | None = None
    breached_at: datetime | None = None
    at_risk_at: datetime | None = None  # stored with due_at: the warning share left, in business time

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def paused(self) -> bool:
        return self.state == "paused"

    @property
    def live(self) -> bool:
        """Still counting or able to resume (running or paused)."""
        return self.state in ("running", "paused")

    @property
    def risk_at(self) -> datetime | None:
        """When a running clock turns at risk: the warning share of its target left, in business time."""
        if not self.running or self.due_at is None:
            return None
        return self.at_risk_at

    def remaining(self, now: datetime) -> float | None:
        """Seconds left on a running clock (negative once overdue); None if it is not running."""
        if not self.running or self.due_at is None:
            return None
        return (self.due_at - now).total_seconds()

    @property
    def paused_left(self) -> int | None:
        """Business seconds a paused clock still has (negative if it ran out before pausing)."""
        if not self.paused:
            return None
        return self.target_seconds - self.consumed_seconds

    def state_at(self, now: datetime) -> str:
        """The one state every screen shows this clock in: running | at_risk | breached | paused
        while it counts, met | breached | cancelled once decided.

        A live clock is judged by its live timing, as the ticket's due and risk keys are (the
        queue row, the panel's lists and the handover read those): a paused clock is paused, a
        running one breached once past its due time. A breach recorded before a priority change
        moved the due time stays in `outcome` (and the reports) but does not make the clock read
        breached while it has time left (the detail pane notes it)."""
        if self.state == "paused":
            return "paused"
        if self.running:
            if self.due_at is not None and now >= self.due_at:
                return "breached"
            if self.at_risk_at is not None and now >= self.at_risk_at:
                return "at_risk"
            return "running"
        if self.state == "stopped":
            return self.outcome or "stopped"
        return self.state

    def breached(self, now: datetime) -> bool:
        return self.state_at(now) == "breached"

    def at_risk(self, now: datetime) -> bool:
        """Running, not yet breached, and inside the warning share of its target."""
        return self.state_at(now) == "at_risk"


@dataclass(frozen=True, slots=True)
class TicketRow:
    """One line of the queue: what the table shows, plus the version for stale-edit checks."""

    id: int
    version: int
    subject: str
    priority: str
    status: str
    channel: str
    category: str
    customer_id: int
    customer_name: str
    customer_tier: str
    assignee_id: int | None
    assignee_name: str  # display name; "" when unassigned
    escalated: bool
    is_open: bool
    created_at: datetime
    updated_at: datetime
    due_at: datetime | None  # the nearest running due time (breached ones included)
    risk_at: datetime | None  # when the ticket turns at risk
    clocks: tuple[ClockView, ...] = ()  # the live clocks (running and paused), oldest first

    def nearest(self) -> ClockView | None:
        """The clock the row shows: the running one due soonest, else a paused one."""
        running = [c for c in self.clocks if c.running and c.due_at is not None]
        if running:
            return min(running, key=lambda c: c.due_at or datetime.max.replace(tzinfo=UTC))
        paused = [c for c in self.clocks if c.paused]
        return paused[0] if paused else None

    def breached(self, now: datetime) -> bool:
        return self.due_at is not None and now >= self.due_at

    def at_risk(self, now: datetime) -> bool:
        return self.risk_at is not None and now >= self.risk_at and not self.breached(now)

    @property
    def paused(self) -> bool:
        """No clock runs but one waits (pending or on hold)."""
        return self.due_at is None and any(c.paused for c in self.clocks)


@dataclass(frozen=True, slots=True)
class CustomerView:
    id: int
    name: str
    contact: str
    tier: str
    language: str


@dataclass(frozen=True, slots=True)
class EventView:
    """One entry of a ticket's thread, oldest first.

    `kind` is one of store.models.EVENT_KINDS. For changes, `before`/`after` hold the old and
    new value (a status, a priority, an agent's display name); `metric` names the clock of an
    sla_breached event.
    """

    id: int
    kind: str
    at: datetime
    actor_id: int | None
    actor_name: str  # display name; "" for the customer or the system
    public: bool
    body: str  # multi-line, cleaned
    before: str = ""
    after: str = ""
    metric: str = ""


@dataclass(frozen=True, slots=True)
class TicketDetail:
    """Everything the detail pane and the composer need about one ticket."""

    row: TicketRow
    customer: CustomerView
    clocks: tuple[ClockView, ...]  # every clock the ticket ever had, oldest first
    events: tuple[EventView, ...]  # the thread in order (the newest ones if it is very long)
    events_omitted: int  # how many older events were left out
    policy_name: str
    first_reply_at: datetime | None
    solved_at: datetime | None
    reopen_count: int
    fields: tuple[tuple[str, str], ...] = ()  # custom fields (order_id, eta, ...), cleaned

    @property
    def id(self) -> int:
        return self.row.id

    def field(self, name: str, default: str = "") -> str:
        for key, value in self.fields:
            if key == name:
                return value
        return default
