"""What every subcommand shares: the two consoles, the CLI state, and a clean way to fail."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import typer
from rich.console import Console
from rich.text import Text

from console.context import CliState
from console.i18n import detect_language, set_language
from console.sanitize import clean_line

err = Console(stderr=True, highlight=False, markup=False, emoji=False)
out = Console(highlight=False, markup=False, emoji=False)


def cli_state(ctx: typer.Context) -> CliState:
    """The root command's state (a blank one when a subcommand runs alone), language applied."""
    state = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
    try:
        set_language(detect_language(state.lang))
    except ValueError:
        set_language(detect_language(None))
    return state


def fail(message: str, code: int = 1, *, limit: int = 500) -> NoReturn:
    """Print one sanitised line on standard error and exit with `code`."""
    err.print(Text(clean_line(message, limit=limit), style="bold red"), soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def progress_bar(label: str, total: int | None = None) -> Iterator[Callable[[int, int], None]]:
    """A Rich progress bar on standard error while the block runs, if that is a terminal.

    Yields `update(done, total)`. Piped or redirected, nothing is drawn and `update` does
    nothing, so scripts and logs stay clean. The bar disappears when the block ends.
    """
    if not err.is_terminal:
        yield lambda _done, _total: None
        return
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(), console=err,
                  transient=True) as bar:
        task = bar.add_task(clean_line(label), total=total)
        yield lambda done, total: bar.update(task, completed=done, total=total)
