"""Editing SLA policies and business calendars: supervisors only, validated, audited.

A change applies to tickets from their next SLA event on (a new ticket, a priority or tier
change re-matches policies); running clocks keep the due times they were given.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from store.audit import record_audit
from store.errors import NotFound
from store.limits import check_position, check_text
from store.models import CHANNELS, METRICS, PRIORITIES, TIERS, Calendar, SlaPolicy
from store.sla.calendar import BusinessCalendar
from store.sla.policies import validate_targets
from store.sla.targets import parse_target
from store.team.permissions import require

PAUSABLE = ("pending", "on_hold")
OFF = "off"  # a target set to `off` is removed: that metric is not tracked for that priority


@dataclass(frozen=True)
class PolicyView:
    id: int
    name: str
    position: int
    active: bool
    priorities: tuple[str, ...]
    tiers: tuple[str, ...]
    channels: tuple[str, ...]
    category_prefix: str
    targets: dict[str, dict[str, int | str]]  # business minutes, or business days as "3bd"
    calendar: str | None
    warn_share: float
    pause_statuses: tuple[str, ...]


@dataclass(frozen=True)
class PolicyChange:
    """What to change; None leaves a field as it is. `targets` sets single cells.

    A cell is minutes (90), a string the store parses ("90", "4h", "3bd"), or OFF.
    """

    position: int | None = None
    active: bool | None = None
    priorities: tuple[str, ...] | None = None
    tiers: tuple[str, ...] | None = None
    channels: tuple[str, ...] | None = None
    category_prefix: str | None = None
    targets: dict[str, dict[str, int | str]] | None = None
    calendar: str | None = None
    warn_share: float | None = None
    pause_statuses: tuple[str, ...] | None = None


@dataclass(frozen=True)
class CalendarView:
    id: int
    name: str
    config: dict
    used_by: tuple[str, ...]


def _calendar_names(session: Session) -> dict[int, str]:
    return {c.id or 0: c.name for c in session.exec(select(Calendar)).all()}


def _view(row: SlaPolicy, calendars: dict[int, str]) -> PolicyView:
    return PolicyView(
        id=row.id or 0, name=row.name, position=row.position, active=row.active,
        priorities=tuple(row.priorities), tiers=tuple(row.tiers), channels=tuple(row.channels),
        category_prefix=row.category_prefix, targets={p: dict(m) for p, m in row.targets.items()},
        calendar=calendars.get(row.calendar_id or 0), warn_share=row.warn_share,
        pause_statuses=tuple(row.pause_statuses),
    )


def list_policies(session: Session) -> list[PolicyView]:
    """Every policy, active or not, in the order they are tried."""
    calendars = _calendar_names(session)
    rows = session.exec(select(SlaPolicy).order_by(col(SlaPolicy.position), col(SlaPolicy.id))).all()
    return [_view(row, calendars) for row in rows]


def _policy_row(session: Session, name: str) -> SlaPolicy:
    row = session.exec(select(SlaPolicy).where(SlaPolicy.name == name)).first()
    if row is None:
        known = ", ".join(p.name for p in list_policies(session)) or "-"
        raise NotFound(f"no SLA policy named {name!r} (policies: {known})")
    return row


def get_policy(session: Session, name: str) -> PolicyView:
    return _view(_policy_row(session, name), _calendar_names(session))


def _subset(field: str, values: tuple[str, ...], allowed: tuple[str, ...]) -> list[str]:
    bad = [v for v in values if v not in allowed]
    if bad:
        raise ValueError(f"{field}: {', '.join(map(repr, bad))} not among {', '.join(allowed)}")
    return list(dict.fromkeys(values))


def _merge_targets(current: dict, cells: dict[str, dict[str, int | str]]) -> dict[str, dict[str, int | str]]:
    """The policy's targets with the given cells set or removed, each checked against the limits."""
    merged = {p: dict(m) for p, m in current.items()}
    for priority, metrics in cells.items():
        for metric, value in metrics.items():
            if priority not in PRIORITIES or metric not in METRICS:
                validate_targets({priority: {metric: 1}})  # raises, naming the bad key
            if value == OFF:
                merged.get(priority, {}).pop(metric, None)
            else:
                cell = parse_target(value, f"targets.{priority}.{metric}")  # raises, naming the field
                merged.setdefault(priority, {})[metric] = cell.stored
    merged = {p: m for p, m in merged.items() if m}
    return validate_targets(merged)


def _apply(session: Session, row: SlaPolicy, change: PolicyChange) -> None:
    if change.position is not None:
        row.position = check_position("position", change.position)
    if change.active is not None:
        row.active = change.active
    if change.priorities is not None:
        row.priorities = _subset("priorities", change.priorities, PRIORITIES)
    if change.tiers is not None:
        row.tiers = _subset("tiers", change.tiers, TIERS)
    if change.channels is not None:
        row.channels = _subset("channels", change.channels, CHANNELS)
    if change.category_prefix is not None:
        row.category_prefix = check_text("category prefix", change.category_prefix, limit=128, allow_empty=True)
    if change.targets is not None:
        row.targets = _merge_targets(row.targets, change.targets)
    if change.calendar is not None:
        cal = session.exec(select(Calendar).where(Calendar.name == change.calendar)).first()
        if cal is None:
            raise NotFound(f"no calendar named {change.calendar!r} "
                           f"(calendars: {', '.join(sorted(_calendar_names(session).values())) or '-'})")
        row.calendar_id = cal.id
    if change.warn_share is not None:
        if not 0 < change.warn_share < 1:
            raise ValueError(f"warn share: {change.warn_share} must be between 0 and 1 (0.25 = the last quarter)")
        row.warn_share = float(change.warn_share)
    if change.pause_statuses is not None:
        row.pause_statuses = _subset("pause statuses", change.pause_statuses, PAUSABLE)


def _diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def _plain(view: PolicyView) -> dict[str, Any]:
    data = asdict(view)
    data.pop("id")
    return {k: list(v) if isinstance(v, tuple) else v for k, v in data.items()}


def set_policy(session: Session, at: datetime, actor_id: int | None, name: str, change: PolicyChange, *,
               create: bool = False) -> PolicyView:
    """Change (or with `create`, add) a policy; refused below supervisor; the change is audited."""
    require(session, actor_id, "supervisor", "editing SLA policies")
    existing = session.exec(select(SlaPolicy).where(SlaPolicy.name == name).with_for_update()).first()
    if existing is None and not create:
        _policy_row(session, name)  # raises NotFound listing the policies
    if existing is not None and create:
        raise ValueError(f"an SLA policy named {name!r} already exists")
    if create:
        check_text("policy name", name, limit=64)
    row = existing or SlaPolicy(name=name.strip(), targets={})
    calendars = _calendar_names(session)
    before = {} if existing is None else _plain(_view(row, calendars))
    _apply(session, row, change)
    if not row.targets:
        raise ValueError("targets: a policy needs at least one target (e.g. --target normal.first_reply=480)")
    session.add(row)
    session.flush()
    view = _view(row, _calendar_names(session))
    old, new = _diff(before, _plain(view))
    if new:
        record_audit(session, at, actor_id, "sla_policy", row.id, "create" if existing is None else "update", old, new)
    return view


# -- calendars ------------------------------------------------------------------------------------


def list_calendars(session: Session) -> list[CalendarView]:
    users: dict[int, list[str]] = {}
    for policy in session.exec(select(SlaPolicy).order_by(col(SlaPolicy.position))).all():
        users.setdefault(policy.calendar_id or 0, []).append(policy.name)
    return [CalendarView(c.id or 0, c.name, dict(c.config), tuple(users.get(c.id or 0, ())))
            for c in session.exec(select(Calendar).order_by(col(Calendar.name))).all()]


def set_calendar(session: Session, at: datetime, actor_id: int | None, name: str, config: dict, *,
                 create: bool = False) -> CalendarView:
    """Replace (or add) a calendar's configuration, validated by building it; supervisors only."""
    require(session, actor_id, "supervisor", "editing calendars")
    normalised = BusinessCalendar.from_config(config).to_config()  # raises ValueError naming the bad part
    row = session.exec(select(Calendar).where(Calendar.name == name).with_for_update()).first()
    if row is None and not create:
        known = ", ".join(c.name for c in list_calendars(session)) or "-"
        raise NotFound(f"no calendar named {name!r} (calendars: {known}); add it with --create")
    if row is not None and create:
        raise ValueError(f"a calendar named {name!r} already exists")
    before = {} if row is None else dict(row.config)
    row = row or Calendar(name=check_text("calendar name", name, limit=64))
    row.config = normalised
    session.add(row)
    session.flush()
    if before != normalised:
        record_audit(session, at, actor_id, "calendar", row.id, "create" if not before else "update",
                     {"config": before} if before else {}, {"config": normalised})
    return next(c for c in list_calendars(session) if c.id == row.id)
