"""The same figures by a plain SQL scan of the history: no rollups, the reference they must match.

Used for the edges of periods that do not start or end on a whole hour, by the bench
(side by side with the rollups, to show both agree and what the rollups save) and by tests.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, text
from sqlmodel import Session

from store.rollups.metrics import (
    REPEAT_WINDOW_SECONDS,
    Figures,
    bin_of,
    coarse_bin,
    exact_percentile,
)
from store.rollups.rebuild import FIRST_HOLDER, epoch_sql, json_int_sql
from store.types import UTCDateTime

SOLVED = "('solved', 'closed')"


@dataclass
class Scanned:
    """Figures per key, with the raw durations kept for exact percentiles."""

    figures: dict[str, Figures] = field(default_factory=lambda: defaultdict(Figures))
    frt_values: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    res_values: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def exact(self, key: str, kind: str, p: float) -> int | None:
        values = self.frt_values if kind == "frt" else self.res_values
        return exact_percentile(values.get(key, []), p)


def _key(value: object) -> str:
    return "" if value is None else str(value)


def group(*columns: str) -> str:
    """A GROUP BY over the columns, leaving out the constant '' key (PostgreSQL refuses it)."""
    kept = [c for c in columns if c != "''"]
    return f" GROUP BY {', '.join(kept)}" if kept else ""


def _ticket_key(dim: str, alias: str, agent: str | None) -> str | None:
    """The SQL for a row's group key under `dim`, or None when the figure has no such key."""
    if dim == "all":
        return "''"
    if dim == "agent":
        return agent
    return f"{alias}.{dim}"


def scan(session: Session, start: datetime, end: datetime, dim: str = "all") -> Scanned:
    """Every counter of store.rollups.metrics over [start, end), grouped by `dim`, straight from the tables."""
    dialect = session.get_bind().dialect.name
    ep = lambda c: epoch_sql(dialect, c)  # noqa: E731
    scale = (lambda index: index) if dim == "all" else coarse_bin  # breakdowns keep the coarse scale
    out = Scanned()

    def run(sql: str) -> list:
        stmt = text(sql).bindparams(bindparam("s", type_=UTCDateTime()), bindparam("e", type_=UTCDateTime()))
        return list(session.execute(stmt, {"s": start, "e": end}).all())

    def add(key: object, **values: int) -> None:
        out.figures[_key(key)].add_counts(values)

    key = _ticket_key(dim, "t", None)
    if key is not None:
        for k, n, rep, solved in run(
            f"SELECT {key}, COUNT(*), SUM(CASE WHEN {ep('t.created_at')} - {ep('t.prev_at')} <= "
            f"{REPEAT_WINDOW_SECONDS} THEN 1 ELSE 0 END), SUM(CASE WHEN t.status IN {SOLVED} THEN 1 ELSE 0 END) "
            f"FROM (SELECT ticket.*, LAG(created_at) OVER (PARTITION BY customer_id ORDER BY created_at, id) "
            f"AS prev_at FROM ticket) AS t WHERE t.created_at >= :s AND t.created_at < :e {group(key)}"):
            add(k, received=n, repeat_contact=rep or 0, received_solved=solved or 0)
    if dim in ("all", "agent"):
        to = json_int_sql(dialect, "e.data", "to")
        assigned_key = "''" if dim == "all" else to
        for k, n in run(f"SELECT {assigned_key}, COUNT(*) FROM ticket_event AS e WHERE e.kind = 'assigned' AND "
                        f"{to} IS NOT NULL AND e.at >= :s AND e.at < :e {group(assigned_key)}"):
            add(k, assigned=n)
        replied_key = "''" if dim == "all" else "e.actor_id"
        for k, n in run(f"SELECT {replied_key}, COUNT(*) FROM ticket_event AS e WHERE e.kind = 'agent_reply' "
                        f"AND e.at >= :s AND e.at < :e {group(replied_key)}"):
            add(k, replied=n)
    key = _ticket_key(dim, "t", "t.assignee_id")
    for k, secs, fcr in run(
        f"SELECT {key}, {ep('t.solved_at')} - {ep('t.created_at')}, CASE WHEN t.reply_count = 1 AND "
        f"t.reopen_count = 0 THEN 1 ELSE 0 END FROM ticket AS t WHERE t.status IN {SOLVED} AND "
        f"t.solved_at >= :s AND t.solved_at < :e"):
        add(k, solved=1, solved_fcr=fcr, res_sum=secs)
        out.figures[_key(k)].add_hist(1, scale(bin_of(secs)), 1)
        out.res_values[_key(k)].append(secs)
    key = _ticket_key(dim, "t", FIRST_HOLDER)
    for k, secs in run(f"SELECT {key}, {ep('t.first_reply_at')} - {ep('t.created_at')} FROM ticket AS t "
                       f"WHERE t.first_reply_at >= :s AND t.first_reply_at < :e"):
        add(k, frt_n=1, frt_sum=secs)
        out.figures[_key(k)].add_hist(0, scale(bin_of(secs)), 1)
        out.frt_values[_key(k)].append(secs)
    key = _ticket_key(dim, "t", "c.agent_id")
    columns = {("first_reply", "met"): "fr_met", ("first_reply", "breached"): "fr_breached",
               ("next_reply", "met"): "nr_met", ("next_reply", "breached"): "nr_breached",
               ("resolution", "met"): "rs_met", ("resolution", "breached"): "rs_breached"}
    for k, metric, outcome, n in run(
        f"SELECT {key}, c.metric, c.outcome, COUNT(*) FROM sla_clock AS c JOIN ticket AS t ON t.id = c.ticket_id "
        f"WHERE c.outcome IN ('met', 'breached') AND c.ended_at >= :s AND c.ended_at < :e "
        f"{group(key, 'c.metric', 'c.outcome')}"):
        if (metric, outcome) in columns:
            add(k, **{columns[(metric, outcome)]: n})
    key = _ticket_key(dim, "t", "t.assignee_id")
    for k, kind, score, n in run(
        f"SELECT {key}, s.kind, s.score, COUNT(*) FROM survey AS s JOIN ticket AS t ON t.id = s.ticket_id "
        f"WHERE s.at >= :s AND s.at < :e {group(key, 's.kind', 's.score')}"):
        if kind == "csat":
            add(k, csat_n=n, csat_pos=n if score >= 4 else 0)
        elif kind == "nps":
            add(k, nps_n=n, nps_pro=n if score >= 9 else 0, nps_det=n if score <= 6 else 0)
    return out


def scan_open(session: Session) -> dict[tuple[str, str], int]:
    """Open tickets by (priority, status), counted from the ticket table."""
    rows = session.execute(text("SELECT priority, status, COUNT(*) FROM ticket WHERE is_open = :yes "
                                "GROUP BY priority, status"), {"yes": True}).all()
    return {(p, s): n for p, s, n in rows}
