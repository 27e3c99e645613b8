"""Who is acting: --as, SHIFTDESK_AGENT or the OS user, resolved against the agent table.

On PostgreSQL each person may have their own database login named like their agent: then the
login is who acts (`--as` defaults to it, and naming someone else is refused). A login that is
no agent (a shared service login, the database owner) may pick anyone with --as, as on SQLite.
"""

from __future__ import annotations

import os

from sqlalchemy import text
from sqlmodel import Session, select

from console.context import CliState
from store.errors import PermissionDenied, ShiftdeskError, UnknownAgent
from store.models import Agent
from store.team.agents import AgentView, find_agent


class LoginMismatch(PermissionDenied):
    """--as names another agent than the PostgreSQL login this person connected with."""

    def __init__(self, login: str, asked: str) -> None:
        ShiftdeskError.__init__(
            self, f"you are logged in to the database as {login}; acting as {asked} needs {asked}'s own login")
        self.action, self.needed, self.role = f"acting as {asked}", "own login", login
        self.login, self.asked = login, asked


def database_login(session: Session) -> str | None:
    """The PostgreSQL login of this connection; None on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return session.exec(text("SELECT session_user")).scalar()  # type: ignore[call-overload]


def acting_name(session: Session, state: CliState) -> str:
    """--as, else SHIFTDESK_AGENT, else the database login (PostgreSQL) or the OS user name."""
    login = database_login(session)
    chosen = state.as_agent or os.environ.get("SHIFTDESK_AGENT")
    if login is None:
        return chosen or state.agent_name()
    login_is_agent = session.exec(select(Agent.id).where(Agent.name == login)).first() is not None
    if login_is_agent:
        if chosen and chosen != login:
            raise LoginMismatch(login, chosen)
        return login
    return chosen or state.agent_name()


def acting_agent(session: Session, state: CliState) -> AgentView:
    """The acting agent, or UnknownAgent (whose message lists who exists and how to add one)."""
    return find_agent(session, acting_name(session, state))


def acting_agent_or_none(session: Session, state: CliState) -> AgentView | None:
    """Like acting_agent, but a database with no supervisor yet lets anyone bootstrap it."""
    try:
        return acting_agent(session, state)
    except UnknownAgent:
        has_supervisor = session.exec(select(Agent).where(Agent.role == "supervisor")).first() is not None
        if has_supervisor:
            raise PermissionDenied("this command", "supervisor", "not an agent") from None
        return None
