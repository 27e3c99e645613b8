"""`shiftdesk shifts`: see and edit a team's shifts (editing needs the supervisor role)."""

from __future__ import annotations

from collections.abc import Callable

import typer
from rich.table import Table
from rich.text import Text

from console.commands.common import cli_state as _state
from console.commands.common import fail as _fail
from console.commands.common import out
from console.i18n import t
from console.sanitize import clean_line


def _print(specs, team: str) -> None:
    from store.clock import now
    from store.team.shifts import window_at

    current = window_at(specs, now())
    table = Table(t("shifts.cli.header.name"), t("shifts.cli.header.start"), t("shifts.cli.header.end"),
                  t("shifts.cli.header.tz"), t("shifts.cli.header.now"), title=team)
    for spec in specs:
        mark = t("shifts.cli.current", end=current.local_end.strftime("%H:%M")) if spec.name == current.name else ""
        table.add_row(Text(clean_line(spec.name)), spec.start, spec.end, spec.tz, mark)
    out.print(table)


def _edit(ctx: typer.Context, team: str, change: Callable) -> None:
    """Run one edit as the acting agent, who must be a supervisor; print the shifts after it."""
    from console.session import acting_agent
    from store.clock import now
    from store.db.engine import open_database
    from store.defaults import ensure_defaults
    from store.errors import ShiftdeskError
    from store.team.agents import require_role

    state = _state(ctx)
    db = open_database(state.db_url)
    try:
        with db.write() as session:
            ensure_defaults(session, now())
        with db.write() as session:
            actor = acting_agent(session, state)
            require_role(actor, "supervisor", "shifts")
            specs = change(session, now(), actor.id)
    except (ShiftdeskError, ValueError) as exc:
        _fail(str(exc))
    out.print(Text(t("shifts.cli.saved", team=team)))
    _print(specs, team)


def register(app: typer.Typer) -> None:
    shifts_app = typer.Typer(help="Shifts per team: list and edit.", no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(shifts_app, name="shifts")

    @shifts_app.command("list")
    def list_(ctx: typer.Context, team: str = typer.Option("default", "--team")) -> None:
        """The team's shifts in day order, marking the current one."""
        from store.clock import now
        from store.db.engine import open_database
        from store.defaults import ensure_defaults
        from store.errors import ShiftdeskError
        from store.team.shifts import list_shifts

        db = open_database(_state(ctx).db_url)
        try:
            with db.write() as session:
                ensure_defaults(session, now())
            with db.read() as session:
                specs = list_shifts(session, team)
        except ShiftdeskError as exc:
            _fail(str(exc))
        _print(specs, team)

    @shifts_app.command("set")
    def set_(
        ctx: typer.Context,
        name: str = typer.Argument(..., help="The shift to change."),
        start: str = typer.Option(None, "--start", help="New start, HH:MM (moves the previous shift's end)."),
        end: str = typer.Option(None, "--end", help="New end, HH:MM (moves the next shift's start)."),
        tz: str = typer.Option(None, "--tz", help="New time zone for all of the team's shifts."),
        team: str = typer.Option("default", "--team"),
    ) -> None:
        """Move a shift's start and/or end; neighbours follow so the day stays covered."""
        from store.team.shifts import set_timezone, update_shift

        if start is None and end is None and tz is None:
            _fail(t("shifts.cli.nothing"), 2)

        def change(session, at, actor_id):
            specs = None
            if tz is not None:
                specs = set_timezone(session, at, tz, team=team, actor_id=actor_id)
            if start is not None or end is not None:
                specs = update_shift(session, at, name, start=start, end=end, team=team, actor_id=actor_id)
            return specs

        _edit(ctx, team, change)

    @shifts_app.command("add")
    def add(
        ctx: typer.Context,
        name: str = typer.Argument(...),
        start: str = typer.Option(..., "--start", help="HH:MM"),
        end: str = typer.Option(..., "--end", help="HH:MM"),
        team: str = typer.Option("default", "--team"),
    ) -> None:
        """Add a shift carved from the start or end of the shift it falls in."""
        from store.team.shifts import add_shift

        _edit(ctx, team, lambda s, at, actor: add_shift(s, at, name, start, end, team=team, actor_id=actor))

    @shifts_app.command("remove")
    def remove(ctx: typer.Context, name: str = typer.Argument(...),
               team: str = typer.Option("default", "--team")) -> None:
        """Remove a shift; the shift before it takes over its hours."""
        from store.team.shifts import remove_shift

        _edit(ctx, team, lambda s, at, actor: remove_shift(s, at, name, team=team, actor_id=actor))
