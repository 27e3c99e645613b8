"""SQLModel tables: the whole schema of Shiftdesk in one place, mirrored by the migrations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, Integer, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from store.types import UTCDateTime

# Enumerations are plain strings in the database; the allowed values live in store/vocab.py
# (no ORM there, so the console may import them) and are re-exported here for the store.
from store.vocab import (  # noqa: F401
    CHANNELS,
    EVENT_KINDS,
    METRICS,
    OPEN_STATUSES,
    PRIORITIES,
    PRIORITY_RANK,
    ROLES,
    STATUSES,
    TIERS,
    VIP_TIERS,
)

# A far-future sort key for tickets with no running clock, so they sort after all others.
NO_DUE = 2**62


def _dt(nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=nullable, index=index))


def _json(default: Any) -> Any:
    return Field(default_factory=lambda: type(default)(default), sa_column=Column(JSON, nullable=False))


class Agent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    display_name: str = Field(default="", sa_column=Column(String(128), nullable=False))
    role: str = Field(default="agent", sa_column=Column(String(16), nullable=False))
    team: str = Field(default="default", sa_column=Column(String(64), nullable=False))
    active: bool = Field(default=True)
    created_at: datetime = _dt(nullable=False)


class Customer(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(256), nullable=False))
    contact: str = Field(default="", sa_column=Column(String(256), nullable=False, index=True))
    tier: str = Field(default="standard", sa_column=Column(String(16), nullable=False))
    language: str = Field(default="zh-TW", sa_column=Column(String(8), nullable=False))
    external_id: str | None = Field(default=None, sa_column=Column(String(128), unique=True))
    created_at: datetime = _dt(nullable=False)


class Calendar(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    # BusinessCalendar.to_config(): tz, hours, holidays, country, breaks, date_hours.
    config: dict = _json({})


class SlaPolicy(SQLModel, table=True):
    __tablename__ = "sla_policy"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    position: int = Field(default=100, sa_column=Column(Integer, nullable=False, index=True))
    active: bool = Field(default=True)
    # Conditions: empty list means "any".
    priorities: list = _json([])
    tiers: list = _json([])
    channels: list = _json([])
    category_prefix: str = Field(default="", sa_column=Column(String(128), nullable=False))
    # Targets in business minutes per metric and priority: {"urgent": {"first_reply": 30, ...}}
    targets: dict = _json({})
    calendar_id: int | None = Field(default=None, foreign_key="calendar.id")
    warn_share: float = Field(default=0.25)
    pause_statuses: list = _json(["pending", "on_hold"])


class Ticket(SQLModel, table=True):
    __table_args__ = (
        Index("ix_ticket_queue", "is_open", "priority_rank", "due_key", "id"),
        Index("ix_ticket_breach_order", "is_open", "due_key", "id"),
        Index("ix_ticket_assignee_queue", "assignee_id", "is_open", "priority_rank", "due_key"),
        Index("ix_ticket_channel_queue", "channel", "is_open", "priority_rank", "due_key"),
        Index("ix_ticket_created", "created_at"),
        # The SLA panel's "at risk now": due_key in (now, now + warning] and risk_key <= now, from the index.
        Index("ix_ticket_open_due_risk", "is_open", "due_key", "risk_key", "priority_rank"),
    )
    id: int | None = Field(default=None, primary_key=True)
    external_id: str | None = Field(default=None, sa_column=Column(String(128), unique=True))
    subject: str = Field(sa_column=Column(Text, nullable=False))
    channel: str = Field(default="email", sa_column=Column(String(16), nullable=False))
    category: str = Field(default="", sa_column=Column(String(128), nullable=False))
    priority: str = Field(default="normal", sa_column=Column(String(16), nullable=False))
    priority_rank: int = Field(default=2, sa_column=Column(Integer, nullable=False))
    status: str = Field(default="new", sa_column=Column(String(16), nullable=False))
    is_open: bool = Field(default=True)
    language: str = Field(default="zh-TW", sa_column=Column(String(8), nullable=False))
    customer_id: int = Field(foreign_key="customer.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="agent.id")
    policy_id: int | None = Field(default=None, foreign_key="sla_policy.id")
    escalated: bool = Field(default=False)
    created_at: datetime = _dt(nullable=False)
    updated_at: datetime = _dt(nullable=False)
    solved_at: datetime | None = _dt()
    first_reply_at: datetime | None = _dt()
    reply_count: int = Field(default=0)
    customer_message_count: int = Field(default=1)
    reopen_count: int = Field(default=0)
    # Denormalised from the running clocks so the queue sorts by an index, never by a join.
    due_key: int = Field(default=NO_DUE, sa_column=Column(BigInteger, nullable=False))
    risk_key: int = Field(default=NO_DUE, sa_column=Column(BigInteger, nullable=False))
    fields: dict = _json({})
    version: int = Field(default=1)


class TicketEvent(SQLModel, table=True):
    """Append-only log: one row per thing that happened to a ticket."""

    __tablename__ = "ticket_event"
    __table_args__ = (
        Index("ix_event_ticket", "ticket_id", "id"),
        Index("ix_event_kind_at", "kind", "at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    kind: str = Field(sa_column=Column(String(24), nullable=False))
    at: datetime = _dt(nullable=False)
    actor_id: int | None = Field(default=None, foreign_key="agent.id")
    public: bool = Field(default=False)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    data: dict = _json({})


class SlaClock(SQLModel, table=True):
    """One clock per ticket and metric; next_reply may have several over a ticket's life."""

    __tablename__ = "sla_clock"
    __table_args__ = (
        Index("ix_clock_ticket", "ticket_id", "metric"),
        Index("ix_clock_undecided_due", "state", "outcome", "due_at"),
        Index("ix_clock_ended", "ended_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id")
    metric: str = Field(sa_column=Column(String(16), nullable=False))
    policy_id: int | None = Field(default=None, foreign_key="sla_policy.id")
    # running | paused | stopped | cancelled
    state: str = Field(default="running", sa_column=Column(String(12), nullable=False))
    target_seconds: int = Field(default=0)
    started_at: datetime = _dt(nullable=False)
    # Business seconds used before segment_start; the running segment began at segment_start.
    consumed_seconds: int = Field(default=0)
    segment_start: datetime | None = _dt()
    due_at: datetime | None = _dt()
    # When the clock turns at risk (the warning share of its target left, in business time):
    # set with due_at by store.sla.clocks, so readers compare instants without calendar maths.
    at_risk_at: datetime | None = _dt()
    paused_at: datetime | None = _dt()
    stopped_at: datetime | None = _dt()
    # met | breached, set once decided; ended_at is when that happened (stop or due time).
    outcome: str | None = Field(default=None, sa_column=Column(String(10)))
    ended_at: datetime | None = _dt()
    breached_at: datetime | None = _dt()
    breach_agent_id: int | None = Field(default=None, foreign_key="agent.id")
    agent_id: int | None = Field(default=None, foreign_key="agent.id")


class Survey(SQLModel, table=True):
    __table_args__ = (Index("ix_survey_at", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(foreign_key="ticket.id", index=True)
    kind: str = Field(sa_column=Column(String(8), nullable=False))  # csat | nps
    score: int
    # The survey's scale: 5 (1-5) or 10 (1-10) for CSAT; NPS is always 0-10.
    scale: int = Field(default=5, sa_column=Column(Integer, nullable=False, server_default="5"))
    at: datetime = _dt(nullable=False)
    comment: str = Field(default="", sa_column=Column(Text, nullable=False))


class Shift(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("team", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    team: str = Field(default="default", sa_column=Column(String(64), nullable=False))
    name: str = Field(sa_column=Column(String(32), nullable=False))
    start: str = Field(sa_column=Column(String(5), nullable=False))
    end: str = Field(sa_column=Column(String(5), nullable=False))
    tz: str = Field(default="Asia/Taipei", sa_column=Column(String(64), nullable=False))
    position: int = Field(default=0)


class Handover(SQLModel, table=True):
    __table_args__ = (
        Index("ix_handover_date", "shift_date", "from_shift"),
        Index("ux_handover_shift", "team", "shift_date", "from_shift", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    team: str = Field(default="default", sa_column=Column(String(64), nullable=False))
    shift_date: str = Field(sa_column=Column(String(10), nullable=False))  # local date, ISO
    from_shift: str = Field(sa_column=Column(String(32), nullable=False))
    to_shift: str = Field(sa_column=Column(String(32), nullable=False))
    author_id: int | None = Field(default=None, foreign_key="agent.id")
    status: str = Field(default="draft", sa_column=Column(String(12), nullable=False))
    content: dict = _json({})
    created_at: datetime = _dt(nullable=False)
    updated_at: datetime = _dt(nullable=False)
    submitted_at: datetime | None = _dt()
    acknowledged_by: int | None = Field(default=None, foreign_key="agent.id")
    acknowledged_at: datetime | None = _dt()
    ack_reply: str = Field(default="", sa_column=Column(Text, nullable=False))
    version: int = Field(default=1)
    # Plain text of the content and addenda, for LIKE search (JSON text escapes non-ASCII).
    search_text: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))


class HandoverAddendum(SQLModel, table=True):
    __tablename__ = "handover_addendum"
    id: int | None = Field(default=None, primary_key=True)
    handover_id: int = Field(foreign_key="handover.id", index=True)
    author_id: int | None = Field(default=None, foreign_key="agent.id")
    at: datetime = _dt(nullable=False)
    body: str = Field(default="", sa_column=Column(Text, nullable=False))


class Audit(SQLModel, table=True):
    """Append-only trail of every change: who, when, what, before and after."""

    __table_args__ = (Index("ix_audit_entity", "entity", "entity_id", "id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _dt(nullable=False)
    actor_id: int | None = Field(default=None, foreign_key="agent.id")
    entity: str = Field(sa_column=Column(String(32), nullable=False))
    entity_id: int | None = Field(default=None)
    action: str = Field(sa_column=Column(String(32), nullable=False))
    before: dict = _json({})
    after: dict = _json({})


class ReplyTemplate(SQLModel, table=True):
    """User-made templates stored in the database (shipped ones come from templates/)."""

    __tablename__ = "reply_template"
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    title: str = Field(sa_column=Column(String(256), nullable=False))
    language: str = Field(default="zh-TW", sa_column=Column(String(8), nullable=False))
    category: str = Field(default="", sa_column=Column(String(128), nullable=False))
    tags: list = _json([])
    opening: str = Field(default="", sa_column=Column(Text, nullable=False))
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    closing: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime = _dt(nullable=False)


class TemplateUsage(SQLModel, table=True):
    __tablename__ = "template_usage"
    __table_args__ = (Index("ix_template_usage_key", "template_key", "agent_id"),)
    id: int | None = Field(default=None, primary_key=True)
    template_key: str = Field(sa_column=Column(String(64), nullable=False))
    agent_id: int | None = Field(default=None, foreign_key="agent.id")
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    at: datetime = _dt(nullable=False)


class ReplyDraft(SQLModel, table=True):
    __tablename__ = "reply_draft"
    __table_args__ = (UniqueConstraint("agent_id", "ticket_id"),)
    id: int | None = Field(default=None, primary_key=True)
    agent_id: int = Field(foreign_key="agent.id")
    ticket_id: int = Field(foreign_key="ticket.id")
    template_key: str = Field(default="", sa_column=Column(String(64), nullable=False))
    body: str = Field(default="", sa_column=Column(Text, nullable=False))
    template_text: str = Field(default="", sa_column=Column(Text, nullable=False))
    updated_at: datetime = _dt(nullable=False)


class Presence(SQLModel, table=True):
    """Who has which ticket open, and whether they are writing a reply (agent collision)."""

    __table_args__ = (Index("ix_presence_ticket", "ticket_id", "seen_at"),)
    agent_id: int = Field(foreign_key="agent.id", primary_key=True)
    ticket_id: int | None = Field(default=None, foreign_key="ticket.id")
    activity: str = Field(default="viewing", sa_column=Column(String(12), nullable=False))
    seen_at: datetime = _dt(nullable=False)


# -- rollups (issue 6: the live SLA panel and reports) ----------------------------------------------
# Counters kept up to date inside the same write transactions as the events (store/rollups/hooks.py),
# so the panel and `shiftdesk report` never scan the history. grain: 0 = hour, 1 = UTC day, 2 = four-hour block,
# 3 = quarter hour; bucket: epoch seconds of its start; dim: 0 all, 1 agent, 2 channel, 3 priority,
# 4 category; key: the agent id as text ("" = unassigned), channel, priority or category.


def _counter() -> Any:
    return Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))


class RollupCount(SQLModel, table=True):
    __tablename__ = "rollup_count"
    __table_args__ = {"sqlite_with_rowid": False}
    grain: int = Field(primary_key=True)
    dim: int = Field(primary_key=True)
    bucket: int = Field(sa_column=Column(BigInteger, primary_key=True))
    key: str = Field(sa_column=Column(String(128), primary_key=True))
    received: int = _counter()
    contacts: int = _counter()
    repeat_contacts: int = _counter()
    reopened: int = _counter()
    received_solved: int = _counter()
    assigned: int = _counter()
    replied: int = _counter()
    solved: int = _counter()
    solved_fcr: int = _counter()
    res_sum: int = _counter()
    frt_n: int = _counter()
    frt_sum: int = _counter()
    fr_met: int = _counter()
    fr_breached: int = _counter()
    nr_met: int = _counter()
    nr_breached: int = _counter()
    rs_met: int = _counter()
    rs_breached: int = _counter()
    csat_n: int = _counter()
    csat_pos: int = _counter()
    csat_sum: int = _counter()
    csat10_n: int = _counter()
    csat10_pos: int = _counter()
    csat10_sum: int = _counter()
    nps_n: int = _counter()
    nps_pro: int = _counter()
    nps_det: int = _counter()


class TeamSetting(SQLModel, table=True):
    """A setting of the whole team, read by every console and the CLI (store/team/team_settings.py);
    the per-machine settings file holds only what one person chooses (language, theme)."""

    __tablename__ = "team_setting"
    name: str = Field(sa_column=Column(String(64), primary_key=True))
    value: str = Field(sa_column=Column(String(256), nullable=False))
    updated_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False))


class FigureFact(SQLModel, table=True):
    """One countable thing that happened, with the ticket's values at that instant (store/rollups/facts.py).

    The rollups are sums of these; a period's edges finer than a quarter hour are read from here.
    """

    __tablename__ = "figure_fact"
    __table_args__ = (
        Index("ix_fact_ticket", "ticket_id"),
        Index("ix_fact_at", "at"),
        Index("ix_fact_kind_at", "kind", "at", "value", "flag"),
    )
    id: int | None = Field(default=None, primary_key=True)
    ticket_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: int = Field(sa_column=Column(Integer, nullable=False))
    at: int = Field(sa_column=Column(BigInteger, nullable=False))
    agent: int | None = Field(default=None, sa_column=Column(BigInteger))
    channel: str | None = Field(default=None, sa_column=Column(String(16)))
    priority: str | None = Field(default=None, sa_column=Column(String(16)))
    category: str | None = Field(default=None, sa_column=Column(String(128)))
    value: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    flag: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    bin: int = Field(default=0, sa_column=Column(Integer, nullable=False))


class RollupHist(SQLModel, table=True):
    """Response-time histograms (kind 0 = first reply, 1 = resolution) for medians and p90."""

    __tablename__ = "rollup_hist"
    __table_args__ = {"sqlite_with_rowid": False}
    grain: int = Field(primary_key=True)
    dim: int = Field(primary_key=True)
    kind: int = Field(primary_key=True)
    bucket: int = Field(sa_column=Column(BigInteger, primary_key=True))
    key: str = Field(sa_column=Column(String(128), primary_key=True))
    bin: int = Field(primary_key=True)
    n: int = _counter()


class RollupOpen(SQLModel, table=True):
    """Open tickets now, by priority and status."""

    __tablename__ = "rollup_open"
    priority: str = Field(sa_column=Column(String(16), primary_key=True))
    status: str = Field(sa_column=Column(String(16), primary_key=True))
    n: int = _counter()
