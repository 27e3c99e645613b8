"""at risk in business time: sla_clock.at_risk_at, and the default policy's business-day targets

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-04

Adds sla_clock.at_risk_at (when a clock has only its policy's warning share of the target
left, counted in its calendar's business time) and fills it for every running clock. Tickets
whose clocks run on a calendar that is not 24x7 get their risk_key recomputed from it (on 24x7
the old wall-time key was already right).

The default policy's resolution targets become business days (high 1bd, normal 3bd, low 5bd,
as the DESIGN's table gives them) only if its targets still equal the old defaults exactly
(1,440 / 4,320 / 7,200 minutes with the shipped first- and next-reply targets): a team that
tuned its default policy keeps what it set. Running clocks keep their due times.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None

OLD_DEFAULT_TARGETS = {
    p: {"first_reply": m, "next_reply": m, "resolution": r}
    for p, m, r in (("urgent", 30, 240), ("high", 120, 1440), ("normal", 480, 4320), ("low", 1440, 7200))
}
NEW_DEFAULT_TARGETS = {
    p: {"first_reply": m, "next_reply": m, "resolution": r}
    for p, m, r in (("urgent", 30, 240), ("high", 120, "1bd"), ("normal", 480, "3bd"), ("low", 1440, "5bd"))
}
NO_DUE = 2**62

_clock = sa.table(
    "sla_clock",
    sa.column("id", sa.Integer()),
    sa.column("ticket_id", sa.Integer()),
    sa.column("policy_id", sa.Integer()),
    sa.column("state", sa.String()),
    sa.column("target_seconds", sa.Integer()),
    sa.column("due_at", store.types.UTCDateTime()),
    sa.column("at_risk_at", store.types.UTCDateTime()),
)
_policy = sa.table(
    "sla_policy",
    sa.column("id", sa.Integer()),
    sa.column("name", sa.String()),
    sa.column("targets", sa.JSON()),
    sa.column("calendar_id", sa.Integer()),
    sa.column("warn_share", sa.Float()),
)
_calendar = sa.table("calendar", sa.column("id", sa.Integer()), sa.column("config", sa.JSON()))
_ticket = sa.table("ticket", sa.column("id", sa.Integer()), sa.column("risk_key", sa.BigInteger()))


def upgrade() -> None:
    op.add_column("sla_clock", sa.Column("at_risk_at", store.types.UTCDateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    _convert_default_targets(bind, OLD_DEFAULT_TARGETS, NEW_DEFAULT_TARGETS)
    _backfill_risk(bind)


def downgrade() -> None:
    _convert_default_targets(op.get_bind(), NEW_DEFAULT_TARGETS, OLD_DEFAULT_TARGETS)
    with op.batch_alter_table("sla_clock") as batch:
        batch.drop_column("at_risk_at")


def _convert_default_targets(bind: sa.engine.Connection, old: dict, new: dict) -> None:
    row = bind.execute(sa.select(_policy.c.id, _policy.c.targets).where(_policy.c.name == "default")).first()
    if row is not None and row.targets == old:
        bind.execute(_policy.update().where(_policy.c.id == row.id).values(targets=new))


def _calendars(bind: sa.engine.Connection) -> dict[int, tuple[object | None, float]]:
    """Policy id -> (its BusinessCalendar, or None to count wall time; warning share)."""
    from store.sla.calendar import BusinessCalendar

    built: dict[int, object | None] = {}
    for cid, config in bind.execute(sa.select(_calendar.c.id, _calendar.c.config)):
        try:
            built[cid] = BusinessCalendar.from_config(config)
        except (ValueError, TypeError):  # a calendar the engine could not use either: keep wall time
            built[cid] = None
    return {pid: (built.get(cal_id), float(share if share is not None else 0.25))
            for pid, cal_id, share in bind.execute(
                sa.select(_policy.c.id, _policy.c.calendar_id, _policy.c.warn_share))}


def _risk(cal: object | None, due: datetime, window: timedelta) -> tuple[datetime, bool]:
    """The at-risk instant, and whether business time made it differ from wall time."""
    if cal is None or getattr(cal, "is_always_open", True):
        return due - window, False
    try:
        return cal.before(due, window), True  # type: ignore[attr-defined]
    except ValueError:  # no business hours at all: the engine would fail the same way
        return due - window, False


def _backfill_risk(bind: sa.engine.Connection) -> None:
    rules = _calendars(bind)
    rows = bind.execute(
        sa.select(_clock.c.id, _clock.c.ticket_id, _clock.c.policy_id, _clock.c.target_seconds, _clock.c.due_at)
        .where(_clock.c.state == "running", _clock.c.due_at.is_not(None))
    ).all()
    updates, keys, moved = [], {}, set()
    for cid, tid, pid, target, due in rows:
        cal, share = rules.get(pid, (None, 0.25))
        at_risk, business = _risk(cal, due, timedelta(seconds=max(int(target or 0), 0) * share))
        updates.append({"cid": cid, "risk": at_risk})
        keys[tid] = min(keys.get(tid, NO_DUE), int(at_risk.timestamp()))
        if business:
            moved.add(tid)
    for start in range(0, len(updates), 5000):
        bind.execute(_clock.update().where(_clock.c.id == sa.bindparam("cid")).values(at_risk_at=sa.bindparam("risk")),
                     updates[start:start + 5000])
    tickets = [{"tid": tid, "key": keys[tid]} for tid in sorted(moved)]
    for start in range(0, len(tickets), 5000):
        bind.execute(_ticket.update().where(_ticket.c.id == sa.bindparam("tid")).values(risk_key=sa.bindparam("key")),
                     tickets[start:start + 5000])
