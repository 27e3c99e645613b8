"""`shiftdesk report` as data: the stable JSON document (schema shiftdesk.report/1) and its CSV rows.

The document is plain JSON types only; README.md ("Report JSON") describes every field.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from store.categories import CATEGORIES
from store.models import CHANNELS, PRIORITIES
from store.reports.figures import figures, hourly
from store.reports.live import agent_names
from store.rollups.metrics import METRICS, Figures, category_flags, csat_band, nps_band, repeat_band
from store.team.shifts import list_shifts, window_at

SCHEMA = "shiftdesk.report/1"
BY = ("agent", "channel", "priority", "category", "hour", "shift")
FIELDS = (
    "received", "solved", "resolution_rate", "fcr", "repeat_rate", "repeat_band",
    *(f"{m}_{x}" for m in METRICS for x in ("met", "breached", "attainment")),
    "attainment", "frt_median_s", "frt_p90_s", "frt_mean_s", "res_median_s", "res_p90_s", "res_mean_s",
    "csat_responses", "csat", "csat_band", "nps_responses", "nps", "nps_band", "assigned", "replied",
)
CATEGORY_FIELDS = ("share", "flags")


def _r(value: float | None, places: int = 4) -> float | None:
    return None if value is None else round(value, places)


def _s(value: float | None) -> int | None:
    return None if value is None else round(value)


def figures_row(f: Figures) -> dict[str, object]:
    """One group's figures as JSON values: ratios 0-1, NPS -100..100, durations in whole seconds."""
    row: dict[str, object] = {
        "received": f.received, "solved": f.solved, "resolution_rate": _r(f.resolution_rate), "fcr": _r(f.fcr),
        "repeat_rate": _r(f.repeat_rate), "repeat_band": repeat_band(f.repeat_rate),
    }
    for metric in METRICS:
        row[f"{metric}_met"] = f.met(metric)
        row[f"{metric}_breached"] = f.breached(metric)
        row[f"{metric}_attainment"] = _r(f.attainment(metric))
    row.update({
        "attainment": _r(f.attainment()),
        "frt_median_s": f.frt(50), "frt_p90_s": f.frt(90), "frt_mean_s": _s(f.frt_mean),
        "res_median_s": f.res(50), "res_p90_s": f.res(90), "res_mean_s": _s(f.res_mean),
        "csat_responses": f.csat_n, "csat": _r(f.csat), "csat_band": csat_band(f.csat),
        "nps_responses": f.nps_n, "nps": _r(f.nps, 1), "nps_band": nps_band(f.nps),
        "assigned": f.assigned, "replied": f.replied,
    })
    return row


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _ordered(by: str, rows: Mapping[str, Figures], names: Mapping[str, str]) -> list[tuple[str, str]]:
    """(key, label) in a stable order: the model's order for enumerations, names for agents."""
    keys = list(rows)
    if by == "agent":
        return sorted(((k, names.get(k, k) if k else "") for k in keys), key=lambda kl: (kl[0] == "", kl[1]))
    order = {"channel": CHANNELS, "priority": PRIORITIES, "category": CATEGORIES}.get(by, ())
    rank = {k: i for i, k in enumerate(order)}
    return [(k, k) for k in sorted(keys, key=lambda k: (rank.get(k, len(rank)), k))]


def _grouped_hours(session: Session, start: datetime, end: datetime, by: str, tz: str,
                   team: str) -> dict[str, Figures]:
    """Hourly rows summed by local hour of day (00-23) or by the shift holding each hour's start."""
    zone = ZoneInfo(tz)
    specs = list_shifts(session, team) if by == "shift" else []
    out: dict[str, Figures] = defaultdict(Figures)
    for bucket, f in hourly(session, start, end).items():
        instant = datetime.fromtimestamp(bucket, UTC)
        key = f"{instant.astimezone(zone).hour:02d}" if by == "hour" else window_at(specs, instant).name
        out[key].merge(f)
    return out


def build(session: Session, start: datetime, end: datetime, *, by: str | None, tz: str, team: str = "default",
          now: datetime | None = None) -> dict[str, object]:
    """The report document for [start, end)."""
    total = figures(session, start, end).get("", Figures())
    doc: dict[str, object] = {
        "schema": SCHEMA, "generated_at": _iso(now or datetime.now(UTC)), "from": _iso(start), "to": _iso(end),
        "tz": tz, "by": by, "totals": figures_row(total), "rows": [],
    }
    if by is None:
        return doc
    if by in ("hour", "shift"):
        groups = _grouped_hours(session, start, end, by, tz, team)
        order = ([f"{h:02d}" for h in range(24)] if by == "hour"
                 else [s.name for s in list_shifts(session, team)])
        keyed = [(k, k) for k in order if k in groups]
    else:
        groups = figures(session, start, end, by)
        keyed = _ordered(by, groups, agent_names(session) if by == "agent" else {})
    flags = category_flags(groups) if by == "category" else {}
    rows = []
    for key, label in keyed:
        row: dict[str, object] = {"key": key, "label": label, **figures_row(groups[key])}
        if by == "category":
            received = total.received or 0
            row["share"] = _r(groups[key].received / received) if received else None
            row["flags"] = list(flags.get(key, ()))
        rows.append(row)
    doc["rows"] = rows
    return doc


def csv_rows(doc: Mapping[str, object]) -> Iterable[list[object]]:
    """Header, one line per group, then the totals (key "total")."""
    rows = list(doc["rows"])  # type: ignore[arg-type]
    extra = list(CATEGORY_FIELDS) if doc.get("by") == "category" else []
    yield ["key", "label", *FIELDS, *extra]
    for row in rows:
        yield [row["key"], row["label"], *(row[f] for f in FIELDS),
               *(";".join(row[f]) if isinstance(row[f], list) else row[f] for f in extra)]
    totals = doc["totals"]
    yield ["total", "", *(totals[f] for f in FIELDS), *([""] * len(extra))]  # type: ignore[index]
