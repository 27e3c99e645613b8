"""`shiftdesk shifts`: anyone lists; only a supervisor edits; bad edits change nothing."""

from __future__ import annotations

import sqlite3

import pytest
from typer.testing import CliRunner

from console.cli import app

runner = CliRunner()


def run(path, *args: str, who: str | None = None):
    prefix = ["--db", str(path), "--lang", "en"] + (["--as", who] if who else [])
    return runner.invoke(app, [*prefix, "shifts", *args])


def shifts(path) -> list[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT name, start, \"end\" FROM shift WHERE team='default' ORDER BY position").fetchall()
    finally:
        conn.close()


@pytest.fixture
def dbfile(tmp_path):
    path = tmp_path / "cli.db"
    assert runner.invoke(app, ["--db", str(path), "init"]).exit_code == 0  # only init makes a database
    assert runner.invoke(app, ["--db", str(path), "agents", "add", "boss", "--role", "supervisor"]).exit_code == 0
    assert runner.invoke(app, ["--db", str(path), "--as", "boss", "agents", "add", "lin", "--role", "lead"]).exit_code == 0
    return path


def test_list_shows_the_default_day(dbfile) -> None:
    result = run(dbfile, "list")
    assert result.exit_code == 0, result.output
    for name in ("早班", "晚班", "大夜", "07:00", "23:00", "Asia/Taipei"):
        assert name in result.output


def test_a_lead_may_not_edit(dbfile) -> None:
    result = run(dbfile, "set", "晚班", "--end", "22:00", who="lin")
    assert result.exit_code == 1 and "supervisor" in result.output
    assert shifts(dbfile)[1] == ("晚班", "15:00", "23:00")


def test_supervisor_edits_keep_the_day_tiled(dbfile) -> None:
    assert run(dbfile, "set", "晚班", "--end", "22:00", who="boss").exit_code == 0
    assert run(dbfile, "add", "夜前", "--start", "20:00", "--end", "22:00", who="boss").exit_code == 0
    assert shifts(dbfile) == [("早班", "07:00", "15:00"), ("晚班", "15:00", "20:00"), ("夜前", "20:00", "22:00"),
                              ("大夜", "22:00", "07:00")]
    assert run(dbfile, "remove", "夜前", who="boss").exit_code == 0
    assert shifts(dbfile)[1] == ("晚班", "15:00", "22:00")


@pytest.mark.parametrize(("args", "message"), [
    (("set", "晚班", "--end", "7:5"), "HH:MM"),
    (("set", "午班", "--end", "12:00"), "no shift named"),
    (("add", "午休", "--start", "12:00", "--end", "13:00"), "split"),
    (("set", "晚班", "--tz", "Mars/Base"), "IANA"),
])
def test_bad_edits_are_refused_and_change_nothing(dbfile, args, message) -> None:
    result = run(dbfile, *args, who="boss")
    assert result.exit_code == 1 and message in result.output
    assert shifts(dbfile) == [("早班", "07:00", "15:00"), ("晚班", "15:00", "23:00"), ("大夜", "23:00", "07:00")]
