"""The append-only audit trail: who changed what, when, from what to what."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from store.models import Audit


def record_audit(session: Session, at: datetime, actor_id: int | None, entity: str, entity_id: int | None,
                 action: str, before: dict, after: dict) -> None:
    session.add(Audit(at=at, actor_id=actor_id, entity=entity, entity_id=entity_id, action=action,
                      before=before, after=after))
