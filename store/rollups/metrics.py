"""The support metrics: what each figure means, computed from additive counts.

Every figure the panel and `shiftdesk report` show is derived here from a `Figures`, a bag of
counts that add up across hours, days, agents or channels (so the rollups, the plain SQL
scan and the known-answer tests all meet in one place). A period is a half-open interval
[start, end) of instants; which rows fall in it is said per counter below.

Definitions (also in README.md, "Report JSON"):

- attainment[metric] = met / (met + breached) over the SLA clocks of that metric whose
  outcome was decided in the period (a met clock when it stopped, a breached one at its due
  time), attributed to the agent who held the ticket then (unassigned if nobody did).
- first reply time = first public agent reply - ticket created (wall-clock seconds), over
  tickets first replied to in the period. Median and p90 are nearest-rank percentiles,
  rounded up to the histogram edge that holds them (see EDGES); the mean is exact.
- resolution time = solved - created (wall-clock seconds) over tickets solved in the period;
  a ticket reopened and solved again counts once, at its last solve.
- resolution rate = of the tickets received in the period, the share solved or closed now
  (the seed's "received 100, of which 98 were eventually solved").
- first-contact resolution (FCR) = of the tickets solved in the period, the share solved with
  exactly one public agent reply and never reopened before that solve.
- repeat-contact rate = of the tickets received in the period, the share whose customer had
  opened another ticket in the 7 days before.
- CSAT = share of 4-5 answers among CSAT answers (1-5) given in the period.
- NPS = % promoters (9-10) - % detractors (0-6) among NPS answers (0-10) given in the period.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

METRICS = ("first_reply", "next_reply", "resolution")
SLA_COLUMNS = {"first_reply": ("fr_met", "fr_breached"), "next_reply": ("nr_met", "nr_breached"),
               "resolution": ("rs_met", "rs_breached")}
COUNTERS = ("received", "repeat_contact", "received_solved", "assigned", "replied", "solved", "solved_fcr",
            "res_sum", "frt_n", "frt_sum", "fr_met", "fr_breached", "nr_met", "nr_breached", "rs_met",
            "rs_breached", "csat_n", "csat_pos", "nps_n", "nps_pro", "nps_det")
REPEAT_WINDOW_SECONDS = 7 * 86400


def _edges() -> tuple[int, ...]:
    minutes = [*range(2, 11), *range(12, 31, 2), *range(35, 61, 5), *range(70, 121, 10), *range(135, 241, 15),
               *range(270, 481, 30), *range(540, 1441, 60)]
    hours = [*range(26, 49, 2), *range(54, 169, 6)]
    days = [*range(8, 31), *range(35, 92, 7)]
    return (10, 20, 30, 45, 60, *(m * 60 for m in minutes), *(h * 3600 for h in hours),
            *(d * 86400 for d in days))


# Upper edges (seconds) of the response-time histogram bins: bin i holds (EDGES[i-1], EDGES[i]].
# Fine where people look (1 min steps to 10 min, 5 min to 1 h), coarser for days.
EDGES: tuple[int, ...] = _edges()
OVERFLOW_BIN = len(EDGES)


# Breakdowns (per agent, channel, priority, category) keep a coarser scale, so a table of 50
# agents over a shift reads a few thousand rows, not tens of thousands. Every coarse edge is
# also a fine edge, so a coarse bin is the fine bin of its upper edge and percentile() is shared.
COARSE_EDGES: tuple[int, ...] = tuple(m * 60 for m in (1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 180, 240, 360, 480,
                                                       720, 960, 1440, 2160, 2880, 4320, 7200, 10080, 20160,
                                                       43200))


def bin_of(seconds: int) -> int:
    """The histogram bin of a duration; anything past the last edge goes to the overflow bin."""
    return bisect_left(EDGES, seconds)


def coarse_bin(index: int) -> int:
    """The fine bin of the coarse edge at or above fine bin `index` (overflow stays overflow)."""
    if index >= OVERFLOW_BIN:
        return OVERFLOW_BIN
    coarse = bisect_left(COARSE_EDGES, EDGES[index])
    return OVERFLOW_BIN if coarse >= len(COARSE_EDGES) else EDGES.index(COARSE_EDGES[coarse])


def bin_value(index: int) -> int:
    """What a percentile falling in a bin reports: its upper edge (the last edge for overflow)."""
    return EDGES[min(index, len(EDGES) - 1)]


def percentile(hist: Mapping[int, int], p: float) -> int | None:
    """Nearest-rank percentile (the smallest value with at least p% at or below it), bin-rounded."""
    total = sum(n for n in hist.values() if n > 0)
    if total == 0:
        return None
    rank = max(1, -(-int(p * total * 1000) // 100_000))  # ceil(p/100 * total), p given in percent
    seen = 0
    for index in sorted(hist):
        seen += max(hist[index], 0)
        if seen >= rank:
            return bin_value(index)
    return bin_value(max(hist))


def exact_percentile(values: Iterable[int], p: float) -> int | None:
    """The same nearest-rank percentile on raw values (the plain scan uses it)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-int(p * len(ordered) * 1000) // 100_000))
    return ordered[rank - 1]


def _ratio(num: int, den: int) -> float | None:
    return None if den <= 0 else num / den


# -- bands from the seeds ----------------------------------------------------------------------------


def csat_band(value: float | None) -> str | None:
    """75% and up is good, 90% and up excellent; below 75% asks for a look."""
    if value is None:
        return None
    return "excellent" if value >= 0.90 else "good" if value >= 0.75 else "low"


def nps_band(value: float | None) -> str | None:
    """Over 70 excellent (卓越), 50-70 good (優良), 30-50 fair (尚可), under 30 alarm (警戒)."""
    if value is None:
        return None
    return "excellent" if value > 70 else "good" if value >= 50 else "fair" if value >= 30 else "alarm"


def repeat_band(value: float | None) -> str | None:
    """Under 5% excellent, under 10% good, over 15% act; 10-15% is fair."""
    if value is None:
        return None
    return "excellent" if value < 0.05 else "good" if value < 0.10 else "fair" if value <= 0.15 else "act"


@dataclass
class Figures:
    """Additive counts for one period and one group, and the metrics derived from them."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    frt_hist: dict[int, int] = field(default_factory=dict)
    res_hist: dict[int, int] = field(default_factory=dict)

    def add_counts(self, row: Mapping[str, int]) -> None:
        for name in COUNTERS:
            self.counts[name] += int(row.get(name) or 0)

    def add_hist(self, kind: int, index: int, n: int) -> None:
        hist = self.frt_hist if kind == 0 else self.res_hist
        hist[index] = hist.get(index, 0) + int(n)

    def merge(self, other: Figures) -> None:
        self.add_counts(other.counts)
        for index, n in other.frt_hist.items():
            self.add_hist(0, index, n)
        for index, n in other.res_hist.items():
            self.add_hist(1, index, n)

    def __getattr__(self, name: str) -> int:
        counts = self.__dict__.get("counts")
        if counts is not None and name in counts:
            return counts[name]
        raise AttributeError(name)

    # -- SLA ----------------------------------------------------------------------------------------
    def met(self, metric: str) -> int:
        return self.counts[SLA_COLUMNS[metric][0]]

    def breached(self, metric: str) -> int:
        return self.counts[SLA_COLUMNS[metric][1]]

    def attainment(self, metric: str | None = None) -> float | None:
        """met / (met + breached) for one metric, or over all three when metric is None."""
        metrics = METRICS if metric is None else (metric,)
        met = sum(self.met(m) for m in metrics)
        return _ratio(met, met + sum(self.breached(m) for m in metrics))

    # -- times --------------------------------------------------------------------------------------
    def frt(self, p: float) -> int | None:
        return percentile(self.frt_hist, p)

    def res(self, p: float) -> int | None:
        return percentile(self.res_hist, p)

    @property
    def frt_mean(self) -> float | None:
        return _ratio(self.counts["frt_sum"], self.counts["frt_n"])

    @property
    def res_mean(self) -> float | None:
        return _ratio(self.counts["res_sum"], self.counts["solved"])

    # -- rates --------------------------------------------------------------------------------------
    @property
    def resolution_rate(self) -> float | None:
        return _ratio(self.counts["received_solved"], self.counts["received"])

    @property
    def fcr(self) -> float | None:
        return _ratio(self.counts["solved_fcr"], self.counts["solved"])

    @property
    def repeat_rate(self) -> float | None:
        return _ratio(self.counts["repeat_contact"], self.counts["received"])

    @property
    def csat(self) -> float | None:
        return _ratio(self.counts["csat_pos"], self.counts["csat_n"])

    @property
    def nps(self) -> float | None:
        n = self.counts["nps_n"]
        return None if n <= 0 else 100.0 * (self.counts["nps_pro"] - self.counts["nps_det"]) / n


# -- the seeds' category review ----------------------------------------------------------------------

LOW_SHARE, HIGH_SHARE, SLOW_FACTOR = 0.02, 0.30, 2.0


def category_flags(rows: Mapping[str, Figures]) -> dict[str, tuple[str, ...]]:
    """Per category: "rare" under 2% of the tickets received, "crowded" over 30%, and "slow" when its
    mean resolution time is more than twice the mean over all categories (the seeds' review)."""
    received = sum(f.counts["received"] for f in rows.values())
    solved = sum(f.counts["solved"] for f in rows.values())
    overall = _ratio(sum(f.counts["res_sum"] for f in rows.values()), solved)
    flags: dict[str, tuple[str, ...]] = {}
    for key, f in rows.items():
        found = []
        share = _ratio(f.counts["received"], received)
        if share is not None and share < LOW_SHARE:
            found.append("rare")
        if share is not None and share > HIGH_SHARE:
            found.append("crowded")
        mean = f.res_mean
        if overall and mean is not None and mean > SLOW_FACTOR * overall:
            found.append("slow")
        flags[key] = tuple(found)
    return flags
