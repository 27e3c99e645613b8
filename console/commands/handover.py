"""`shiftdesk handover`: print a handover as Markdown or JSON, list past ones."""

from __future__ import annotations

import sys

import typer
from rich.table import Table
from rich.text import Text

from console.commands.common import checked, out
from console.commands.common import cli_state as _state
from console.commands.common import fail as _fail
from console.i18n import t
from console.sanitize import clean_line
from store.limits import check_id

FORMATS = ("md", "json")


def register(app: typer.Typer) -> None:
    handover_app = typer.Typer(help="Shift handovers: export and history.", no_args_is_help=True,
                               rich_markup_mode=None)
    app.add_typer(handover_app, name="handover")

    @handover_app.command("export")
    def export(
        ctx: typer.Context,
        latest: bool = typer.Option(False, "--latest", help="The most recent submitted handover (the default)."),
        handover_id: int = typer.Option(None, "--id", help="The handover with this id.",
                                        callback=checked(check_id, "--id")),
        fmt: str = typer.Option("md", "--format", help="md (the seeds' shape) or json."),
        team: str = typer.Option("default", "--team"),
    ) -> None:
        """Print one handover to standard output."""
        from console.handover_export import to_json, to_markdown
        from store.db.engine import open_database
        from store.errors import ShiftdeskError
        from store.handover.lifecycle import get_handover, latest_handover

        state = _state(ctx)
        if fmt not in FORMATS:
            _fail(t("handover.cli.format", value=fmt), 2)
        if latest and handover_id is not None:
            _fail(t("handover.cli.choose"), 2)
        db = open_database(state.db_url)
        try:
            with db.read() as session:
                view = get_handover(session, handover_id) if handover_id else latest_handover(session, team)
        except ShiftdeskError as exc:
            _fail(str(exc))
        if view is None:
            _fail(t("handover.cli.none"))
        from console import zone

        zone.settle(view.content.tz)  # the settings' zone if set, else the team's
        sys.stdout.write(to_markdown(view) if fmt == "md" else to_json(view))

    @handover_app.command("list")
    def history(
        ctx: typer.Context,
        search: str = typer.Option("", "--search", help="Only handovers whose text contains this."),
        limit: int = typer.Option(30, "--limit", min=1, max=1000),
        team: str = typer.Option("default", "--team"),
    ) -> None:
        """Past handovers, newest first."""
        from console import zone
        from console.zone import local
        from store.db.engine import open_database
        from store.handover.lifecycle import list_handovers
        from store.team.shifts import team_timezone

        state = _state(ctx)
        db = open_database(state.db_url)
        with db.read() as session:
            rows = list_handovers(session, team, search=search, limit=limit)
            zone.settle(team_timezone(session, team))
        if not rows:
            out.print(Text(t("handover.history.empty")))
            return
        table = Table("#", t("handover.history.col.date"), t("handover.history.col.shift"),
                      t("handover.history.col.status"), t("handover.history.col.author"),
                      t("handover.history.col.ack"))
        for row in rows:
            ack = f"{row.acknowledged_by} {local(row.acknowledged_at)}" if row.acknowledged_at else ""
            table.add_row(str(row.id), row.shift_date.strftime("%Y/%m/%d"),
                          Text(clean_line(f"{row.from_shift}→{row.to_shift}")),
                          t(f"handover.status.{row.status}"), Text(clean_line(row.author)), Text(clean_line(ack)))
        out.print(table)
