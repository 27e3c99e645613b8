"""Agent collision: who else has a ticket open, who is writing a reply, and which replies landed
while you were writing yours.

A console says where its agent is every few seconds (`touch`); a row older than
`FRESH_SECONDS` is a console that went away and counts for nothing. One row per agent: a
console shows one ticket at a time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from store.clock import ensure_utc
from store.db import notify
from store.models import Agent, Presence, TicketEvent

VIEWING, COMPOSING = "viewing", "composing"
ACTIVITIES = (VIEWING, COMPOSING)
FRESH_SECONDS = 30  # consoles refresh every 10 s; three missed beats and the agent is gone
EXCERPT = 120


@dataclass(frozen=True)
class PresenceView:
    agent_id: int
    name: str
    label: str
    ticket_id: int
    activity: str
    seen_at: datetime

    @property
    def composing(self) -> bool:
        return self.activity == COMPOSING


@dataclass(frozen=True)
class ReplyView:
    """A public reply someone else sent after a mark (the composer's `latest_event_id`)."""

    event_id: int
    agent_id: int | None
    label: str
    at: datetime
    excerpt: str


def _upsert(session: Session, values: dict) -> None:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    table = Presence.__table__  # type: ignore[attr-defined]
    stmt = insert(table).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.agent_id],
        set_={k: stmt.excluded[k] for k in ("ticket_id", "activity", "seen_at")},
    )
    session.execute(stmt)


def touch(session: Session, agent_id: int, ticket_id: int | None, activity: str, at: datetime) -> None:
    """This agent has `ticket_id` open (None: on no ticket), viewing or composing, as of `at`."""
    if activity not in ACTIVITIES:
        raise ValueError(f"activity: {activity!r} is not one of {', '.join(ACTIVITIES)}")
    at = ensure_utc(at, field="seen_at")
    before = session.exec(select(Presence.ticket_id, Presence.activity).where(Presence.agent_id == agent_id)).first()
    _upsert(session, {"agent_id": agent_id, "ticket_id": ticket_id, "activity": activity, "seen_at": at})
    if before is None or tuple(before) != (ticket_id, activity):  # heartbeats announce nothing
        if before is not None and before[0] != ticket_id:
            notify.mark_presence(session, before[0])
        notify.mark_presence(session, ticket_id)


def leave(session: Session, agent_id: int) -> None:
    """The console closed: the agent is on no ticket."""
    before = session.exec(select(Presence.ticket_id).where(Presence.agent_id == agent_id)).first()
    session.execute(delete(Presence).where(col(Presence.agent_id) == agent_id))
    if before is not None:
        notify.mark_presence(session, before)


def others_on(session: Session, ticket_id: int, *, now: datetime, exclude_agent_id: int | None = None,
              within: int = FRESH_SECONDS) -> list[PresenceView]:
    """Who else has the ticket open right now, those writing a reply first."""
    since = ensure_utc(now, field="now") - timedelta(seconds=within)
    query = (
        select(Presence.agent_id, Agent.name, Agent.display_name, Presence.activity, Presence.seen_at)
        .join(Agent, col(Agent.id) == Presence.agent_id)
        .where(Presence.ticket_id == ticket_id, Presence.seen_at >= since)
        .order_by(col(Presence.activity) != COMPOSING, col(Agent.name))
    )
    if exclude_agent_id is not None:
        query = query.where(Presence.agent_id != exclude_agent_id)
    return [PresenceView(aid, name, display or name, ticket_id, activity, seen)
            for aid, name, display, activity, seen in session.exec(query).all()]


def composing_on(session: Session, ticket_id: int, *, now: datetime, exclude_agent_id: int | None = None,
                 within: int = FRESH_SECONDS) -> list[PresenceView]:
    """Who else is writing a reply to the ticket right now."""
    return [p for p in others_on(session, ticket_id, now=now, exclude_agent_id=exclude_agent_id, within=within)
            if p.composing]


def latest_event_id(session: Session, ticket_id: int) -> int:
    """The mark a composer keeps when it opens: replies after it are news to its writer."""
    return session.exec(select(func.coalesce(func.max(TicketEvent.id), 0)).where(TicketEvent.ticket_id == ticket_id)).one()


def replies_since(session: Session, ticket_id: int, after_event_id: int, *,
                  exclude_agent_id: int | None = None) -> list[ReplyView]:
    """Public replies to the ticket after the mark by someone else: ask before sending yours."""
    query = (
        select(TicketEvent.id, TicketEvent.actor_id, Agent.name, Agent.display_name, TicketEvent.at, TicketEvent.body)
        .join(Agent, col(Agent.id) == TicketEvent.actor_id, isouter=True)
        .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "agent_reply",
               TicketEvent.id > after_event_id)
        .order_by(col(TicketEvent.id))
    )
    if exclude_agent_id is not None:
        query = query.where(col(TicketEvent.actor_id).is_distinct_from(exclude_agent_id))
    return [ReplyView(eid, actor, display or name or "?", at, " ".join(body.split())[:EXCERPT])
            for eid, actor, name, display, at, body in session.exec(query).all()]
