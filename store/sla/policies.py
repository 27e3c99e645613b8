"""SLA policies: ordered rules, the first whose conditions all match a ticket applies.

Targets are business minutes (a number) or business days ("3bd"), see store/sla/targets.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from sqlmodel import Session, select

from store.models import METRICS, PRIORITIES, Calendar, SlaPolicy
from store.sla.calendar import BusinessCalendar
from store.sla.targets import Target, parse_target

DEFAULT_WARN_SHARE = 0.25

# From the seeds' tier table and the DESIGN's: first reply 30 min / 2 h / 8 h / 24 h (business
# minutes); resolution 4 h, then 1, 3 and 5 business days, counted with the calendar's dates.
DEFAULT_TARGETS: dict[str, dict[str, int | str]] = {
    "urgent": {"first_reply": 30, "next_reply": 30, "resolution": 4 * 60},
    "high": {"first_reply": 2 * 60, "next_reply": 2 * 60, "resolution": "1bd"},
    "normal": {"first_reply": 8 * 60, "next_reply": 8 * 60, "resolution": "3bd"},
    "low": {"first_reply": 24 * 60, "next_reply": 24 * 60, "resolution": "5bd"},
}
# VIP tiers get the fast end of the seeds' second table (critical 15-30 min, high 1-4 h,
# normal 4-8 h, low 24-48 h) and shorter resolution.
VIP_TARGETS: dict[str, dict[str, int | str]] = {
    "urgent": {"first_reply": 15, "next_reply": 15, "resolution": 2 * 60},
    "high": {"first_reply": 60, "next_reply": 60, "resolution": 8 * 60},
    "normal": {"first_reply": 4 * 60, "next_reply": 4 * 60, "resolution": 1 * 24 * 60},
    "low": {"first_reply": 12 * 60, "next_reply": 12 * 60, "resolution": 3 * 24 * 60},
}
ALWAYS_OPEN = {"tz": "UTC", "hours": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}


@dataclass(frozen=True)
class Policy:
    """A policy row made immutable and cheap to match."""

    id: int
    name: str
    position: int
    priorities: frozenset[str]
    tiers: frozenset[str]
    channels: frozenset[str]
    category_prefix: str
    targets: dict[str, dict[str, int | str]] = field(hash=False, compare=False)
    calendar_config: dict = field(hash=False, compare=False)
    warn_share: float = DEFAULT_WARN_SHARE
    pause_statuses: frozenset[str] = frozenset({"pending", "on_hold"})

    def matches(self, *, priority: str, tier: str, channel: str, category: str) -> bool:
        return (
            (not self.priorities or priority in self.priorities)
            and (not self.tiers or tier in self.tiers)
            and (not self.channels or channel in self.channels)
            and (not self.category_prefix or category.startswith(self.category_prefix))
        )

    @cached_property
    def parsed(self) -> dict[tuple[str, str], Target]:
        """Every target, parsed once: (priority, metric) -> Target."""
        return {(p, m): parse_target(v, f"targets.{p}.{m}") for p, cells in self.targets.items()
                for m, v in cells.items()}

    def target(self, priority: str, metric: str) -> Target | None:
        """The target for a priority and metric, or None when that metric is not tracked."""
        return self.parsed.get((priority, metric))

    @property
    def calendar(self) -> BusinessCalendar:
        return calendar_from_config(_freeze(self.calendar_config))


def _freeze(config: dict) -> str:
    import json

    return json.dumps(config, sort_keys=True)


@lru_cache(maxsize=64)
def calendar_from_config(frozen: str) -> BusinessCalendar:
    """Calendars are immutable and costly to build: one per distinct configuration."""
    import json

    return BusinessCalendar.from_config(json.loads(frozen))


@dataclass(frozen=True)
class PolicyBook:
    """All active policies in order, loaded once per unit of work."""

    policies: tuple[Policy, ...]

    def match(self, *, priority: str, tier: str, channel: str, category: str) -> Policy | None:
        for policy in self.policies:
            if policy.matches(priority=priority, tier=tier, channel=channel, category=category):
                return policy
        return None

    def by_id(self, policy_id: int | None) -> Policy | None:
        for policy in self.policies:
            if policy.id == policy_id:
                return policy
        return None


def validate_targets(targets: dict) -> dict[str, dict[str, int | str]]:
    """Refuse a malformed target table with a message naming the bad field; returns it normalised."""
    if not isinstance(targets, dict):
        raise ValueError(f"targets: expected a table of priority -> metric -> target, got {type(targets).__name__}")
    normal: dict[str, dict[str, int | str]] = {}
    for priority, metrics in targets.items():
        if priority not in PRIORITIES:
            raise ValueError(f"targets: unknown priority {priority!r} (one of {', '.join(PRIORITIES)})")
        if not isinstance(metrics, dict):
            raise ValueError(f"targets.{priority}: expected a table of metric -> target")
        for metric, value in metrics.items():
            if metric not in METRICS:
                raise ValueError(f"targets.{priority}: unknown metric {metric!r} (one of {', '.join(METRICS)})")
            normal.setdefault(priority, {})[metric] = parse_target(value, f"targets.{priority}.{metric}").stored
    return normal


def load_policy_book(session: Session) -> PolicyBook:
    calendars = {c.id: c.config for c in session.exec(select(Calendar)).all()}
    rows = session.exec(
        select(SlaPolicy).where(SlaPolicy.active == True).order_by(SlaPolicy.position, SlaPolicy.id)  # noqa: E712
    ).all()
    policies = tuple(
        Policy(
            id=row.id or 0,
            name=row.name,
            position=row.position,
            priorities=frozenset(row.priorities),
            tiers=frozenset(row.tiers),
            channels=frozenset(row.channels),
            category_prefix=row.category_prefix,
            targets=row.targets,
            calendar_config=calendars.get(row.calendar_id) or ALWAYS_OPEN,
            warn_share=row.warn_share,
            pause_statuses=frozenset(row.pause_statuses),
        )
        for row in rows
    )
    return PolicyBook(policies)
