"""The same figures by a plain scan of the facts of a period: no rollups, the reference they must match.

Used by the bench (side by side with the rollups, to show both agree and what the rollups
save) and by tests. It also keeps the raw durations, for exact percentiles.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session

from store.reports.figures import as_of_end, bound, facts_between
from store.rollups.facts import FIRST_REPLY, HIST_KINDS, SOLVE, counts_of
from store.rollups.hooks import DIMS, key_of
from store.rollups.metrics import Figures, exact_percentile


@dataclass
class Scanned:
    """Figures per key, with the raw durations kept for exact percentiles."""

    figures: dict[str, Figures] = field(default_factory=lambda: defaultdict(Figures))
    frt_values: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    res_values: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))

    def exact(self, key: str, kind: str, p: float) -> int | None:
        values = self.frt_values if kind == "frt" else self.res_values
        return exact_percentile(values.get(key, []), p)


def scan(session: Session, start: datetime, end: datetime, dim: str = "all") -> Scanned:
    """Every counter of store.rollups.metrics over [start, end), grouped by `dim`, from the facts."""
    code = DIMS[dim]
    lo, hi = bound(start), bound(end)
    out = Scanned()
    for fact in facts_between(session, lo, hi):
        key = key_of(fact, code)
        if key is None:
            continue
        figs = out.figures[key]
        figs.add_counts(counts_of(fact))
        hist = HIST_KINDS.get(fact.kind)
        if hist is not None:
            figs.add_hist(hist, fact.bin, 1)
        if fact.kind == FIRST_REPLY:
            out.frt_values[key].append(fact.value)
        elif fact.kind == SOLVE:
            out.res_values[key].append(fact.value)
    if code != DIMS["agent"]:
        nested = {"": out.figures}
        as_of_end(session, [("", lo, hi)], code, nested, hi)
    return out


def scan_open(session: Session) -> dict[tuple[str, str], int]:
    """Open tickets by (priority, status), counted from the ticket table."""
    rows = session.execute(text("SELECT priority, status, COUNT(*) FROM ticket WHERE is_open = :yes "
                                "GROUP BY priority, status"), {"yes": True}).all()
    return {(p, s): n for p, s, n in rows}
