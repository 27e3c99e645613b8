"""`shiftdesk demo`: build the demo database with a progress bar, then open the console.

Run again, it opens the database it built (a database that holds tickets is never rebuilt
without --reset), so the README's "Try it" command can be repeated. The progress shows from
the first moment (before the heavy imports) on standard error and names each phase: schema,
agents and customers, history, open tickets, indexes, rollups. The store's generator knows
nothing of Rich: it calls back with (phase, done, total).

On SQLite the demo is atomic (store/demo/atomic.py): it is built in a temporary file beside
the target (a copy of the target when that is a database without tickets, so an initialised
file keeps its agents and policies), finished there (indexes, rollups, ANALYZE) and only then
moved into place. A killed demo leaves the previous file, or none, never half a database.

On PostgreSQL it is atomic too (store/demo/pg_atomic.py): built in a scratch schema and moved
into the target schema by one transaction, which also drops the previous tables. A killed demo
leaves the previous tables (or none) and a scratch schema the next demo clears. --reset replaces
every Shiftdesk table there, so it asks first, and refuses when there is no terminal to ask on.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from console.context import CliState
from console.i18n import t
from console.sanitize import clean_line

Spec = tuple[int, int, int, int]  # tickets, history, days, seed


def _bar(err: Console) -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=err, transient=False)


def _label(phase: str) -> str:
    return f"{t('demo.building')}: {t('demo.phase.' + phase)}"


def run_demo(state: CliState, *, tickets: int, history: int, days: int, seed: int, reset: bool,
             open_console: bool, out: Console, err: Console) -> None:
    started = time.perf_counter()
    progress = _bar(err)
    spec = (tickets, history, days, seed)
    with progress:
        schema = progress.add_task(_label("schema"), total=None)  # on screen before any import
        from store.db.engine import resolve_url
        from store.db.reader import sqlite_path_for

        url = resolve_url(state.db_url or "")
        path = sqlite_path_for(url)
        if path is not None:
            counts, shown = _demo_sqlite(path, spec, state, reset=reset, progress=progress, schema=schema)
        else:
            counts, shown = _demo_postgres(url, spec, state, reset=reset, progress=progress, schema=schema)
    if counts is None:
        key = "demo.existing" if open_console else "demo.existing_no_open"
        err.print(Text(t(key, url=shown), style="yellow"), soft_wrap=True)
    else:
        out.print(Text(t("demo.done", seconds=time.perf_counter() - started, **counts)))
    if open_console:
        out.print(Text(t("demo.open_as", name=clean_line(state.agent_name()))))
        from console.launch import run_console

        run_console(state)


def _generate(url: str, spec: Spec, state: CliState, *, backup: bool, progress: Progress,
              schema: TaskID) -> dict[str, int]:
    from store.db.engine import open_database
    from store.demo.generate import DemoSpec, demo_now, generate

    tickets, history, days, seed = spec
    database = open_database(url, backup=backup)
    progress.update(schema, total=1, completed=1)
    tasks: dict[str, TaskID] = {}

    def report(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = progress.add_task(_label(phase), total=total)
        progress.update(tasks[phase], completed=done, total=total)

    try:
        return generate(database, DemoSpec(tickets=tickets, history=history, days=days, seed=seed),
                        demo_now(), progress=report, extra_agent=state.agent_name())
    finally:
        database.dispose()


def _demo_sqlite(target: Path, spec: Spec, state: CliState, *, reset: bool, progress: Progress,
                 schema: TaskID) -> tuple[dict[str, int] | None, str]:
    import typer

    from store.demo import atomic

    target = target.expanduser()
    shown = clean_line(str(target))
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic.remove_stale_temps(target)
    present = target.is_file() and target.stat().st_size > 0
    holds = atomic.holds_tickets(target) if present else False
    if holds and not reset:
        progress.remove_task(schema)
        return None, shown
    if holds is None and not reset:
        progress.remove_task(schema)
        progress.console.print(Text(t("demo.refused_foreign", url=shown), style="yellow"), soft_wrap=True)
        raise typer.Exit(1)
    temp = atomic.temp_path_for(target)
    atomic.remove_sqlite(temp)
    try:
        if present and not reset:
            atomic.copy_into(target, temp)  # an initialised file without tickets keeps what it holds
        counts = _generate(f"sqlite:///{temp}", spec, state, backup=False, progress=progress, schema=schema)
        atomic.move_into_place(temp, target)
    except atomic.DemoTargetBusy:
        progress.console.print(Text(t("demo.target_busy", url=shown), style="yellow"), soft_wrap=True)
        raise typer.Exit(1) from None
    finally:
        atomic.remove_sqlite(temp)  # already gone after a successful move
    if reset and present:
        progress.console.print(Text(t("demo.reset", url=shown)))
    return counts, shown


def _demo_postgres(url: str, spec: Spec, state: CliState, *, reset: bool, progress: Progress,
                   schema: TaskID) -> tuple[dict[str, int] | None, str]:
    import typer

    from store.db.engine import Database, open_database
    from store.demo import pg_atomic
    from store.demo.generate import has_tickets

    database = Database(url)
    shown = clean_line(database.url)
    try:
        with database.engine.connect() as conn:
            present = pg_atomic.has_tables(conn)
        exists = present and has_tickets(database)
    finally:
        database.dispose()
    if exists and not reset:
        progress.remove_task(schema)
        return None, shown
    if reset and present:
        if not sys.stdin.isatty():
            progress.console.print(Text(t("demo.pg_reset_needs_terminal", url=shown), style="yellow"),
                                   soft_wrap=True)
            raise typer.Exit(1)
        progress.stop()  # the question needs a quiet terminal
        if not typer.confirm(t("demo.pg_reset_confirm", url=shown), default=False):
            raise typer.Exit(1)
        progress.start()
    try:
        with pg_atomic.build_aside(url) as aside:
            progress.console.print(Text(t("demo.pg_aside", schema=clean_line(aside.schema)), style="dim"))
            if present and not reset:  # an initialised database without tickets keeps what it holds
                open_database(url).dispose()  # at the current version first, like the scratch tables
                open_database(aside.url, backup=False).dispose()
                aside.copy_from_target()
            counts = _generate(aside.url, spec, state, backup=False, progress=progress, schema=schema)
            aside.swap()
    except pg_atomic.DemoBuildBusy:
        progress.console.print(Text(t("demo.pg_busy", url=shown), style="yellow"), soft_wrap=True)
        raise typer.Exit(1) from None
    except pg_atomic.NoScratchSchema as exc:
        progress.console.print(Text(t("demo.pg_no_scratch", url=shown, detail=clean_line(str(exc))),
                                    style="yellow"), soft_wrap=True)
        raise typer.Exit(1) from None
    if reset and present:
        progress.console.print(Text(t("demo.reset", url=shown)))
    return counts, shown
