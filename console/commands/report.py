"""`shiftdesk report`: the SLA panel's figures for any period, as a Rich table, CSV or JSON."""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import typer
from rich.table import Table
from rich.text import Text

from console.commands.common import cli_state as _state
from console.commands.common import fail, fit_output, out, progress_bar
from console.i18n import t
from console.sanitize import clean_line

FORMATS = ("table", "csv", "json")


def parse_bound(value: str, tz: str, *, end: bool) -> datetime:
    """YYYY-MM-DD is a local day in the team's zone (an end date includes that whole day);
    an ISO date-time with a zone offset is taken as it is."""
    value = value.strip()
    try:
        day = date.fromisoformat(value)
    except ValueError:
        at = datetime.fromisoformat(value)
        if at.tzinfo is None:
            raise ValueError(f"{value!r}: give a date (YYYY-MM-DD) or a date-time with a zone offset") from None
        return at.astimezone(UTC)
    if end:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz)).astimezone(UTC)


def _pct(value: object) -> str:
    return "-" if value is None else f"{float(value) * 100:.1f}%"  # type: ignore[arg-type]


def _dur(value: object) -> str:
    if value is None:
        return "-"
    seconds = int(value)  # type: ignore[call-overload]
    if seconds < 3600:
        return t("report.minutes", n=max(1, round(seconds / 60))) if seconds >= 60 else t("report.seconds", n=seconds)
    if seconds < 2 * 86400:
        return t("report.hours", n=round(seconds / 3600, 1))
    return t("report.days", n=round(seconds / 86400, 1))


def _band(value: object, band: object, fmt) -> Text:
    style = {"excellent": "bold green", "good": "green", "fair": "yellow", "low": "yellow", "act": "red",
             "alarm": "bold red"}.get(str(band), "")
    shown = fmt(value)
    if band:
        shown = f"{shown} {t('band.' + str(band))}"
    return Text(shown, style=style)


def _label(by: str | None, key: str, label: str, names: dict[str, str]) -> Text:
    if by == "agent":
        return Text(clean_line(names.get(key, label)) if key else t("report.unassigned"))
    if by in ("channel", "priority"):
        from console.i18n import has

        name = f"{by}.{key}"
        return Text(t(name) if has(name) else clean_line(key))
    if by == "category":
        from console.i18n import get_language
        from store.categories import CATEGORY_LABELS_EN

        if get_language() == "en":
            return Text(clean_line(CATEGORY_LABELS_EN.get(key, label)))
    return Text(clean_line(label))


def render_table(doc: dict, names: dict[str, str]) -> Table:
    by = doc["by"]
    zone = ZoneInfo(doc["tz"])
    first = datetime.fromisoformat(doc["from"]).astimezone(zone)
    last = (datetime.fromisoformat(doc["to"]) - timedelta(seconds=1)).astimezone(zone)
    table = Table(title=t("report.title", start=f"{first:%Y-%m-%d %H:%M}", end=f"{last:%Y-%m-%d %H:%M}",
                          tz=doc["tz"]), title_justify="left", padding=(0, 1), collapse_padding=True)
    columns = ["report.col.group", "report.col.received", "report.col.solved", "report.col.resolution_rate",
               "report.col.fcr", "report.col.repeat", "metric.first_reply", "metric.next_reply",
               "metric.resolution", "report.col.frt", "report.col.res", "report.col.csat", "report.col.nps"]
    if by == "agent":  # intake is nobody's: agents get what they did instead
        columns[1:6] = ["report.col.assigned", "report.col.replied", "report.col.solved", "report.col.fcr"]
    if by == "category":
        columns.append("report.col.flags")
    for i, key in enumerate(columns):
        table.add_column(t(key), justify="left" if i == 0 or key == "report.col.flags" else "right",
                         no_wrap=True, min_width=10 if i == 0 else None, overflow="ellipsis")

    def cells(key: str, label: str, row: dict) -> list[Text]:
        out = [_label(by, key, label, names) if key != "\0total" else Text(t("report.total"), style="bold")]
        if by == "agent":
            out += [Text(str(row["assigned"])), Text(str(row["replied"])), Text(str(row["solved"])),
                    Text(_pct(row["fcr"]))]
        else:
            out += [Text(str(row["received"])), Text(str(row["solved"])), Text(_pct(row["resolution_rate"])),
                    Text(_pct(row["fcr"])), _band(row["repeat_rate"], row["repeat_band"], _pct)]
        for metric in ("first_reply", "next_reply", "resolution"):
            out.append(Text(_pct(row[metric + "_attainment"])))
        out += [Text(f"{_dur(row['frt_median_s'])}/{_dur(row['frt_p90_s'])}"),
                Text(f"{_dur(row['res_median_s'])}/{_dur(row['res_p90_s'])}"),
                _band(row["csat"], row["csat_band"], _pct),
                _band(row["nps"], row["nps_band"], lambda v: "-" if v is None else f"{v:+.0f}")]
        if by == "category":
            share = "" if row.get("share") is None else _pct(row["share"])
            flags = " ".join(t("report.flag." + f) for f in row.get("flags", ()))
            out.append(Text(f"{share} {flags}".strip(), style="yellow" if flags else ""))
        return out

    for row in doc["rows"]:
        table.add_row(*cells(row["key"], row["label"], row))
    if doc["rows"]:
        table.add_section()
    table.add_row(*cells("\0total", "", doc["totals"]))
    return table


def register(app: typer.Typer) -> None:
    @app.command()
    def report(
        ctx: typer.Context,
        start: str = typer.Option(None, "--from", help="First day (YYYY-MM-DD, team time zone); default 6 days ago."),
        end: str = typer.Option(None, "--to", help="Last day, included (YYYY-MM-DD); default today."),
        by: str = typer.Option(None, "--by", help="Group rows by agent, channel, priority, category, hour or shift."),
        fmt: str = typer.Option("table", "--format", help="table (default), csv or json."),
        team: str = typer.Option("default", "--team", help="Whose shifts and time zone to use."),
    ) -> None:
        """The SLA panel's figures for a period: attainment, reply and resolution times, FCR, CSAT, NPS."""
        from console.session import confirm_chosen
        from store.clock import now as clock_now
        from store.db.engine import open_database
        from store.errors import ShiftdeskError
        from store.reports.document import BY, build, csv_rows
        from store.reports.figures import hour_end, local_midnight, settle
        from store.reports.live import agent_labels
        from store.team.shifts import team_timezone

        if by is not None and by not in BY:
            _fail(t("report.bad_by", value=by, allowed=", ".join(BY)))
        if fmt not in FORMATS:
            _fail(t("report.bad_format", value=fmt, allowed=", ".join(FORMATS)))
        db = open_database(_state(ctx).db_url)
        with db.read() as session:
            confirm_chosen(session, _state(ctx))  # before anything is written for this reader
        now = clock_now()
        settle(db, now)  # breaches that fell due are facts before anything is counted
        with db.read() as session:
            try:
                tz = team_timezone(session, team)
            except ShiftdeskError as exc:  # no shifts yet: `shiftdesk init` adds the defaults
                _fail(str(exc), 1)
            try:
                lo = parse_bound(start, tz, end=False) if start else local_midnight(
                    now - timedelta(days=6), tz)
                hi = parse_bound(end, tz, end=True) if end else hour_end(now)
            except ValueError as exc:
                _fail(t("report.bad_date", detail=str(exc)))
            if hi <= lo:
                _fail(t("report.empty_period", start=lo.isoformat(), end=hi.isoformat()))
            with progress_bar(t("report.computing")):
                doc = build(session, lo, min(hi, hour_end(now)), by=by, tz=tz, team=team, now=now)
            names = agent_labels(session) if fmt == "table" else {}
        db.dispose()
        if fmt == "json":
            from console.safe_output import json_text

            sys.stdout.write(json_text(doc, indent=2) + "\n")
        elif fmt == "csv":
            from console.safe_output import guarded_stdout
            from store.csv_safe import writer

            writer(guarded_stdout(), lineterminator="\n").writerows(csv_rows(doc))
        else:
            fit_output()  # a pipe gets every column whole, as the other commands' tables do
            out.print(render_table(doc, names))


def _fail(message: str, code: int = 2) -> None:
    """Exit 2 for a bad option value (usage), 1 when the database refuses (no shifts yet)."""
    fail(message, code)
