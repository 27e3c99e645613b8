"""Setting up and looking after the database: init, demo, db upgrade, db backup (agents: admin.py)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.text import Text

from console.commands.common import cli_state as _state
from console.commands.common import err, out, progress_bar
from console.commands.common import fail as _fail
from console.i18n import t


def register(app: typer.Typer) -> None:
    db_app = typer.Typer(help="Database maintenance.", no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(db_app, name="db")

    @app.command()
    def init(ctx: typer.Context) -> None:
        """Create (or upgrade) the database and add the default calendars, policies and shifts."""
        from store.clock import now
        from store.db.engine import open_database
        from store.defaults import ensure_defaults

        db = open_database(_state(ctx).db_url)
        with db.write() as session:
            ensure_defaults(session, now())
        out.print(Text(t("setup.init_done", url=_display_url(db.url))))

    @app.command()
    def demo(
        ctx: typer.Context,
        tickets: int = typer.Option(400, "--tickets", min=0, help="Open tickets to create (the backlog)."),
        history: int = typer.Option(20000, "--history", min=0, help="Closed tickets spread over the window."),
        days: int = typer.Option(30, "--days", min=1, max=3650, help="How many days back the history goes."),
        seed: int = typer.Option(7, "--seed", help="Random seed: the same seed gives the same data."),
        db: str = typer.Option(None, "--db", help="Database URL or SQLite path."),
        no_open: bool = typer.Option(False, "--no-open", help="Only build the database; do not open the console."),
        reset: bool = typer.Option(False, "--reset", help="Throw away an existing database first."),
    ) -> None:
        """Fill a fresh database with realistic, deterministic tickets, then open the console."""
        from console.demo_run import run_demo

        state = _state(ctx)
        if db:
            state.db_url = db
        run_demo(state, tickets=tickets, history=history, days=days, seed=seed, reset=reset,
                 open_console=not no_open, out=out, err=err)

    @db_app.command("upgrade")
    def db_upgrade(ctx: typer.Context, revision: str = typer.Option("head", help="Target revision.")) -> None:
        """Apply pending migrations (a SQLite file is copied aside first)."""
        from store.db.engine import Database
        from store.db.migrate import current_revision, head_revision, upgrade

        database = Database(_state(ctx).db_url or "")
        with progress_bar(t("setup.upgrading")):
            before = current_revision(database)
            saved = upgrade(database, revision=revision)
            after = current_revision(database)
        if before == after:
            out.print(Text(t("setup.db_current", rev=after or "-")))
        else:
            out.print(Text(t("setup.db_upgraded", before=before or "-", after=after or head_revision(database))))
        if saved:
            out.print(Text(t("setup.db_saved", path=str(saved))))

    @db_app.command("grants")
    def db_grants(
        schema: str = typer.Option("public", "--schema", help="The schema holding Shiftdesk's tables."),
        prefix: str = typer.Option("shiftdesk", "--prefix",
                                   help="Group roles are PREFIX_agent, _lead, _supervisor, _service."),
        roles: bool = typer.Option(False, "--roles", help="Instead: the administrator's part (needs CREATEROLE), "
                                   "creating the group roles once, with ADMIN OPTION for --owner."),
        owner: str = typer.Option("shiftdesk", "--owner", help="With --roles: the owner of the Shiftdesk tables."),
    ) -> None:
        """Print the SQL giving a team's PostgreSQL logins their role's privileges, and the triggers that
        refuse forged history (README: Teams on PostgreSQL)."""
        from store.db.pg_roles import grant_sql, roles_sql

        try:
            typer.echo(roles_sql(prefix, owner) if roles else grant_sql(schema, prefix), nl=False)
        except ValueError as exc:
            _fail(str(exc), 2)

    @db_app.command("backup")
    def db_backup(ctx: typer.Context, to: Path = typer.Option(None, "--to", help="Where to write the copy.")) -> None:
        """Write a consistent copy of the SQLite database, safe while consoles are running."""
        from store.db.engine import Database
        from store.db.failures import sqlite_error
        from store.db.migrate import backup_sqlite

        database = Database(_state(ctx).db_url or "")
        path = database.sqlite_path
        if path is None:
            _fail(t("setup.backup_not_sqlite"))
        if not path.exists():
            _fail(t("setup.no_database", path=str(path)))
        try:
            with progress_bar(t("setup.backing_up")) as update:
                saved = backup_sqlite(database, dest=to, progress=update)
        except (OSError, sqlite_error()) as exc:
            if to is None:
                raise  # the source itself: the root command says what is wrong with it
            _fail(t("setup.backup_failed", path=str(to), detail=str(exc)))
        out.print(Text(t("setup.backup_done", path=str(saved))))


def _display_url(url: str) -> str:
    from store.db.engine import display_url

    return display_url(url)
