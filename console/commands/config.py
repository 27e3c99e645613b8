"""`shiftdesk config path|show|set|unset`: where things live, and the settings file by hand.

The checks are console/settings.py's, so `config set` refuses exactly what the console would
drop at start-up, in the same words, and writes nothing then (exit status 1).
"""

from __future__ import annotations

import typer
from rich.text import Text

from console.commands.common import err, fail, out


def register(app: typer.Typer) -> None:
    config_app = typer.Typer(help="The settings file: where it is, what it holds, changing one key.",
                             no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(config_app, name="config")

    @config_app.command("path")
    def config_path() -> None:
        """Print where the settings file, the log file and the default database are."""
        from console.logs import log_path
        from console.settings import settings_path
        from store.db.engine import default_db_path

        for label, path in (("settings", settings_path()), ("log", log_path()),
                            ("database", default_db_path())):
            out.print(Text(f"{label:<9} {path}"), soft_wrap=True)

    @config_app.command("show")
    def config_show() -> None:
        """Print the settings in force (the file's, checked; problems on standard error)."""
        from console.settings import load, to_toml

        settings, problems = load()
        for line in problems:
            err.print(Text(line, style="yellow"), soft_wrap=True)
        out.print(Text(f"# {settings.path}"), soft_wrap=True)
        out.print(Text(to_toml(settings).rstrip("\n") or "# (nothing set: built-in defaults)"), soft_wrap=True)

    @config_app.command("set")
    def config_set(key: str = typer.Argument(..., help="database, language, theme, timezone, "
                                                     "or keymap.<binding id>"),
                   value: str = typer.Argument(..., help="The new value.")) -> None:
        """Check and store one setting (nothing is written if it is refused)."""
        from console.settings import SettingsError, settings_path, write_value

        path = settings_path()
        try:
            write_value(path, key, value)
        except SettingsError as exc:
            fail(str(exc))
        out.print(Text(f"{key} = {value}  ({path})"), soft_wrap=True)

    @config_app.command("unset")
    def config_unset(key: str = typer.Argument(..., help="The key to drop (back to its default).")) -> None:
        """Remove one setting from the file."""
        from console.settings import SettingsError, settings_path, unset_value

        path = settings_path()
        try:
            unset_value(path, key)
        except SettingsError as exc:
            fail(str(exc))
        out.print(Text(f"{key}: default  ({path})"), soft_wrap=True)
