"""`shiftdesk demo`: build the demo database with a progress bar, then open the console.

Run again, it opens the database it built (a database that holds tickets is never rebuilt
without --reset), so the README's "Try it" command can be repeated. The progress shows from
the first moment (before the heavy imports) on standard error and names each phase: schema,
agents and customers, history, open tickets, indexes, rollups. The store's generator knows
nothing of Rich: it calls back with (phase, done, total).
"""

from __future__ import annotations

import time

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


def _bar(err: Console) -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=err, transient=False)


def _label(phase: str) -> str:
    return f"{t('demo.building')}: {t('demo.phase.' + phase)}"


def run_demo(state: CliState, *, tickets: int, history: int, days: int, seed: int, reset: bool,
             open_console: bool, out: Console, err: Console) -> None:
    started = time.perf_counter()
    progress = _bar(err)
    counts: dict[str, int] | None = None
    with progress:
        schema = progress.add_task(_label("schema"), total=None)  # on screen before any import
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
            progress.remove_task(schema)
            database.dispose()
        else:
            if reset:
                wipe(database)
                progress.console.print(Text(t("demo.reset", url=shown)))
            database = open_database(state.db_url, backup=not reset)
            progress.update(schema, total=1, completed=1)
            tasks: dict[str, TaskID] = {}

            def report(phase: str, done: int, total: int) -> None:
                if phase not in tasks:
                    tasks[phase] = progress.add_task(_label(phase), total=total)
                progress.update(tasks[phase], completed=done, total=total)

            counts = generate(database, DemoSpec(tickets=tickets, history=history, days=days, seed=seed),
                              demo_now(), progress=report, extra_agent=state.agent_name())
            database.dispose()
    if counts is None:
        key = "demo.existing" if open_console else "demo.existing_no_open"
        err.print(Text(t(key, url=shown), style="yellow"), soft_wrap=True)
    else:
        out.print(Text(t("demo.done", seconds=time.perf_counter() - started, **counts)))
    if open_console:
        out.print(Text(t("demo.open_as", name=state.agent_name())))
        from console.launch import run_console

        run_console(state)
