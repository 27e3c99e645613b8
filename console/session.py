"""Who is acting: --as, SHIFTDESK_AGENT or the OS user, resolved against the agent table."""

from __future__ import annotations

from sqlmodel import Session, select

from console.context import CliState
from store.agents import AgentView, find_agent
from store.errors import PermissionDenied, UnknownAgent
from store.models import Agent


def acting_agent(session: Session, state: CliState) -> AgentView:
    """The acting agent, or UnknownAgent (whose message lists who exists and how to add one)."""
    return find_agent(session, state.agent_name())


def acting_agent_or_none(session: Session, state: CliState) -> AgentView | None:
    """Like acting_agent, but a database with no supervisor yet lets anyone bootstrap it."""
    try:
        return acting_agent(session, state)
    except UnknownAgent:
        has_supervisor = session.exec(select(Agent).where(Agent.role == "supervisor")).first() is not None
        if has_supervisor:
            raise PermissionDenied("this command", "supervisor", "not an agent") from None
        return None
