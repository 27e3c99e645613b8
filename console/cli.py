"""The `shiftdesk` command line: opens the console, and the admin commands beside it."""

from __future__ import annotations

import typer

from console.commands import register_all
from console.context import CliState

app = typer.Typer(
    name="shiftdesk",
    help="Shiftdesk: a terminal console for customer-support teams.",
    no_args_is_help=False,
    add_completion=False,
    rich_markup_mode=None,
)


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    db: str = typer.Option(None, "--db", envvar="SHIFTDESK_DB", help="Database URL or SQLite path."),
    as_agent: str = typer.Option(None, "--as", help="Act as this agent (default: the OS user name)."),
    lang: str = typer.Option(None, "--lang", help="Interface language: zh-TW or en (default: from LANG)."),
) -> None:
    """Open the console, or run one of the commands below."""
    from console.i18n import detect_language, set_language

    try:
        set_language(detect_language(lang))
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--lang") from None
    ctx.obj = CliState(db_url=db, as_agent=as_agent, lang=lang)
    if ctx.invoked_subcommand is None:
        from console.launch import run_console

        run_console(ctx.obj)


register_all(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
