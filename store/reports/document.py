"""`shiftdesk report` as data: the stable JSON document (schema shiftdesk.report/2) and its CSV rows.

The document is plain JSON types only; README.md ("Report JSON") describes every field.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from store.categories import CATEGORIES
from store.models import CHANNELS, PRIORITIES
from store.reports.figures import Segment, bound, read
from store.reports.live import agent_names
from store.rollups.metrics import METRICS, Figures, category_flags, csat_band, nps_band, repeat_band
from store.team.shifts import list_shifts, windows_between
from store.team.team_settings import repeat_window

SCHEMA = "shiftdesk.report/2"
BY = ("agent", "channel", "priority", "category", "hour", "shift")
FIELDS = (
    "received", "solved", "resolution_rate", "fcr", "repeat_rate", "repeat_band",
    *(f"{m}_{x}" for m in METRICS for x in ("met", "breached", "attainment")),
    "attainment", "frt_median_s", "frt_p90_s", "frt_mean_s", "res_median_s", "res_p90_s", "res_mean_s",
    "csat_responses", "csat", "csat_band", "nps_responses", "nps", "nps_band", "assigned", "replied",
    # added in shiftdesk.report/2
    "contacts", "repeat_contacts", "reopened", "received_solved", "solved_fcr", "csat5_responses", "csat_mean",
    "csat10_responses", "csat10_mean",
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
        "csat_responses": f.csat_responses, "csat": _r(f.csat), "csat_band": csat_band(f.csat),
        "nps_responses": f.nps_n, "nps": _r(f.nps, 1), "nps_band": nps_band(f.nps),
        "assigned": f.assigned, "replied": f.replied,
        "contacts": f.contacts, "repeat_contacts": f.repeat_contacts, "reopened": f.reopened,
        "received_solved": f.received_solved, "solved_fcr": f.solved_fcr,
        "csat5_responses": f.csat_n, "csat_mean": _r(f.csat_mean), "csat10_responses": f.csat10_n,
        "csat10_mean": _r(f.csat10_mean),
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


def hour_segments(lo: int, hi: int, tz: str) -> list[Segment]:
    """[lo, hi) cut at every local hour boundary, each piece labelled with its local hour "00"-"23"."""
    zone = ZoneInfo(tz)
    out: list[Segment] = []
    t = lo
    while t < hi:
        local = datetime.fromtimestamp(t, UTC).astimezone(zone)
        offset = int(local.utcoffset().total_seconds())  # type: ignore[union-attr]
        step = 3600 - (t + offset) % 3600
        out.append((f"{local.hour:02d}", t, min(t + step, hi)))
        t += step
    return out


def shift_segments(session: Session, lo: int, hi: int, team: str) -> list[Segment]:
    """[lo, hi) cut into the shifts' windows, each labelled with its shift's name."""
    start, end = datetime.fromtimestamp(lo, UTC), datetime.fromtimestamp(hi, UTC)
    return [(w.name, max(bound(w.start), lo), min(bound(w.end), hi))
            for w in windows_between(list_shifts(session, team), start, end)]


def build(session: Session, start: datetime, end: datetime, *, by: str | None, tz: str, team: str = "default",
          now: datetime | None = None) -> dict[str, object]:
    """The report document for [start, end)."""
    lo, hi = bound(start), bound(end)
    total = read(session, [("", lo, hi)], now=now).get("", {}).get("", Figures())
    doc: dict[str, object] = {
        "schema": SCHEMA, "generated_at": _iso(now or datetime.now(UTC)), "from": _iso(start), "to": _iso(end),
        "tz": tz, "by": by, "repeat_window_s": repeat_window(session.connection()),
        "totals": figures_row(total), "rows": [],
    }
    if by is None:
        return doc
    if by in ("hour", "shift"):
        segments = hour_segments(lo, hi, tz) if by == "hour" else shift_segments(session, lo, hi, team)
        groups = {label: found.get("", Figures()) for label, found in read(session, segments, as_of=hi, now=now).items()}
        order = ([f"{h:02d}" for h in range(24)] if by == "hour"
                 else [s.name for s in list_shifts(session, team)])
        keyed = [(k, k) for k in order if k in groups]
    else:
        groups = read(session, [("", lo, hi)], by, now=now).get("", {})
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
