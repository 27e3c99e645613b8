"""What the SLA panel reads on every refresh, as frozen views: no ORM objects leave here.

Every query is bounded: the period figures come from the rollups (store/reports/figures.py), the
"breached now" and "at risk now" lists from the ticket indexes on due_key/risk_key, the open
counts from rollup_open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from store.models import PRIORITIES
from store.reports.figures import IntakeCurve, Period, figures, intake_curve, panel_periods, settle
from store.rollups.facts import sec as epoch
from store.rollups.metrics import REPEAT_WINDOW_SECONDS, Figures
from store.sla.clocks import at_risk_horizon
from store.sla.policies import load_policy_book
from store.team.shifts import ShiftWindow, current_shift
from store.team.team_settings import repeat_window

PERIODS = ("shift", "today", "week")
BREAKDOWNS = ("agent", "channel", "priority", "category")


@dataclass(frozen=True)
class TicketLine:
    """One ticket in the breached or at-risk list. `subject` is raw customer text: sanitise to show."""

    id: int
    subject: str
    priority: str
    status: str
    channel: str
    assignee: str
    metric: str
    due_at: datetime


@dataclass(frozen=True)
class PanelSnapshot:
    at: datetime
    shift: ShiftWindow
    periods: dict[str, Period]
    totals: dict[str, Figures]
    breached: tuple[TicketLine, ...]
    breached_count: int
    at_risk: tuple[TicketLine, ...]
    at_risk_count: int
    open_counts: dict[tuple[str, str], int]
    intake: IntakeCurve
    breakdown_period: str
    breakdown_dim: str | None
    breakdown: dict[str, Figures] = field(default_factory=dict)
    agent_labels: dict[str, str] = field(default_factory=dict)
    repeat_window: int = REPEAT_WINDOW_SECONDS  # the team's, in seconds: what "repeat contact" counted


def at_risk_until(session: Session, now: datetime) -> int:
    """Epoch seconds past which no due time can be at risk at `now` (business time, every calendar)."""
    book = load_policy_book(session)
    return epoch(at_risk_horizon(book, [p.calendar for p in book.policies], now)) + 1


def agent_labels(session: Session) -> dict[str, str]:
    rows = session.execute(text("SELECT id, name, display_name FROM agent")).all()
    return {str(i): (display or name) for i, name, display in rows}


def agent_names(session: Session) -> dict[str, str]:
    """Agent id (as a rollup key) to login name: stable labels for reports."""
    return {str(i): name for i, name in session.execute(text("SELECT id, name FROM agent")).all()}


def open_counts(session: Session) -> dict[tuple[str, str], int]:
    rows = session.execute(text("SELECT priority, status, n FROM rollup_open WHERE n != 0")).all()
    return {(p, s): n for p, s, n in rows}


_LINE_SQL = ("SELECT t.id, t.subject, t.priority, t.status, t.channel, t.assignee_id, t.due_key FROM ticket AS t "
             "WHERE t.id IN :ids")


def _lines(session: Session, ids: list[int], labels: dict[str, str]) -> tuple[TicketLine, ...]:
    if not ids:
        return ()
    rows = {r[0]: r for r in session.execute(text(_LINE_SQL).bindparams(bindparam("ids", expanding=True)),
                                             {"ids": ids})}
    metric_rows = session.execute(
        text("SELECT ticket_id, metric, due_at FROM sla_clock WHERE state = 'running' AND due_at IS NOT NULL "
             "AND ticket_id IN :ids ORDER BY due_at DESC").bindparams(bindparam("ids", expanding=True)),
        {"ids": ids}).all()
    metrics = {tid: metric for tid, metric, _ in metric_rows}  # the earliest due wins (sorted last)
    out = []
    for tid in ids:
        r = rows.get(tid)
        if r is None:
            continue
        assignee = "" if r[5] is None else labels.get(str(r[5]), str(r[5]))
        out.append(TicketLine(r[0], r[1], r[2], r[3], r[4], assignee, metrics.get(tid, ""),
                              datetime.fromtimestamp(r[6], UTC)))
    return tuple(out)


def _first_ids(session: Session, where: str, params: dict, limit: int) -> list[int]:
    """The first `limit` ids by priority, then due time: one short walk of ix_ticket_queue per priority."""
    ids: list[int] = []
    for rank in range(len(PRIORITIES)):
        if len(ids) >= limit:
            break
        ids += [r[0] for r in session.execute(
            text(f"SELECT id FROM ticket WHERE is_open = :yes AND priority_rank = :rank AND {where} "
                 "ORDER BY due_key, id LIMIT :n"), {**params, "yes": True, "rank": rank, "n": limit - len(ids)})]
    return ids


def breached_now(session: Session, now: datetime, labels: dict[str, str], limit: int = 50
                 ) -> tuple[tuple[TicketLine, ...], int]:
    """Open tickets with a clock running past its due time: most urgent priority, longest overdue first."""
    cut = epoch(now)
    count = session.execute(text("SELECT COUNT(*) FROM ticket WHERE is_open = :yes AND due_key < :cut"),
                            {"yes": True, "cut": cut}).scalar() or 0
    ids = _first_ids(session, "due_key < :cut", {"cut": cut}, limit)
    return _lines(session, ids, labels), int(count)


def at_risk_now(session: Session, now: datetime, labels: dict[str, str], limit: int = 50,
                window: int | None = None) -> tuple[tuple[TicketLine, ...], int]:
    """Open tickets not yet breached with a clock inside its warning share: most urgent, soonest due first."""
    cut = epoch(now)
    hi = cut + window if window is not None else at_risk_until(session, now)
    # One walk of ix_ticket_open_due_risk (covering) counts them all and sorts out the first ones.
    rows = session.execute(text(
        "SELECT id, COUNT(*) OVER () FROM ticket WHERE is_open = :yes AND due_key >= :cut AND due_key <= :hi "
        "AND risk_key <= :cut ORDER BY priority_rank, due_key, id LIMIT :n"),
        {"yes": True, "cut": cut, "hi": hi, "n": limit}).all()
    return _lines(session, [r[0] for r in rows], labels), int(rows[0][1]) if rows else 0


def panel_snapshot(session: Session, now: datetime, *, period: str = "shift", dim: str | None = "agent",
                   limit: int = 50, team: str = "default") -> PanelSnapshot:
    """Everything one panel refresh shows."""
    shift = current_shift(session, now, team)
    labels = agent_labels(session)
    periods = {p.key: p for p in panel_periods(shift.start, now, shift.tz)}
    totals = {key: figures(session, p.start, p.end, now=now).get("", Figures()) for key, p in periods.items()}
    breakdown: dict[str, Figures] = {}
    if dim is not None:
        chosen = periods[period]
        # The agent table shows first-reply medians only: leave the resolution histograms unread.
        breakdown = figures(session, chosen.start, chosen.end, dim, kinds=(0,) if dim == "agent" else (0, 1), now=now)
    breached, breached_count = breached_now(session, now, labels, limit)
    at_risk, at_risk_count = at_risk_now(session, now, labels, limit)
    return PanelSnapshot(
        at=now, shift=shift, periods=periods, totals=totals, breached=breached, breached_count=breached_count,
        at_risk=at_risk, at_risk_count=at_risk_count, open_counts=open_counts(session),
        intake=intake_curve(session, now, shift.tz), breakdown_period=period, breakdown_dim=dim,
        breakdown=breakdown, agent_labels=labels, repeat_window=repeat_window(session.connection()))



def panel_refresh(db: Any, now: datetime, *, period: str = "shift", dim: str | None = "agent", limit: int = 50,
                  team: str = "default") -> PanelSnapshot:
    """One refresh as the panel's worker does it: breaches that fell due are recorded first (a short
    write), then everything is read in one read."""
    settle(db, now)
    with db.read() as session:
        return panel_snapshot(session, now, period=period, dim=dim, limit=limit, team=team)
