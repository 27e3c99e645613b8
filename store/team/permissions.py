"""Role checks inside the writing transaction.

Store functions take the acting agent's id and check the role read from the agent row in the
same transaction, so a demotion or deactivation holds from the very next action of a console
that is already open. `actor_id=None` is the system itself (intake, defaults, migrations).
"""

from __future__ import annotations

from sqlmodel import Session

from store.errors import PermissionDenied
from store.models import ROLES, Agent

ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}


def require(session: Session, actor_id: int | None, needed: str, action: str) -> Agent | None:
    """The acting agent if their role covers `needed`; PermissionDenied names the role otherwise."""
    if actor_id is None:
        return None
    agent = session.get(Agent, actor_id)
    if agent is None:
        raise PermissionDenied(action, needed, "unknown")
    if not agent.active:
        raise PermissionDenied(action, needed, f"{agent.role} (deactivated)")
    if ROLE_RANK.get(agent.role, -1) < ROLE_RANK[needed]:
        raise PermissionDenied(action, needed, agent.role)
    return agent
