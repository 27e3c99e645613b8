"""`shiftdesk db check` and `shiftdesk db rebuild-rollups`: the report counters against their history.

Both run the store's one rebuild (store.rollups.rebuild); `check` does it inside a transaction it
rolls back, so it changes nothing, and exits 1 when anything differs.
"""

from __future__ import annotations

import time

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.text import Text

from console.commands.common import cli_state, err, out
from console.i18n import t
from console.sanitize import clean_line

SHOWN = 20  # differences listed in full


def _db_group(app: typer.Typer) -> typer.Typer:
    for group in app.registered_groups:
        if group.name == "db" and group.typer_instance is not None:
            return group.typer_instance
    raise RuntimeError("console.commands.setup must register the db group first")


def phase_bar():
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=err, transient=True)


def phase_reporter(progress: Progress):
    """progress(phase, done, total) for the store's rebuild, one bar per phase."""
    tasks: dict[str, object] = {}

    def report(phase: str, done: int, total: int) -> None:
        if phase not in tasks:
            tasks[phase] = progress.add_task(t("rollups.phase." + phase), total=total)
        progress.update(tasks[phase], completed=done)  # type: ignore[arg-type]

    return report


def register(app: typer.Typer) -> None:
    db_app = _db_group(app)

    @db_app.command("rebuild-rollups")
    def rebuild_rollups(ctx: typer.Context) -> None:
        """Rebuild the report counters (facts and rollups) from the ticket history, with progress."""
        from store.db.engine import open_database
        from store.rollups.rebuild import rebuild

        db = open_database(cli_state(ctx).db_url)
        started = time.perf_counter()
        with phase_bar() as progress, db.engine.begin() as conn:
            facts = rebuild(conn, phase_reporter(progress))
        db.dispose()
        out.print(Text(t("rollups.rebuilt", facts=facts, seconds=time.perf_counter() - started)))

    @db_app.command("check")
    def check(ctx: typer.Context) -> None:
        """Compare the live report counters with a rebuild from history; exit 1 if any field differs."""
        from store.db.engine import open_database
        from store.rollups.rebuild import check as check_rollups

        db = open_database(cli_state(ctx).db_url)
        with phase_bar() as progress, db.engine.connect() as conn:
            transaction = conn.begin()
            try:
                result = check_rollups(conn, phase_reporter(progress))
            finally:
                transaction.rollback()
        db.dispose()
        if result.ok:
            out.print(Text(t("rollups.check_ok", fields=result.fields, facts=result.facts_live)))
            return
        for d in result.differences[:SHOWN]:
            out.print(Text(clean_line(t("rollups.difference", table=d.table, key=repr(d.key), field=d.field,
                                        live=d.live, rebuilt=d.rebuilt))))
        err.print(Text(t("rollups.check_bad", n=len(result.differences), fields=result.fields,
                         facts=result.facts_differ), style="bold red"))
        raise typer.Exit(1)
