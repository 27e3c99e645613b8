"""The `shiftdesk` command line: opens the console, and the admin commands beside it.

The root callback settles what every command shares, in this order of precedence: a flag,
then the environment, then the settings file, then the built-in default. It also refuses, before
any command runs, a database path that does not exist (a typo in `--db` must not make a new
empty database): only `init` and `demo` create one.

Exit status: 0 done, 1 refused or bad input (a file, a record, the database's state), 2 usage
(an unknown command or option, a bad option value).
"""

from __future__ import annotations

import typer
from typer.core import TyperGroup

from console.commands import register_all
from console.commands.common import SafeGroup
from console.context import CliState

# Commands that create a database, or need none. Anything else needs an existing one.
NO_DATABASE_NEEDED = frozenset({"init", "demo", "config", "templates", "rules", "db grants"})
_ARGS_KEY = "shiftdesk.command_args"


class _RootGroup(SafeGroup):
    """Remembers the words after the subcommand's name, so the root callback knows the full
    command (`db grants` needs no database, `db upgrade` does) and whether help was asked for."""

    def resolve_command(self, ctx, args):  # type: ignore[no-untyped-def]
        name, command, rest = super().resolve_command(ctx, args)
        ctx.meta[_ARGS_KEY] = list(rest)
        return name, command, rest


app = typer.Typer(
    name="shiftdesk",
    cls=_RootGroup,
    help="Shiftdesk: a terminal console for customer-support teams.",
    no_args_is_help=False,
    add_completion=True,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            number = version("shiftdesk")
        except PackageNotFoundError:  # running from a checkout that was never installed
            number = "unknown"
        typer.echo(f"shiftdesk {number}")
        raise typer.Exit()


def _needs_existing_database(ctx: typer.Context) -> bool:
    """True for the console and every command but those in NO_DATABASE_NEEDED (and for no help)."""
    rest = ctx.meta.get(_ARGS_KEY, [])
    if "--help" in rest:
        return False
    name = ctx.invoked_subcommand
    if name is None:
        return True  # the console itself
    if name in NO_DATABASE_NEEDED:
        return False
    command = ctx.command.get_command(ctx, name) if isinstance(ctx.command, TyperGroup) else None
    if isinstance(command, TyperGroup):
        sub = next((word for word in rest if not word.startswith("-")), None)
        return sub is not None and f"{name} {sub}" not in NO_DATABASE_NEEDED
    return True


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: str = typer.Option(None, "--db", envvar="SHIFTDESK_DB", help="Database URL or SQLite path."),
    as_agent: str = typer.Option(None, "--as", help="Act as this agent (default: the OS user name)."),
    lang: str = typer.Option(None, "--lang", help="Interface language: zh-TW or en (default: from LANG)."),
    log_level: str = typer.Option("warning", "--log-level", envvar="SHIFTDESK_LOG_LEVEL",
                                  help="What goes to the log file: debug, info, warning, error."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """Open the console, or run one of the commands below."""
    import os

    from console import zone
    from console.commands.common import err, fit_output
    from console.i18n import detect_language, set_language
    from console.logs import log, setup_logging
    from console.settings import load

    fit_output()
    try:
        setup_logging(log_level)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--log-level") from None
    settings, problems = load()
    zone.prefer(settings.timezone)  # beats the team's zone (console/zone.py)
    for line in problems:
        log.warning("%s", line)
        if ctx.invoked_subcommand != "config":  # config show prints them itself
            err.print(line, style="yellow", soft_wrap=True)
    if not lang and not os.environ.get("SHIFTDESK_LANG") and settings.language:
        lang = settings.language
    try:
        set_language(detect_language(lang))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--lang") from None
    ctx.obj = CliState(db_url=db or settings.database, as_agent=as_agent, lang=lang, settings=settings)
    if _needs_existing_database(ctx):
        _refuse_missing_database(ctx.obj)
    if ctx.invoked_subcommand is None:
        from console.launch import run_console

        run_console(ctx.obj)


def _refuse_missing_database(state: CliState) -> None:
    """Exit 1, naming the path and `shiftdesk init`, when a SQLite file that should be there is not."""
    from console.commands.common import fail
    from console.i18n import t
    from store.db.reader import sqlite_path_for

    path = sqlite_path_for(state.db_url)
    # Missing only: a folder, a device or a file standing where a folder should be is the root
    # command's failure to explain (store/db/failures.py).
    if path is not None and not path.exists() and not any(p.exists() and not p.is_dir() for p in path.parents):
        fail(t("setup.missing_database", path=str(path)), limit=2000)


register_all(app)


def main() -> None:
    app(prog_name="shiftdesk")


if __name__ == "__main__":
    main()
