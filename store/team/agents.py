"""Agents and their roles: who may do what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, select

from store.audit import record_audit
from store.errors import PermissionDenied, ShiftdeskError, UnknownAgent
from store.limits import check_display, check_login, check_team
from store.models import ROLES, Agent
from store.team.permissions import ROLE_RANK, require

# A role can do everything the roles before it can (ROLE_RANK: agent < lead < supervisor).
__all__ = ["ROLE_RANK", "AgentView", "LoginMismatch", "acting_agent", "acting_agent_or_none", "acting_name",
           "add_agent", "database_login", "find_agent", "list_agents", "require_role", "set_active", "set_role",
           "view"]


@dataclass(frozen=True)
class AgentView:
    id: int
    name: str
    display_name: str
    role: str
    team: str
    active: bool

    @property
    def label(self) -> str:
        return self.display_name or self.name


def view(agent: Agent) -> AgentView:
    return AgentView(agent.id or 0, agent.name, agent.display_name, agent.role, agent.team, agent.active)


def list_agents(session: Session, *, include_inactive: bool = False) -> list[AgentView]:
    query = select(Agent).order_by(Agent.name)
    if not include_inactive:
        query = query.where(Agent.active == True)  # noqa: E712
    return [view(a) for a in session.exec(query).all()]


def find_agent(session: Session, name: str) -> AgentView:
    """The agent called `name`, or UnknownAgent listing who exists."""
    agent = session.exec(select(Agent).where(Agent.name == name)).first()
    if agent is None or not agent.active:
        known = [a.name for a in list_agents(session)]
        raise UnknownAgent(name, known)
    return view(agent)


def add_agent(session: Session, at: datetime, name: str, *, role: str = "agent", display_name: str = "",
              team: str = "default", actor_id: int | None = None) -> AgentView:
    require(session, actor_id, "supervisor", "adding agents")
    name = check_login("agent name", name)
    display_name = check_display("display name", display_name)
    team = check_team("team", team)
    if role not in ROLES:
        raise ValueError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    if session.exec(select(Agent).where(Agent.name == name)).first() is not None:
        raise ValueError(f"agent name: {name!r} already exists")
    agent = Agent(name=name, display_name=display_name or name, role=role, team=team, created_at=at)
    session.add(agent)
    session.flush()
    record_audit(session, at, actor_id, "agent", agent.id, "create", {}, {"name": name, "role": role})
    return view(agent)


def _agent_row(session: Session, name: str) -> Agent:
    agent = session.exec(select(Agent).where(Agent.name == name).with_for_update()).first()
    if agent is None:
        raise UnknownAgent(name, [a.name for a in list_agents(session, include_inactive=True)])
    return agent


def _keep_a_supervisor(session: Session, agent: Agent) -> None:
    """Refuse to demote or deactivate the last active supervisor: nobody could undo it."""
    if agent.role != "supervisor" or not agent.active:
        return
    others = session.exec(select(Agent.id).where(Agent.role == "supervisor", Agent.active == True,  # noqa: E712
                                                 Agent.id != agent.id)).first()
    if others is None:
        raise ValueError(f"{agent.name} is the last active supervisor; make someone else supervisor first")


def set_role(session: Session, at: datetime, name: str, role: str, *, actor_id: int | None = None) -> AgentView:
    """Change an agent's role; supervisors only; audited."""
    require(session, actor_id, "supervisor", "changing roles")
    if role not in ROLES:
        raise ValueError(f"role: {role!r} is not one of {', '.join(ROLES)}")
    agent = _agent_row(session, name)
    before = agent.role
    if before == role:
        return view(agent)
    if ROLE_RANK[role] < ROLE_RANK[before]:
        _keep_a_supervisor(session, agent)
    agent.role = role
    session.add(agent)
    record_audit(session, at, actor_id, "agent", agent.id, "role", {"role": before}, {"role": role})
    return view(agent)


def set_active(session: Session, at: datetime, name: str, active: bool, *,
               actor_id: int | None = None) -> AgentView:
    """Deactivate (or bring back) an agent: a deactivated one can no longer act or log in;
    their tickets, history and audit rows stay. Supervisors only; audited."""
    require(session, actor_id, "supervisor", "deactivating agents" if not active else "reactivating agents")
    agent = _agent_row(session, name)
    if agent.active == active:
        return view(agent)
    if not active:
        if agent.id == actor_id:
            raise ValueError("you cannot deactivate yourself")
        _keep_a_supervisor(session, agent)
    agent.active = active
    session.add(agent)
    record_audit(session, at, actor_id, "agent", agent.id, "deactivate" if not active else "reactivate",
                 {"active": not active}, {"active": active})
    return view(agent)


def require_role(agent: AgentView, needed: str, action: str) -> None:
    """Refuse an action the agent's role does not cover, saying which role it needs."""
    if ROLE_RANK[agent.role] < ROLE_RANK[needed]:
        raise PermissionDenied(action, needed, agent.role)


# -- who is acting ------------------------------------------------------------------------------
# --as, SHIFTDESK_AGENT or the OS user, resolved against the agent table. On PostgreSQL each person
# may have their own database login named like their agent: then the login is who acts (`--as`
# defaults to it, and naming someone else is refused). A login that is no agent (a shared service
# login, the database owner) may pick anyone, as on SQLite.


class LoginMismatch(PermissionDenied):
    """--as names another agent than the PostgreSQL login this person connected with."""

    def __init__(self, login: str, asked: str) -> None:
        ShiftdeskError.__init__(
            self, f"you are logged in to the database as {login}; only {asked}'s own login acts as {asked} "
                  f"(drop --as, or connect as {asked})")
        self.action, self.needed, self.role = f"acting as {asked}", "own login", login
        self.login, self.asked = login, asked


def database_login(session: Session) -> str | None:
    """The PostgreSQL login of this connection; None on SQLite."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    return session.exec(text("SELECT session_user")).scalar()  # type: ignore[call-overload]


def acting_name(session: Session, chosen: str | None, fallback: str) -> str:
    """`chosen` (--as or SHIFTDESK_AGENT), else the database login (PostgreSQL), else `fallback`
    (the OS user name)."""
    login = database_login(session)
    if login is None:
        return chosen or fallback
    login_is_agent = session.exec(select(Agent.id).where(Agent.name == login)).first() is not None
    if login_is_agent:
        if chosen and chosen != login:
            raise LoginMismatch(login, chosen)
        return login
    return chosen or fallback


def acting_agent(session: Session, chosen: str | None, fallback: str) -> AgentView:
    """The acting agent, or UnknownAgent (whose message lists who exists and how to add one)."""
    return find_agent(session, acting_name(session, chosen, fallback))


def acting_agent_or_none(session: Session, chosen: str | None, fallback: str) -> AgentView | None:
    """Like acting_agent, but a database with no supervisor yet lets anyone bootstrap it."""
    try:
        return acting_agent(session, chosen, fallback)
    except UnknownAgent:
        has_supervisor = session.exec(select(Agent).where(Agent.role == "supervisor")).first() is not None
        if has_supervisor:
            raise PermissionDenied("this command", "supervisor", "not an agent") from None
        return None
