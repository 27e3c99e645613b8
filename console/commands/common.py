"""What every subcommand shares: the two consoles, the CLI state, and a clean way to fail.

`SafeGroup` is the root command's class: whatever a command raises that it did not turn into a
message itself ends here, as one sanitised line naming the cause and what to do (`explain`),
exit status 1, and the traceback goes to the log only.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.text import Text
from typer.core import TyperGroup

try:  # Typer 0.22+ carries its own Click; older ones use the click package
    from typer._click.exceptions import UsageError
except ImportError:  # pragma: no cover - depends on the installed Typer
    from click.exceptions import UsageError  # type: ignore[assignment]

from console.context import CliState
from console.i18n import detect_language, set_language
from console.sanitize import clean_line

err = Console(stderr=True, highlight=False, markup=False, emoji=False)


def _piped_width() -> int | None:
    """A terminal sizes itself; a pipe or file gets $COLUMNS, else room enough that no table cell
    is cut short ("Re…") for a script or a spreadsheet reading it."""
    if sys.stdout is not None and sys.stdout.isatty():
        return None
    return int(os.environ.get("COLUMNS", "0") or 0) or 4000


out = Console(highlight=False, markup=False, emoji=False, width=_piped_width())


def fit_output() -> None:
    """Size standard output for this command (the module may have been imported long before)."""
    width = _piped_width()
    if width is not None:
        out.width = width
log = logging.getLogger("shiftdesk")
# Without any handler, logging's last resort would print the traceback on the terminal.
log.addHandler(logging.NullHandler())


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


def checked(check: Any, field: str) -> Any:
    """A Typer callback running a store.limits check: a bad value is one line and exit 1."""

    def callback(value: Any) -> Any:
        if value is None:
            return None
        try:
            return check(field, value)
        except ValueError as exc:
            fail(str(exc))

    return callback


def explain(exc: BaseException, db_url: str | None = None) -> str | None:
    """One sentence for a failure the user can act on; None when it is a bug."""
    from store.db.engine import DatabaseBusy
    from store.db.failures import database_label, diagnose
    from store.errors import ShiftdeskError

    if isinstance(exc, DatabaseBusy):  # waited its bounded time for the lock: say which database
        exc = exc.cause
    elif isinstance(exc, ShiftdeskError | ValueError) and not isinstance(exc, UnicodeError):
        return str(exc)
    trouble = diagnose(exc)
    if trouble is None:
        return None
    from console.i18n import t

    return t(f"fail.{trouble.kind}", db=database_label(db_url), detail=trouble.detail,
             path=trouble.path or database_label(db_url))


class OneLineUsage(UsageError):
    """A usage error told in one sentence: what was wrong (Click's words, naming the option or
    argument, cleaned) and where the help is; exit status 2. Replaces Click's usage block."""

    def __init__(self, error: UsageError) -> None:
        super().__init__(error.format_message(), error.ctx)
        self.exit_code = error.exit_code

    def show(self, file: Any = None) -> None:
        from console.i18n import t

        where = self.ctx.command_path if self.ctx is not None else "shiftdesk"
        detail = self.format_message().strip().rstrip(".")
        err.print(Text(clean_line(t("fail.usage", detail=detail, help=f"{where} --help"), limit=500),
                       style="bold red"), soft_wrap=True)


def _one_line(error: UsageError) -> UsageError:
    # A group called with no subcommand shows its help (Click's NoArgsIsHelpError): that stays help.
    if isinstance(error, OneLineUsage) or type(error).__name__ == "NoArgsIsHelpError":
        return error
    return OneLineUsage(error)


class SafeGroup(TyperGroup):
    """The root command: expected failures become one line (exit 1), never a traceback; usage
    errors one line too (exit 2), never Click's usage block."""

    def make_context(self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any) -> Any:
        try:
            return super().make_context(info_name, args, parent, **extra)
        except UsageError as error:  # the root's own options: --bogus, --lang fr
            raise _one_line(error) from error

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except UsageError as error:  # a subcommand's: no such command, a bad value, a missing argument
            raise _one_line(error) from error
        except (typer.Exit, typer.Abort, typer.TyperException):  # Typer's own exits
            raise
        except Exception as exc:
            state = ctx.obj if isinstance(ctx.obj, CliState) else CliState()
            log.exception("shiftdesk %s failed", ctx.invoked_subcommand or "console")
            message = explain(exc, state.db_url)
            if message is None:
                from console.i18n import t

                message = t("fail.unexpected", detail=f"{type(exc).__name__}: {exc}")
            fail(message)
