"""One sentence per failure (issue 20, item 6): every case that printed a traceback now prints one
line on standard error naming the cause and what to do, exits 1, and keeps the traceback in the
log (console/commands/common.py `SafeGroup`, store/db/failures.py)."""

from __future__ import annotations

import os
import sqlite3
import sqlite3.dbapi2
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from console.cli import app

runner = CliRunner()
HUGE = str(2**63)  # one past the largest id SQLite can hold
LONG = "x" * 300


def run(db: str, *args: str, who: str | None = "boss"):
    prefix = ["--db", db] + (["--as", who] if who else [])
    return runner.invoke(app, prefix + list(args), env={"SHIFTDESK_LANG": "en"})


def one_line(result, *needles: str) -> str:
    """The failure as the user saw it: exit 1, exactly one line on stderr holding every needle."""
    assert result.exit_code == 1, (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.output and "Error:" not in result.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def dbfile(tmp_path) -> str:
    path = str(tmp_path / "team.db")
    assert run(path, "init").exit_code == 0
    assert run(path, "agents", "add", "boss", "--role", "supervisor").exit_code == 0
    return path


@pytest.fixture
def team_db(db_url) -> str:
    """A database with a supervisor, on SQLite and on PostgreSQL."""
    assert run(db_url, "init").exit_code == 0
    done = run(db_url, "agents", "add", "boss", "--role", "supervisor")
    assert done.exit_code == 0, done.output
    return db_url


# -- the database file -----------------------------------------------------------------------------


def test_a_file_that_is_not_sqlite(tmp_path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are my notes, not a database\n" * 50)
    line = one_line(run(str(path), "agents", "list"), "is not a SQLite database", "--db")
    assert str(path) in line
    one_line(run(str(path), "report"), "is not a SQLite database")


def test_the_console_itself_on_a_file_that_is_not_sqlite(tmp_path) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(b"\x00garbage" * 500)
    one_line(run(str(path)), "is not a SQLite database")


@pytest.mark.parametrize("where", ["/proc/self/shiftdesk.db", "/proc/shiftdesk/x.db"])
def test_a_path_under_proc(where: str) -> None:
    result = run(where, "agents", "list")
    assert result.exit_code == 1 and "Traceback" not in result.output
    one_line(result, where.rsplit("/", 2)[0])


def test_a_folder_given_as_the_database(tmp_path) -> None:
    one_line(run(str(tmp_path), "agents", "list"), "cannot open or create the database", str(tmp_path))


def test_a_database_path_through_a_file(tmp_path) -> None:
    blocker = tmp_path / "plain.txt"
    blocker.write_text("x")
    one_line(run(str(blocker / "team.db"), "agents", "list"), "is a file where a folder is needed")


def test_a_lock_held_past_the_timeout(dbfile, monkeypatch) -> None:
    import store.db.engine as engine

    monkeypatch.setattr(engine, "BUSY_TIMEOUT_MS", 200)
    holder = sqlite3.connect(dbfile, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        line = one_line(run(dbfile, "agents", "add", "zed"), "another process is holding the database", "again")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert dbfile in line
    # A write that waited its bounded time is an expected outcome (DatabaseBusy, a domain error):
    # the command says so in one line; there is no traceback to log.
    assert run(dbfile, "agents", "add", "zed").exit_code == 0  # a passing condition


def _cli(args: list[str], *, home: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "SHIFTDESK_LANG": "en", "HOME": home, "PYTHONDONTWRITEBYTECODE": "1"}
    code = "import sys; from console.cli import main; sys.argv[0] = 'shiftdesk'; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env,
                          cwd=Path(__file__).resolve().parents[2], timeout=120, check=False)


def test_a_read_only_database_file(dbfile, monkeypatch) -> None:
    """chmod 444 binds everyone but root; as root (CI), SQLite is made to open the file read-only,
    as it does by itself for a file the user may not write."""
    os.chmod(dbfile, 0o444)
    if os.geteuid() == 0:
        real_connect = sqlite3.connect

        def read_only(database, *args, **kwargs):
            kwargs["uri"] = True
            return real_connect(f"file:{database}?mode=ro", *args, **kwargs)

        monkeypatch.setattr(sqlite3.dbapi2, "connect", read_only)  # the module SQLAlchemy calls
    try:
        line = one_line(run(dbfile, "agents", "add", "zed"), "is read-only", "write permission")
    finally:
        os.chmod(dbfile, 0o644)
    assert dbfile in line


def test_not_a_database_through_the_real_entry_point(tmp_path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not sqlite\n" * 100)
    done = _cli(["--db", str(path), "agents", "list"], home=str(tmp_path))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert [line for line in done.stderr.splitlines() if line.strip()] == [
        f"{path} is not a SQLite database (or it is damaged); name a Shiftdesk database file with --db."]


# -- values ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("args", [
    ["audit", "--ticket", HUGE],
    ["audit", "--ticket", "0"],
    ["audit", "--entity", "agent", "--id", HUGE],
    ["handover", "export", "--id", HUGE],
], ids=["audit-ticket", "audit-ticket-zero", "audit-id", "handover-id"])
def test_ids_out_of_range(dbfile, args) -> None:
    one_line(run(dbfile, *args), "must be between 1 and 9223372036854775807")


@pytest.mark.parametrize("position", [HUGE, "-1"])
def test_positions_out_of_range(dbfile, position) -> None:
    one_line(run(dbfile, "policy", "set", "default", "--position", position), "--position", "between 0 and 2147483647")


def test_control_characters_in_a_login_name(dbfile) -> None:
    line = one_line(run(dbfile, "agents", "add", "ev\x1b[31mil"), "agent name", "U+001B")
    assert "\x1b" not in line
    line = one_line(run(dbfile, "agents", "add", "zero\u200bwidth"), "U+200B")
    assert "\u200b" not in line


@pytest.mark.parametrize("args,needle", [
    (["agents", "add", "amy", "--display", LONG], "display name"),
    (["agents", "add", "amy", "--team", LONG], "team"),
    (["shifts", "add", "午班", "--start", "11:00", "--end", "13:00", "--team", LONG], "team"),
], ids=["display", "team", "shift-team"])
def test_over_long_names(team_db, args, needle) -> None:
    """PostgreSQL printed a StringDataRightTruncation traceback; SQLite saved them."""
    one_line(run(team_db, *args), needle, "300 characters")
    assert "amy" not in run(team_db, "agents", "list").stdout


# -- files and servers -----------------------------------------------------------------------------


def test_an_output_file_in_a_missing_folder(dbfile) -> None:
    one_line(run(dbfile, "audit", "--entity", "agent", "-o", "/nonexistent/folder/trail.csv"),
             "/nonexistent/folder/trail.csv does not exist")


def test_a_backup_to_where_nothing_can_be_written(dbfile) -> None:
    one_line(run(dbfile, "db", "backup", "--to", "/proc/copy.db"), "cannot write the copy to /proc/copy.db", "--to")


def test_postgresql_refusing_the_connection() -> None:
    line = one_line(run("postgresql+psycopg://amy@127.0.0.1:1/shiftdesk", "agents", "list", who=None),
                    "cannot reach the PostgreSQL server", "127.0.0.1")
    assert "amy@127.0.0.1:1" in line


@pytest.mark.postgres
def test_postgresql_without_that_database(pg_url) -> None:
    missing = make_url(pg_url).set(database="no_such_shiftdesk_db", query={}).render_as_string(hide_password=False)
    one_line(run(missing, "agents", "list", who=None), "PostgreSQL has no such database", "createdb")


@pytest.mark.postgres
def test_postgresql_with_a_login_that_does_not_exist(pg_url) -> None:
    stranger = make_url(pg_url).set(username="no_such_login_x").render_as_string(hide_password=False)
    one_line(run(stranger, "agents", "list", who=None), "PostgreSQL refused the login")


@pytest.mark.parametrize(("args", "needle", "where"), [
    (["--bogus"], "No such option: --bogus", "shiftdesk --help"),
    (["--lang", "fr", "config", "path"], "'fr' is not one of", "shiftdesk --help"),
    (["nosuchcmd"], "No such command 'nosuchcmd'", "shiftdesk --help"),
    (["report", "--bogus"], "No such option: --bogus", "shiftdesk report --help"),
    (["agents", "add"], "Missing argument 'name'", "shiftdesk agents add --help"),
    (["audit", "--ticket", "abc"], "Invalid value for '--ticket'", "shiftdesk audit --help"),
    (["db", "grants", "--prefix"], "Option '--prefix' requires an argument", "shiftdesk --help"),  # Click names no context
])
def test_a_usage_error_is_one_sentence_naming_it_and_the_help(dbfile, args, needle, where) -> None:
    """Exit 2, one line on stderr naming the bad option or argument and pointing at `--help`; no
    Click usage block."""
    result = runner.invoke(app, ["--db", dbfile, *args] if args[0] != "--lang" else args,
                           env={"SHIFTDESK_LANG": "en", "LANG": "en_US.UTF-8"})
    assert result.exit_code == 2, (result.output, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert needle in lines[0] and f"see `{where}`" in lines[0], lines[0]
    assert "Usage:" not in result.output and "Try '" not in result.output and "Error:" not in result.output


def test_a_usage_error_echoes_the_bad_word_inert(dbfile) -> None:
    result = runner.invoke(app, ["--db", dbfile, "report", "--x\x1b]0;pwned\x07\u202e"], env={"SHIFTDESK_LANG": "en"})
    assert result.exit_code == 2
    assert "No such option" in result.stderr and "shiftdesk report --help" in result.stderr
    assert not {"\x1b", "\x07", "\u202e"} & set(result.output)
