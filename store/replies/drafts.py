"""Reply drafts and sending them: one draft per agent and ticket, kept until the reply goes out.

The composer saves a draft every few seconds and when it is left, so a reply survives a
crash; sending records the reply, the template's use and the draft's removal in the caller's
one write transaction (`Database.write()`), so either all of it happens or none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlmodel import Session

from store.clock import ensure_utc
from store.models import Audit, ReplyDraft, SlaClock, Ticket

__all__ = [
    "REPLY_STATUSES",
    "Draft",
    "SentReply",
    "delete_draft",
    "load_draft",
    "save_draft",
    "send_reply",
    "ticket_language",
]

# What a reply may set the ticket to in the same step (besides leaving it as it is).
REPLY_STATUSES = ("pending", "solved")


@dataclass(frozen=True, slots=True)
class Draft:
    """A reply being written: its text and, if it began from one, the template and its filled text."""

    agent_id: int
    ticket_id: int
    body: str
    template_key: str
    template_text: str
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class SentReply:
    """What sending did: the event, the ticket's new version and status, the reply clocks it stopped."""

    event_id: int
    ticket_id: int
    version: int
    status: str
    # (metric, outcome) of each reply clock the reply stopped: ("first_reply", "met"), ...
    stopped: tuple[tuple[str, str], ...] = ()
    claimed: bool = False  # the ticket was unassigned and the reply gave it to its writer


def load_draft(session: Session, agent_id: int, ticket_id: int) -> Draft | None:
    """The agent's draft for a ticket, or None."""
    row = session.execute(
        select(ReplyDraft).where(ReplyDraft.agent_id == agent_id, ReplyDraft.ticket_id == ticket_id)
    ).scalar_one_or_none()
    if row is None:
        return None
    return Draft(agent_id=row.agent_id, ticket_id=row.ticket_id, body=row.body, template_key=row.template_key,
                 template_text=row.template_text, updated_at=row.updated_at)


def save_draft(session: Session, *, agent_id: int, ticket_id: int, body: str, template_key: str = "",
               template_text: str = "", at: datetime) -> bool:
    """Insert or replace the draft in one statement; an empty body with no template removes it.

    Returns True when a draft is stored afterwards.
    """
    at = ensure_utc(at, field="at")
    if not body.strip() and not template_key:
        delete_draft(session, agent_id, ticket_id)
        return False
    values = {"agent_id": agent_id, "ticket_id": ticket_id, "body": body, "template_key": template_key[:64],
              "template_text": template_text, "updated_at": at}
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert
        table = ReplyDraft.__table__
        statement = insert(table).values(**values)
        changed = {name: statement.excluded[name] for name in ("body", "template_key", "template_text",
                                                               "updated_at")}
        session.execute(statement.on_conflict_do_update(index_elements=["agent_id", "ticket_id"], set_=changed))
        return True
    existing = session.execute(
        select(ReplyDraft).where(ReplyDraft.agent_id == agent_id, ReplyDraft.ticket_id == ticket_id)
        .with_for_update()
    ).scalar_one_or_none()
    if existing is None:
        session.add(ReplyDraft(**values))
    else:
        for name, value in values.items():
            setattr(existing, name, value)
        session.add(existing)
    session.flush()
    return True


def delete_draft(session: Session, agent_id: int, ticket_id: int) -> bool:
    """Remove the agent's draft for a ticket; True if there was one."""
    result = session.execute(
        delete(ReplyDraft).where(ReplyDraft.agent_id == agent_id, ReplyDraft.ticket_id == ticket_id)
    )
    return bool(result.rowcount)


def ticket_language(session: Session, ticket_id: int) -> str | None:
    """The language the customer writes in (templates in it come first)."""
    return session.execute(select(Ticket.language).where(Ticket.id == ticket_id)).scalar_one_or_none()


def _claimed_now(session: Session, ticket_id: int, at: datetime) -> bool:
    """Whether this reply took the ticket (store.tickets.actions audits it as `reply_claim`)."""
    found = session.execute(select(Audit.id).where(Audit.entity == "ticket", Audit.entity_id == ticket_id,
                                                   Audit.action == "reply_claim", Audit.at == at)).first()
    return found is not None


def send_reply(
    session: Session,
    at: datetime,
    *,
    agent_id: int,
    ticket_id: int,
    body: str,
    set_status: str | None = None,
    expected_version: int | None = None,
    template_key: str | None = None,
) -> SentReply:
    """A public reply with everything that goes with it, inside the caller's write transaction.

    Stops the first-reply or next-reply clock (store.tickets.actions.add_reply), optionally sets the
    status, notes the template's use and removes the draft. Raises StaleVersion when the ticket
    changed since `expected_version` was read; nothing is written then.
    """
    from store.replies.library import record_usage
    from store.team.permissions import require_holder
    from store.tickets.actions import Context, add_reply
    from store.tickets.base import load_ticket

    if set_status is not None and set_status not in REPLY_STATUSES:
        raise ValueError(f"set_status: {set_status!r} is not one of {', '.join(REPLY_STATUSES)}")
    require_holder(session, load_ticket(session, ticket_id), agent_id, "reply")
    ctx = Context.open(session, at)
    event = add_reply(ctx, ticket_id, agent_id, body, set_status=set_status, expected_version=expected_version,
                      template_key=template_key or None, claim_unassigned=True)
    if template_key:
        record_usage(session, template_key, agent_id, ticket_id, ctx.at)
    delete_draft(session, agent_id, ticket_id)
    session.flush()
    ticket = session.get(Ticket, ticket_id)
    assert ticket is not None  # add_reply raised NotFound otherwise
    stopped = session.execute(
        select(SlaClock.metric, SlaClock.outcome).where(
            SlaClock.ticket_id == ticket_id, SlaClock.metric.in_(("first_reply", "next_reply")),
            SlaClock.stopped_at == ctx.at,
        ).order_by(SlaClock.id)
    ).all()
    return SentReply(event_id=event.id or 0, ticket_id=ticket_id, version=ticket.version, status=ticket.status,
                     stopped=tuple((metric, outcome or "") for metric, outcome in stopped),
                     claimed=_claimed_now(session, ticket_id, ctx.at))
