"""`shiftdesk demo`: build the demo database with a progress bar, then open the console."""

from __future__ import annotations

import time

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from console.context import CliState
from console.i18n import t


def run_demo(state: CliState, *, tickets: int, history: int, days: int, seed: int, reset: bool,
             open_console: bool, out: Console, err: Console) -> None:
    import typer

    from store.db.engine import Database, open_database
    from store.demo.generate import DemoSpec, demo_now, generate, has_tickets
    from store.demo.generate import reset as wipe

    database = Database(state.db_url or "")
    shown = database.url
    try:
        exists = has_tickets(database)
    except Exception:  # no tables yet: a brand-new or foreign file; migration will tell
        exists = False
    if exists and not reset:
        err.print(Text(t("demo.refused", url=shown), style="yellow"))
        raise typer.Exit(1)
    if reset:
        wipe(database)
        out.print(Text(t("demo.reset", url=shown)))
    database = open_database(state.db_url, backup=not reset)
    started = time.perf_counter()
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=out, transient=False) as progress:
        tasks: dict[str, int] = {}

        def report(phase: str, done: int, total: int) -> None:
            if phase not in tasks:
                tasks[phase] = progress.add_task(f"{t('demo.building')}: {t('demo.phase.' + phase)}", total=total)
            progress.update(tasks[phase], completed=done)

        counts = generate(database, DemoSpec(tickets=tickets, history=history, days=days, seed=seed), demo_now(),
                          progress=report, extra_agent=state.agent_name())
    out.print(Text(t("demo.done", seconds=time.perf_counter() - started, **counts)))
    database.dispose()
    if open_console:
        out.print(Text(t("demo.open_as", name=state.agent_name())))
        from console.launch import run_console

        run_console(state)
