"""What a new database starts with: calendars, the default and VIP policies, shifts.

The default policy's resolution targets are business days (1bd, 3bd, 5bd), as the DESIGN's
table gives them; on its 24x7 calendar a business day is a calendar day. Databases made before
that are converted by migration 0008 when their default policy still has the old hour targets.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from store.models import Calendar, Shift, SlaPolicy
from store.sla.policies import ALWAYS_OPEN, DEFAULT_TARGETS, VIP_TARGETS

DEFAULT_SHIFTS = (("早班", "07:00", "15:00"), ("晚班", "15:00", "23:00"), ("大夜", "23:00", "07:00"))
DEFAULT_TZ = "Asia/Taipei"
OFFICE_HOURS = {
    "tz": DEFAULT_TZ,
    "hours": {d: [["09:00", "12:00"], ["13:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    "country": "TW",
}


def ensure_defaults(session: Session, at: datetime) -> None:
    """Idempotent: adds only what is missing, never overwrites what a team has tuned."""
    del at
    calendars = {c.name: c for c in session.exec(select(Calendar)).all()}
    if "24x7" not in calendars:
        calendars["24x7"] = Calendar(name="24x7", config=ALWAYS_OPEN)
        session.add(calendars["24x7"])
    if "taipei-office" not in calendars:
        calendars["taipei-office"] = Calendar(name="taipei-office", config=OFFICE_HOURS)
        session.add(calendars["taipei-office"])
    session.flush()
    policies = {p.name for p in session.exec(select(SlaPolicy)).all()}
    if "vip" not in policies:
        session.add(SlaPolicy(name="vip", position=10, tiers=["gold", "platinum", "diamond"],
                              targets=VIP_TARGETS, calendar_id=calendars["24x7"].id))
    if "default" not in policies:
        session.add(SlaPolicy(name="default", position=100, targets=DEFAULT_TARGETS,
                              calendar_id=calendars["24x7"].id))
    if session.exec(select(Shift).where(Shift.team == "default")).first() is None:
        for position, (name, start, end) in enumerate(DEFAULT_SHIFTS):
            session.add(Shift(team="default", name=name, start=start, end=end, tz=DEFAULT_TZ, position=position))

