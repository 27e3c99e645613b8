"""Agents and their roles: who may do what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from store.audit import record_audit
from store.errors import PermissionDenied, UnknownAgent
from store.models import ROLES, Agent
from store.team.permissions import ROLE_RANK, require

# A role can do everything the roles before it can (ROLE_RANK: agent < lead < supervisor).
__all__ = ["ROLE_RANK", "AgentView", "add_agent", "find_agent", "list_agents", "require_role", "set_active",
           "set_role", "view"]


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
    name = name.strip()
    if not name or len(name) > 64 or any(c.isspace() for c in name):
        raise ValueError(f"agent name: {name!r} must be 1-64 characters without spaces")
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
