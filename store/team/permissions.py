"""Role checks inside the writing transaction.

Store functions take the acting agent's id and check the role read from the agent row in the
same transaction, so a demotion or deactivation holds from the very next action of a console
that is already open. `actor_id=None` is the system itself (intake, defaults, migrations).
"""

from __future__ import annotations

from sqlmodel import Session

from store.errors import HeldByOther, PermissionDenied
from store.models import ROLES, Agent, Ticket

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


def require_holder(session: Session, ticket: Ticket, actor_id: int | None, action: str) -> None:
    """An agent acts on a ticket they hold or nobody holds; a lead or supervisor on any. The same
    rule as the PostgreSQL guard's, checked here so SQLite refuses too, in the same words."""
    if actor_id is None or ticket.assignee_id in (None, actor_id):
        return
    agent = require(session, actor_id, "agent", action)
    if agent is not None and ROLE_RANK.get(agent.role, -1) >= ROLE_RANK["lead"]:
        return
    holder = session.get(Agent, ticket.assignee_id)
    raise HeldByOther(ticket.id or 0, holder.name if holder else f"agent #{ticket.assignee_id}")
