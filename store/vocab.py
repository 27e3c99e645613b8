"""The words the data is spelled in: roles, tiers, channels, priorities, statuses, metrics.

Plain tuples with no ORM import, so the console and the widgets may name them without pulling
in SQLModel; store/models.py takes them from here. They are plain strings in the database
(PostgreSQL and SQLite agree, and a new value needs no migration).
"""

from __future__ import annotations

__all__ = [
    "CHANNELS", "EVENT_KINDS", "METRICS", "OPEN_STATUSES", "PRIORITIES", "PRIORITY_RANK", "ROLES",
    "STATUSES", "TIERS", "VIP_TIERS",
]

ROLES = ("agent", "lead", "supervisor")
TIERS = ("standard", "gold", "platinum", "diamond")
VIP_TIERS = ("gold", "platinum", "diamond")
CHANNELS = ("email", "chat", "phone", "web", "social")
PRIORITIES = ("urgent", "high", "normal", "low")
PRIORITY_RANK = {name: rank for rank, name in enumerate(PRIORITIES)}
STATUSES = ("new", "open", "pending", "on_hold", "solved", "closed")
OPEN_STATUSES = ("new", "open", "pending", "on_hold")
METRICS = ("first_reply", "next_reply", "resolution")
EVENT_KINDS = (
    "created",
    "customer_message",
    "agent_reply",
    "internal_note",
    "status_changed",
    "assigned",
    "priority_changed",
    "tier_changed",
    "escalated",
    "survey",
    "rule_applied",
    "sla_breached",
)
