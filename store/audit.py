"""The append-only audit trail: who changed what, when, from what to what.

Rows are only ever added (`record_audit`, inside the transaction that made the change); nothing
in Shiftdesk updates or deletes them, and on PostgreSQL the agents' database role may not
either (see README, "Teams on PostgreSQL").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from store.models import Agent, Audit
from store.team.names import PERSON_FIELDS, person_labels

SYSTEM = "system"  # the actor of changes no agent made (intake, defaults, the SLA sweep)


@dataclass(frozen=True)
class AuditView:
    id: int
    at: datetime
    actor_id: int | None
    actor: str
    entity: str
    entity_id: int | None
    action: str
    before: dict
    after: dict

    def changes(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field either side mentions, in a stable order."""
        keys = list(dict.fromkeys([*self.before, *self.after]))
        return [(k, self.before.get(k), self.after.get(k)) for k in keys]

    def named_changes(self, people: dict[int, str]) -> list[tuple[str, object, object]]:
        """`changes()` as a person reads them: an agent id is the agent's name (store/team/names.py)
        under the field's plain name (`assignee`, not `assignee_id`)."""
        def who(value: object) -> object:
            if isinstance(value, int) and not isinstance(value, bool):
                return people.get(value, f"#{value}")
            return value

        return [(PERSON_FIELDS[k], who(b), who(a)) if k in PERSON_FIELDS else (k, b, a) for k, b, a in self.changes()]

    def actor_label(self, people: dict[int, str]) -> str:
        """Who acted, as named on screens (display name; login beside a shared one)."""
        return people.get(self.actor_id, self.actor) if self.actor_id is not None else self.actor


def audit_people(session: Session) -> dict[int, str]:
    """Every agent's label, for `named_changes` and `actor_label`."""
    from store.db.reader import session_unit

    return person_labels(session_unit(session))


def record_audit(session: Session, at: datetime, actor_id: int | None, entity: str, entity_id: int | None,
                 action: str, before: dict, after: dict) -> None:
    session.add(Audit(at=at, actor_id=actor_id, entity=entity, entity_id=entity_id, action=action,
                      before=before, after=after))


def audit_rows(session: Session, *, entity: str | None = None, entity_id: int | None = None,
               actor_id: int | None = None, since: datetime | None = None, until: datetime | None = None,
               limit: int | None = None) -> list[AuditView]:
    """The trail, oldest first, filtered in SQL."""
    query = select(Audit, Agent.name).join(Agent, col(Agent.id) == Audit.actor_id, isouter=True)
    if entity is not None:
        query = query.where(Audit.entity == entity)
    if entity_id is not None:
        query = query.where(Audit.entity_id == entity_id)
    if actor_id is not None:
        query = query.where(Audit.actor_id == actor_id)
    if since is not None:
        query = query.where(Audit.at >= since)
    if until is not None:
        query = query.where(Audit.at < until)
    query = query.order_by(col(Audit.at), col(Audit.id))
    if limit is not None:
        query = query.limit(limit)
    return [
        AuditView(row.id or 0, row.at, row.actor_id, name or SYSTEM, row.entity, row.entity_id, row.action,
                  dict(row.before or {}), dict(row.after or {}))
        for row, name in session.exec(query).all()
    ]


def audit_for_ticket(session: Session, ticket_id: int) -> list[AuditView]:
    """Everything done to one ticket, oldest first: for the detail pane and `shiftdesk audit`."""
    return audit_rows(session, entity="ticket", entity_id=ticket_id)
