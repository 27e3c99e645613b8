"""From a PanelSnapshot to what the panel's widgets show: tile views and table rows of Text.

Pure functions (no widgets, no queries), so they are tested without an app. Customer text
(ticket subjects) goes through console.sanitize into `Text`, never into markup.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from console.i18n import has, t
from console.sanitize import clean_line
from store.categories import category_label
from store.reports.live import PanelSnapshot, TicketLine
from store.rollups.metrics import (
    METRICS,
    REPEAT_WINDOW_SECONDS,
    Figures,
    category_flags,
    csat_band,
    nps_band,
    repeat_band,
)
from store.vocab import CHANNELS, OPEN_STATUSES, PRIORITIES
from widgets.hour_chart import HourSeries
from widgets.kpi_tiles import BAND_STYLES, TileView

Row = tuple[str, tuple[Text, ...]]
PERIOD_KEYS = ("shift", "today", "week")


def pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = int(seconds)
    if s < 60:
        return t("report.seconds", n=s)
    if s < 3600:
        return t("report.minutes", n=round(s / 60))
    if s < 2 * 86400:
        return t("report.hours", n=round(s / 3600, 1))
    return t("report.days", n=round(s / 86400, 1))


def window_label(seconds: int) -> str:
    """7 days, 36 hours, 90 minutes: a window in the largest unit that divides it."""
    for key, size in (("report.window_days", 86400), ("report.window_hours", 3600)):
        if seconds % size == 0:
            return t(key, n=seconds // size)
    return t("report.window_minutes", n=seconds // 60)


def band_label(band: str | None) -> str:
    return t(f"band.{band}") if band else ""


def _band_text(value: str, band: str | None) -> Text:
    return Text(value, style=BAND_STYLES.get(band or "", ""))


def attainment_band(value: float | None) -> str | None:
    """Panel colouring only (the seeds give no bands for attainment): 95% good, under 85% bad."""
    if value is None:
        return None
    return "good" if value >= 0.95 else "warn" if value >= 0.85 else "bad"


def _label(key: str, prefix: str) -> str:
    name = f"{prefix}.{key}"
    return t(name) if has(name) else key


# -- tiles and the attainment table --------------------------------------------------------------------


def tiles(figs: Figures, repeat_window: int = REPEAT_WINDOW_SECONDS) -> list[TileView]:
    """The KPI tiles of one period; the repeat tile names the team's window it was counted with."""
    repeat, csat, nps = figs.repeat_rate, figs.csat, figs.nps
    return [
        TileView("frt", t("panel.tile.frt"), duration(figs.frt(50)),
                 detail=t("panel.tile.p90_mean", p90=duration(figs.frt(90)), mean=duration(figs.frt_mean))),
        TileView("res", t("panel.tile.res"), duration(figs.res(50)),
                 detail=t("panel.tile.p90_mean", p90=duration(figs.res(90)), mean=duration(figs.res_mean))),
        TileView("resolution_rate", t("panel.tile.resolution_rate"), pct(figs.resolution_rate),
                 detail=t("panel.tile.of_received", solved=figs.received_solved, received=figs.received)),
        TileView("fcr", t("panel.tile.fcr"), pct(figs.fcr),
                 detail=t("panel.tile.of_solved", n=figs.solved_fcr, solved=figs.solved)),
        TileView("repeat", t("panel.tile.repeat"), pct(repeat), repeat_band(repeat), band_label(repeat_band(repeat)),
                 detail=t("panel.tile.repeat_detail", n=figs.repeat_contact, window=window_label(repeat_window))),
        TileView("csat", t("panel.tile.csat"), pct(csat), csat_band(csat), band_label(csat_band(csat)),
                 detail=t("panel.tile.responses", n=figs.csat_n)),
        TileView("nps", t("panel.tile.nps"), "—" if nps is None else f"{nps:+.0f}", nps_band(nps),
                 band_label(nps_band(nps)), detail=t("panel.tile.responses", n=figs.nps_n)),
        TileView("attainment", t("panel.tile.attainment"), pct(figs.attainment()),
                 attainment_band(figs.attainment()), detail=t("panel.tile.met_breached", met=sum(
                     figs.met(m) for m in METRICS), breached=sum(figs.breached(m) for m in METRICS))),
    ]


def attainment_rows(snapshot: PanelSnapshot) -> list[Row]:
    rows: list[Row] = []
    for metric in (*METRICS, None):
        cells = [Text(t(f"metric.{metric}") if metric else t("panel.all_metrics"), style="bold")]
        for period in PERIOD_KEYS:
            f = snapshot.totals[period]
            value = f.attainment(metric)
            met = sum(f.met(m) for m in ((metric,) if metric else METRICS))
            total = met + sum(f.breached(m) for m in ((metric,) if metric else METRICS))
            cells.append(_band_text(f"{pct(value)} ({met}/{total})", attainment_band(value)))
        rows.append((metric or "all", tuple(cells)))
    return rows


# -- live lists --------------------------------------------------------------------------------------


def _ago(seconds: float) -> str:
    return duration(abs(seconds))


def ticket_rows(lines: tuple[TicketLine, ...], now: datetime, *, overdue: bool) -> list[Row]:
    rows: list[Row] = []
    for line in lines:
        delta = (now - line.due_at).total_seconds() if overdue else (line.due_at - now).total_seconds()
        rows.append((f"t{line.id}", (
            Text(f"#{line.id}"),
            Text(_label(line.priority, "priority"), style="bold red" if line.priority == "urgent" else ""),
            Text(_label(line.metric, "metric") if line.metric else "—"),
            Text(_ago(delta), style="red" if overdue else "yellow"),
            Text(clean_line(line.assignee, limit=32) if line.assignee else t("report.unassigned"),
                 style="" if line.assignee else "italic"),
            Text(clean_line(line.subject, limit=120)),
        )))
    return rows


def open_rows(snapshot: PanelSnapshot) -> list[Row]:
    rows: list[Row] = []
    totals = dict.fromkeys(OPEN_STATUSES, 0)
    for priority in PRIORITIES:
        counts = [snapshot.open_counts.get((priority, s), 0) for s in OPEN_STATUSES]
        for s, n in zip(OPEN_STATUSES, counts, strict=True):
            totals[s] += n
        rows.append((priority, (Text(_label(priority, "priority")), *(Text(str(n)) for n in counts),
                                Text(str(sum(counts)), style="bold"))))
    rows.append(("total", (Text(t("report.total"), style="bold"), *(Text(str(totals[s])) for s in OPEN_STATUSES),
                           Text(str(sum(totals.values())), style="bold"))))
    return rows


# -- breakdowns --------------------------------------------------------------------------------------


def agent_rows(snapshot: PanelSnapshot) -> list[Row]:
    labels = snapshot.agent_labels
    ordered = sorted(snapshot.breakdown.items(), key=lambda kv: (kv[0] == "", labels.get(kv[0], kv[0])))
    rows: list[Row] = []
    for key, f in ordered:
        met = sum(f.met(m) for m in METRICS)
        breached = sum(f.breached(m) for m in METRICS)
        name = clean_line(labels.get(key, key), limit=40) if key else t("report.unassigned")
        rows.append((f"a{key}", (
            Text(name, style="" if key else "italic"), Text(str(f.assigned)), Text(str(f.replied)),
            Text(str(f.solved)), Text(str(met)), Text(str(breached), style="red" if breached else ""),
            _band_text(pct(f.attainment()), attainment_band(f.attainment())), Text(duration(f.frt(50))),
            _band_text(pct(f.csat), csat_band(f.csat)),
        )))
    return rows


def group_rows(snapshot: PanelSnapshot, lang: str) -> list[Row]:
    """Per channel, priority or category, in the model's order; categories carry the review flags."""
    dim = snapshot.breakdown_dim or ""
    rows_in = snapshot.breakdown
    order = {"channel": CHANNELS, "priority": PRIORITIES}.get(dim)
    keys = [k for k in order if k in rows_in] if order else sorted(rows_in)
    received = sum(f.received for f in rows_in.values())
    flags = category_flags(rows_in) if dim == "category" else {}
    rows: list[Row] = []
    for key in keys:
        f = rows_in[key]
        label = category_label(key, lang) if dim == "category" else _label(key, dim)
        share = f.received / received if received else None
        marks = " ".join(t(f"report.flag.{flag}") for flag in flags.get(key, ()))
        rows.append((f"g{key}", (
            Text(clean_line(label, limit=60)), Text(str(f.received)), Text(pct(share)), Text(str(f.solved)),
            Text(pct(f.resolution_rate)), _band_text(pct(f.attainment()), attainment_band(f.attainment())),
            Text(duration(f.frt(50))), Text(duration(f.res(50))), Text(duration(f.res_mean)),
            _band_text(pct(f.csat), csat_band(f.csat)), Text(marks, style="bold yellow"),
        )))
    return rows


def hour_series(snapshot: PanelSnapshot) -> HourSeries:
    curve = snapshot.intake
    return HourSeries(curve.today, curve.average, curve.current_hour, legend=t("panel.intake.legend"))
