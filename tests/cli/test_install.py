"""The habits of a terminal tool: --version, completion, `python -m console`, exit codes, no
database made by accident, a demo that can be run twice, progress that names its phases and
stays off pipes, and a log file made only when something is logged."""

from __future__ import annotations

import logging
import os
import sqlite3
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

from console.cli import app

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path, monkeypatch):
    """Every per-user folder inside tmp_path/home, so "nothing was created" can be checked."""
    home = tmp_path / "home"
    home.mkdir()
    for var, sub in (("XDG_DATA_HOME", "data"), ("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                     ("XDG_CACHE_HOME", "cache")):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("SHIFTDESK_CONFIG", raising=False)
    monkeypatch.delenv("SHIFTDESK_LOG", raising=False)
    monkeypatch.delenv("SHIFTDESK_DB", raising=False)
    monkeypatch.setenv("SHIFTDESK_LANG", "en")
    return home


def tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def test_version_is_the_installed_metadata():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"shiftdesk {version('shiftdesk')}\n"
    assert version("shiftdesk") == "0.2.0"


def test_shell_completion_is_offered_by_typer():
    help_text = runner.invoke(app, ["--help"]).output
    assert "--install-completion" in help_text and "--show-completion" in help_text
    script = runner.invoke(app, ["--show-completion", "bash"], prog_name="shiftdesk")
    assert script.exit_code == 0
    assert "_SHIFTDESK_COMPLETE=complete_bash" in script.output


def test_python_dash_m_console_is_the_same_command(tmp_path):
    env = {**os.environ, "SHIFTDESK_LANG": "en"}
    proc = subprocess.run([sys.executable, "-m", "console", "--help"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: shiftdesk [OPTIONS] COMMAND [ARGS]...")


@pytest.mark.parametrize("command", [[], ["report"], ["agents", "list"], ["import", "tickets.jsonl"],
                                     ["db", "upgrade"], ["handover", "list"], ["policy", "list"]])
@pytest.mark.parametrize("how", ["flag", "env"])
def test_a_missing_database_is_refused_and_nothing_is_created(env, tmp_path, monkeypatch, command, how):
    missing = tmp_path / "typo" / "shiftdsk.db"
    (tmp_path / "tickets.jsonl").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = tree(tmp_path)
    if how == "env":
        monkeypatch.setenv("SHIFTDESK_DB", str(missing))
        args = command
    else:
        args = ["--db", str(missing), *command]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert f"No database at {missing}." in result.output and "shiftdesk init" in result.output
    assert tree(tmp_path) == before  # no file, no folder (nor the default data folder, nor a log)


def test_the_default_database_is_not_made_by_anything_but_init(env):
    result = runner.invoke(app, ["agents", "list"])
    assert result.exit_code == 1
    assert f"No database at {env / 'data' / 'shiftdesk' / 'shiftdesk.db'}." in result.output
    assert tree(env) == set()
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert (env / "data" / "shiftdesk" / "shiftdesk.db").is_file()
    assert runner.invoke(app, ["agents", "list"]).exit_code == 0


def test_commands_that_need_no_database_still_run_without_one(env, tmp_path):
    missing = str(tmp_path / "none.db")
    for args in (["db", "grants"], ["templates", "list"], ["config", "path"], ["rules", "list"],
                 ["report", "--help"], ["db"]):
        result = runner.invoke(app, ["--db", missing, *args])
        assert result.exit_code in (0, 2), (args, result.output)  # `db` alone prints its usage
        assert "No database at" not in result.output, args
    assert not Path(missing).exists()


def test_exit_codes_zero_done_one_refused_two_usage(env, tmp_path):
    db = str(tmp_path / "a.db")
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    assert runner.invoke(app, ["--db", db, "report", "--format", "json"]).exit_code == 0
    assert runner.invoke(app, ["--no-such-option"]).exit_code == 2
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2
    assert runner.invoke(app, ["--db", db, "report", "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["--log-level", "chatty", "config", "path"]).exit_code == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "ticket"}\n', encoding="utf-8")
    assert runner.invoke(app, ["--db", db, "import", str(bad)]).exit_code == 1
    assert runner.invoke(app, ["--db", str(tmp_path / "none.db"), "report"]).exit_code == 1
    assert runner.invoke(app, ["config", "set", "theme", "neon"]).exit_code == 1


def test_demo_twice_opens_the_console_both_times_and_builds_once(env, tmp_path, monkeypatch):
    import console.launch

    opened: list[str | None] = []
    monkeypatch.setattr(console.launch, "run_console", lambda state: opened.append(state.db_url))
    db = tmp_path / "demo.db"
    args = ["demo", "--db", str(db), "--tickets", "30", "--history", "60", "--days", "2"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    for phase in ("database schema", "agents and customers", "history", "open tickets", "indexes",
                  "report rollups"):
        assert f"Building demo data: {phase}" in first.stderr, phase
    made = sqlite3.connect(db).execute("SELECT max(id), count(*) FROM ticket").fetchone()
    assert made == (90, 90)
    second = runner.invoke(app, args)
    assert second.exit_code == 0, second.output
    assert "opening it as it is" in second.stderr and "Building demo data" not in second.stderr
    assert opened == [str(db), str(db)]
    assert sqlite3.connect(db).execute("SELECT max(id), count(*) FROM ticket").fetchone() == made


def test_progress_stays_off_a_pipe(env, tmp_path):
    db = str(tmp_path / "a.db")
    assert runner.invoke(app, ["--db", db, "init"]).exit_code == 0
    for args in (["db", "upgrade"], ["db", "backup", "--to", str(tmp_path / "b.db")], ["report"]):
        result = runner.invoke(app, ["--db", db, *args])
        assert result.exit_code == 0, result.output
        assert result.stderr == "", args


def test_progress_bar_draws_on_a_terminal(monkeypatch):
    import io

    from rich.console import Console

    from console.commands import common

    screen = io.StringIO()
    monkeypatch.setattr(common, "err", Console(file=screen, force_terminal=True, width=80))
    with common.progress_bar("Backing up") as update:
        update(5, 10)
    assert "Backing up" in screen.getvalue()


def test_log_file_appears_only_when_something_is_logged(tmp_path):
    from console.logs import log, setup_logging

    path = tmp_path / "logs" / "deep" / "shiftdesk.log"
    try:
        assert setup_logging("warning", path) == path
        log.info("not at warning")
        assert not path.parent.exists()
        log.warning("something to attach")
        text = path.read_text(encoding="utf-8")
        assert "WARNING shiftdesk [MainThread] something to attach" in text and "not at warning" not in text
    finally:
        setup_logging("warning", tmp_path / "unused.log")


def test_help_creates_no_log_or_config_folder(env):
    assert runner.invoke(app, ["--help"]).exit_code == 0
    assert runner.invoke(app, ["--log-level", "debug", "config", "path"]).exit_code == 0
    assert tree(env) == set()


def test_slow_queries_are_logged_without_their_parameters(tmp_path, monkeypatch, caplog):
    from sqlalchemy import text

    import store.db.engine as engine
    from store.db.engine import Database

    monkeypatch.setattr(engine, "SLOW_QUERY_SECONDS", -1.0)
    db = Database(str(tmp_path / "q.db"))
    with caplog.at_level(logging.WARNING, logger="shiftdesk.sql"), db.engine.connect() as conn:
        conn.execute(text("SELECT :subject AS s"), {"subject": "王小明的私人訂單"}).all()
    db.dispose()
    slow = [r.getMessage() for r in caplog.records if r.name == "shiftdesk.sql"]
    assert any("SELECT ? AS s" in m for m in slow), slow
    assert not any("王小明" in m for m in slow)


def test_worker_failures_reach_the_log_file_with_their_traceback(tmp_path):
    from textual.app import App

    from console.failures import report_error
    from console.logs import setup_logging

    def broken() -> None:
        raise RuntimeError("disk on fire")

    path = tmp_path / "log" / "shiftdesk.log"
    try:
        setup_logging("warning", path)
        try:
            broken()
        except RuntimeError as exc:
            report_error(App(), "handover-save", exc, name="save")
        text = path.read_text(encoding="utf-8")
    finally:
        setup_logging("warning", tmp_path / "unused.log")
    assert "ERROR shiftdesk [MainThread] worker save (group handover-save) failed" in text
    assert "Traceback (most recent call last)" in text and "in broken" in text and "disk on fire" in text


def _failed_insert(subject: str) -> BaseException:
    """The exception SQLAlchemy raises for a statement whose parameters hold customer text."""
    import sqlalchemy as sa

    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t (subject TEXT UNIQUE)"))
        conn.execute(sa.text("INSERT INTO t VALUES (:s)"), {"s": subject})
        try:
            conn.execute(sa.text("INSERT INTO t VALUES (:s)"), {"s": subject})
        except sa.exc.IntegrityError as exc:
            return exc
    raise AssertionError("the second insert should have failed")


@pytest.mark.parametrize(("level", "kept"), [("warning", False), ("debug", True)])
def test_a_logged_failure_keeps_customer_text_out_above_debug(tmp_path, level, kept):
    from textual.app import App

    from console.failures import report_error
    from console.logs import setup_logging

    subject = "王小明的私人訂單 +886912345678"
    path = tmp_path / "shiftdesk.log"
    try:
        setup_logging(level, path)
        try:
            try:
                raise _failed_insert(subject)
            except Exception as exc:
                raise RuntimeError(f"saving failed\nfor {subject}") from exc
        except RuntimeError as exc:
            report_error(App(), "handover-save", exc, name="save")
        text = path.read_text(encoding="utf-8")
    finally:
        setup_logging("warning", tmp_path / "unused.log")
    # Frames, types and the database's own words are kept at every level.
    assert "Traceback (most recent call last)" in text
    assert "sqlalchemy.exc.IntegrityError: UNIQUE constraint failed: t.subject" in text or kept
    assert "RuntimeError: saving failed" in text
    assert ("王小明" in text) is kept
    assert ("+886912345678" in text) is kept


def test_guarded_messages_are_one_short_line_without_controls():
    from console.logs import MESSAGE_CHARS, guarded_message

    assert guarded_message(ValueError("plain")) == "plain"
    long = guarded_message(ValueError("x" * 500))
    assert long.startswith("x" * MESSAGE_CHARS + " [shortened") and "x" * (MESSAGE_CHARS + 1) not in long
    assert guarded_message(ValueError("bell\x07 \x1b]52;c;AAAA\x07 rtl\u202e")) == "bell? ?]52;c;AAAA? rtl?"
    assert guarded_message(ValueError("")) == ""
