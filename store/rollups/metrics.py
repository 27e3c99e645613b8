"""The support metrics: what each figure means, computed from additive counts.

Every figure the panel, the handover and `shiftdesk report` show is derived here from a
`Figures`, a bag of counts that add up across quarter hours, hours, days, agents or channels
(so the rollups, the fact scan at a period's edges and the known-answer tests all meet in one
place). A period is a half-open interval [start, end) of whole seconds. Which facts feed which
counter is said in store/rollups/facts.py; README.md ("Report JSON") describes every figure.

Durations (first reply, resolution) are summarised by a log-bucket sketch in the manner of
DDSketch: bucket `i` holds the whole seconds [LOWS[i], HIGHS[i]] and reports REPS[i], chosen so
that |REPS[i] - v| <= 1% of v for every v in the bucket. A nearest-rank percentile read from the
buckets is therefore within 1% of the exact percentile of the raw durations, on every row, and
exact below 99 s (one second per bucket). Means are sums over counts: exact.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

METRICS = ("first_reply", "next_reply", "resolution")
SLA_COLUMNS = {"first_reply": ("fr_met", "fr_breached"), "next_reply": ("nr_met", "nr_breached"),
               "resolution": ("rs_met", "rs_breached")}
COUNTERS = ("received", "contacts", "repeat_contacts", "reopened", "received_solved", "assigned", "replied",
            "solved", "solved_fcr", "res_sum", "frt_n", "frt_sum", "fr_met", "fr_breached", "nr_met",
            "nr_breached", "rs_met", "rs_breached", "csat_n", "csat_pos", "csat_sum", "csat10_n", "csat10_pos",
            "csat10_sum", "nps_n", "nps_pro", "nps_det")
REPEAT_WINDOW_SECONDS = 7 * 86400
HIST_FRT, HIST_RES = 0, 1

# -- the duration sketch -------------------------------------------------------------------------

RELATIVE_ERROR = 0.01
_MAX_SECONDS = 2**31  # 68 years: every duration a ticket can have


def _buckets() -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """Greedy integer buckets: from `lo`, the representative r = floor(1.01 lo) is within 1% of lo,
    and the widest top with r within 1% of it is floor(r / 0.99). Below 99 s a bucket is 1 s."""
    lows, highs, reps = [0], [0], [0]
    lo = 1
    while lo <= _MAX_SECONDS:
        rep = lo * 101 // 100
        high = rep * 100 // 99
        lows.append(lo)
        highs.append(high)
        reps.append(rep)
        lo = high + 1
    return tuple(lows), tuple(highs), tuple(reps)


LOWS, HIGHS, REPS = _buckets()
OVERFLOW_BIN = len(LOWS) - 1


def bin_of(seconds: int) -> int:
    """The sketch bucket of a duration in whole seconds (negative counts as 0)."""
    if seconds <= 0:
        return 0
    return min(bisect_right(LOWS, seconds) - 1, OVERFLOW_BIN)


def bin_value(index: int) -> int:
    """What a percentile falling in bucket `index` reports."""
    return REPS[min(max(index, 0), OVERFLOW_BIN)]


def nearest_rank(total: int, p: float) -> int:
    """The rank of the p-th percentile (p in percent) among `total` values: ceil(p/100 * total), at least 1."""
    return max(1, -(-round(p * 1000) * total // 100_000))


def percentile(hist: Mapping[int, int], p: float) -> int | None:
    """Nearest-rank percentile (the smallest value with at least p% at or below it), from the sketch."""
    total = sum(n for n in hist.values() if n > 0)
    if total == 0:
        return None
    rank = nearest_rank(total, p)
    seen = 0
    for index in sorted(hist):
        seen += max(hist[index], 0)
        if seen >= rank:
            return bin_value(index)
    return bin_value(max(hist))


def exact_percentile(values: Iterable[int], p: float) -> int | None:
    """The same nearest-rank percentile on raw values."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[nearest_rank(len(ordered), p) - 1]


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
        hist = self.frt_hist if kind == HIST_FRT else self.res_hist
        value = hist.get(index, 0) + int(n)
        if value:
            hist[index] = value
        else:
            hist.pop(index, None)

    def merge(self, other: Figures) -> None:
        self.add_counts(other.counts)
        for index, n in other.frt_hist.items():
            self.add_hist(HIST_FRT, index, n)
        for index, n in other.res_hist.items():
            self.add_hist(HIST_RES, index, n)

    def is_empty(self) -> bool:
        return not any(self.counts.values()) and not self.frt_hist and not self.res_hist

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
        """Of the tickets received in the period, the share solved at the period's end."""
        return _ratio(self.counts["received_solved"], self.counts["received"])

    @property
    def fcr(self) -> float | None:
        return _ratio(self.counts["solved_fcr"], self.counts["solved"])

    @property
    def repeat_rate(self) -> float | None:
        """Repeat contacts over all contacts (new tickets and reopens)."""
        return _ratio(self.counts["repeat_contacts"], self.counts["contacts"])

    @property
    def repeat_contact(self) -> int:
        return self.counts["repeat_contacts"]

    @property
    def csat_responses(self) -> int:
        return self.counts["csat_n"] + self.counts["csat10_n"]

    @property
    def csat(self) -> float | None:
        """Share of satisfied answers: 4-5 on a 1-5 survey, 8-10 on a 1-10 one."""
        return _ratio(self.counts["csat_pos"] + self.counts["csat10_pos"], self.csat_responses)

    @property
    def csat_mean(self) -> float | None:
        """Mean score of the 1-5 answers."""
        return _ratio(self.counts["csat_sum"], self.counts["csat_n"])

    @property
    def csat10_mean(self) -> float | None:
        """Mean score of the 1-10 answers."""
        return _ratio(self.counts["csat10_sum"], self.counts["csat10_n"])

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
