"""`shiftdesk import`, `shiftdesk ingest` and `shiftdesk rules list`: taking tickets in.

Every message that can carry customer text (a problem quoting a bad value) goes through
`clean_line`, so a hostile file cannot write escape sequences to the terminal.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.table import Table
from rich.text import Text

from console.commands.common import cli_state as _state
from console.commands.common import err, fail, out
from console.context import CliState
from console.i18n import has, t
from console.sanitize import clean_line

if TYPE_CHECKING:
    from datetime import tzinfo

    from store.intake.records import Problem
    from store.intake.rules import RuleBook

PROGRESS_FROM = 2000  # records; smaller files finish before a bar would be worth drawing


def _fail(message: str, code: int = 1) -> None:
    fail(message, code, limit=2000)


def problem_text(problem: Problem) -> str:
    """`file:line: reason` in the console's language, safe to print."""
    key = f"intake.err.{problem.code}"
    try:
        reason = t(key, **problem.params) if has(key) else problem.message()
    except (KeyError, IndexError, ValueError):
        reason = problem.message()
    return clean_line(f"{problem.where()}: {reason}", limit=2000)


def _report(problems: list[Problem]) -> None:
    for problem in problems:
        err.print(Text(problem_text(problem)), soft_wrap=True)


def _zone(tz: str | None) -> tzinfo | None:
    if not tz:
        return None
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        _fail(t("intake.bad_tz", value=tz), 2)
    return None


def _rules() -> RuleBook:
    from store.intake.rules import RulesError, load_rules

    try:
        return load_rules()
    except RulesError as exc:
        _fail(t("intake.rules_error", error=str(exc)), 1)  # a bad rules file: bad input
        raise  # unreachable: _fail exits


def _check_encoding(encoding: str | None) -> None:
    if encoding:
        from store.intake.encoding import check_encoding_name

        try:
            check_encoding_name(encoding)
        except ValueError:
            _fail(t("intake.bad_encoding", value=encoding), 2)


def _open(state: CliState):
    from store.clock import now
    from store.db.engine import open_database
    from store.defaults import ensure_defaults

    db = open_database(state.db_url)
    with db.write() as session:
        ensure_defaults(session, now())
    return db


def _reject_path(source: Path, reject: Path | None, many: bool) -> Path:
    from store.intake.reject import default_reject_path

    if reject is None:
        return default_reject_path(source)
    if many or reject.is_dir():
        return reject / default_reject_path(source).name
    return reject


def _import_one(db, path: Path, *, fmt: str, encoding: str | None, zone, rules: RuleBook, skip_bad: bool,
                reject: Path | None, many: bool) -> bool:
    """One file, all or nothing; True when it was taken in (with --skip-bad: the good part)."""
    from store.clock import now
    from store.intake.formats.generic import Options
    from store.intake.parse import parse_path
    from store.intake.records import IntakeError
    from store.intake.reject import reject_text
    from store.intake.writer import import_parsed

    at = now()
    parsed = parse_path(path, opts=Options(zone=zone, now=at), fmt=fmt, encoding=encoding, name=str(path))
    try:
        with _progress(len(parsed.records), path.name) as progress:
            outcome = import_parsed(db, parsed, rules=rules, now=at, skip_bad=skip_bad, progress=progress)
    except IntakeError as exc:
        _report(exc.problems)
        records = {p.line for p in exc.problems if p.line}
        # A file that cannot be read, decoded or recognised holds no bad record: it is refused whole.
        key, n = ("intake.refused", len(records)) if records else ("intake.refused_file", 0)
        err.print(Text(clean_line(t(key, source=str(path), n=n), limit=2000), style="bold red"), soft_wrap=True)
        return False
    tally = outcome.tally
    out.print(Text(clean_line(t("intake.done", source=str(path), created=tally.created, updated=tally.updated,
                                unchanged=tally.unchanged, messages=tally.messages, statuses=tally.statuses,
                                surveys=tally.surveys, duplicates=tally.duplicates, rules=tally.rules),
                              limit=2000)), soft_wrap=True)
    if tally.repairs:
        out.print(Text(clean_line(t("intake.repaired", source=str(path), n=len(tally.repairs)), limit=2000)))
    if outcome.rejected:
        _report(outcome.rejected)
        lines = {p.line for p in outcome.rejected if p.line}
        target = _reject_path(path, reject, many)
        target.write_text(reject_text(parsed, lines), encoding="utf-8")
        err.print(Text(clean_line(t("intake.rejected", source=str(path), n=len(lines), path=str(target)),
                                  limit=2000), style="yellow"), soft_wrap=True)
    return True


class _progress:
    """A Rich bar on standard error for big files on a terminal; otherwise nothing."""

    def __init__(self, total: int, name: str) -> None:
        self.total, self.name, self.bar = total, name, None

    def __enter__(self):
        if self.total < PROGRESS_FROM or not err.is_terminal:
            return None
        from rich.progress import Progress

        self.bar = Progress(console=err, transient=True)
        self.bar.start()
        task = self.bar.add_task(clean_line(t("intake.progress", name=self.name)), total=self.total)
        bar = self.bar
        return lambda done, total: bar.update(task, completed=done, total=total)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def register(app: typer.Typer) -> None:
    rules_app = typer.Typer(help="Escalation rules applied at intake.", no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(rules_app, name="rules")

    @app.command("import")
    def import_files(
        ctx: typer.Context,
        files: list[Path] = typer.Argument(..., help="CSV, JSON or JSON Lines files (generic, Zendesk or Freshdesk)."),
        fmt: str = typer.Option("auto", "--format", help="auto, generic, zendesk or freshdesk."),
        encoding: str = typer.Option(None, "--encoding", help="The files' encoding (default: UTF-8, or Big5 detected)."),
        tz: str = typer.Option(None, "--tz", help="Zone of times written without an offset, e.g. Asia/Taipei."),
        skip_bad: bool = typer.Option(False, "--skip-bad", help="Import the good records; write the bad ones aside."),
        reject: Path = typer.Option(None, "--reject", help="Where --skip-bad writes bad records (file or directory)."),
    ) -> None:
        """Import tickets; each file is all or nothing, and importing it again adds nothing."""
        from store.intake.parse import FORMATS

        state = _state(ctx)
        if fmt not in FORMATS:
            _fail(t("intake.bad_format", value=fmt, allowed=", ".join(FORMATS)), 2)
        _check_encoding(encoding)
        zone = _zone(tz)
        if reject is not None and len(files) > 1 and not reject.is_dir():
            _fail(t("intake.reject_many"), 2)
        rules = _rules()
        db = _open(state)
        failed = 0
        try:
            for path in files:
                ok = _import_one(db, path, fmt=fmt, encoding=encoding, zone=zone, rules=rules, skip_bad=skip_bad,
                                 reject=reject, many=len(files) > 1)
                failed += 0 if ok else 1
        finally:
            db.dispose()
        if failed:
            if len(files) > 1:
                err.print(Text(t("intake.summary_failed", n=failed), style="bold red"))
            raise typer.Exit(1)

    @app.command()
    def ingest(
        ctx: typer.Context,
        encoding: str = typer.Option(None, "--encoding", help="The stream's encoding (default UTF-8)."),
        tz: str = typer.Option(None, "--tz", help="Zone of times written without an offset."),
    ) -> None:
        """Read generic JSON Lines from standard input, committing lines as they arrive (within 50 ms)."""
        state = _state(ctx)
        _check_encoding(encoding)
        zone = _zone(tz)
        rules = _rules()
        db = _open(state)
        try:
            ok, bad = _stream(db, sys.stdin.buffer, encoding=encoding, zone=zone, rules=rules)
        finally:
            db.dispose()
        err.print(Text(t("intake.ingest_done", ok=ok, bad=bad)))
        if bad:
            raise typer.Exit(1)

    @rules_app.command("list")
    def rules_list(ctx: typer.Context) -> None:
        """The rules in force: shipped ones and yours, in the order they are tried."""
        from console.i18n import get_language
        from store.intake.rules import SHIPPED_PATH, user_rules_path

        _state(ctx)
        book = _rules()
        lang = get_language()
        table = Table(t("intake.rules.id"), t("intake.rules.when"), t("intake.rules.then"), t("intake.rules.reason"),
                      t("intake.rules.origin"))
        for rule in book.rules:
            table.add_row(Text(rule.id), Text(_when(rule)), Text(_then(rule)), Text(clean_line(rule.reason_in(lang))),
                          Text(t("intake.rules.shipped") if rule.origin == "shipped" else t("intake.rules.user")))
        out.print(table)
        user = user_rules_path()
        state_text = t("intake.rules.found") if user.exists() else t("intake.rules.absent")
        out.print(Text(t("intake.rules.files", shipped=str(SHIPPED_PATH), user=str(user), state=state_text)))


def _when(rule) -> str:
    parts = [t("intake.rules.keywords", language=lang, words=", ".join(words)) for lang, words in rule.keywords.items()]
    if rule.tiers:
        parts.append(t("intake.rules.tiers", tiers=", ".join(t(f"tier.{x}") for x in sorted(rule.tiers))))
    if rule.channels:
        parts.append(t("intake.rules.channels", channels=", ".join(t(f"channel.{x}") for x in sorted(rule.channels))))
    return "\n".join(clean_line(p) for p in parts)


def _then(rule) -> str:
    parts = []
    if rule.priority:
        parts.append(t("intake.rules.priority", priority=t(f"priority.{rule.priority}")))
    if rule.flag_lead:
        parts.append(t("intake.rules.flag"))
    return "\n".join(parts)


# Lines arriving together are committed together: a line waits at most BATCH_WINDOW seconds for
# others (and never for more than BATCH_LINES of them) before its transaction starts, and counts
# as taken only once that transaction has committed. README: "Importing tickets".
BATCH_WINDOW = 0.05
BATCH_LINES = 500


def _batches(stream) -> Iterator[list[tuple[int, bytes]]]:
    """(line number, bytes) in groups: the first line as soon as it comes, then whatever else
    arrives within BATCH_WINDOW. A thread reads the stream, so a quiet producer never holds
    back a line already read."""
    lines: queue.Queue = queue.Queue(maxsize=4 * BATCH_LINES)

    def read() -> None:
        try:
            for item in enumerate(stream, start=1):
                lines.put(item)
        finally:
            lines.put(None)

    threading.Thread(target=read, name="ingest-reader", daemon=True).start()
    while True:
        first = lines.get()
        if first is None:
            return
        batch, deadline = [first], time.monotonic() + BATCH_WINDOW
        while len(batch) < BATCH_LINES and (left := deadline - time.monotonic()) > 0:
            try:
                item = lines.get(timeout=left)
            except queue.Empty:
                break
            if item is None:
                yield batch
                return
            batch.append(item)
        yield batch


def _stream(db, stream, *, encoding: str | None, zone, rules: RuleBook) -> tuple[int, int]:
    """Lines in short batches, each batch one transaction; a bad line is reported with its number
    and skipped (a batch holding a line the store refuses is taken again line by line)."""
    from store.clock import now
    from store.intake.encoding import decode_line
    from store.intake.formats.generic import Options
    from store.intake.parse import parse_line
    from store.intake.records import IntakeError
    from store.intake.writer import ingest_batch, ingest_records

    ok = bad = 0
    for batch in _batches(stream):
        parsed = []
        for number, raw in batch:
            try:
                text = decode_line(raw.rstrip(b"\r\n"), "stdin", number, encoding)
                if not text.strip():
                    continue
                at = now()
                parsed.append((parse_line(text, "stdin", number, Options(zone=zone, now=at, default_at=at)), at))
            except IntakeError as exc:
                bad += 1
                _report(exc.problems)
        if not parsed:
            continue
        try:
            ingest_batch(db, parsed, "stdin", rules=rules)
            ok += len(parsed)
            continue
        except IntakeError:
            pass  # nothing of the batch was written: line by line, so the good ones are kept
        for records, at in parsed:
            try:
                ingest_records(db, records, "stdin", rules=rules, now=at)
            except IntakeError as exc:
                bad += 1
                _report(exc.problems)
                continue
            ok += 1
    return ok, bad
