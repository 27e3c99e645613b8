"""The setup commands as a user runs them: init, demo (and its refusal), db upgrade/backup, agents."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from console.cli import app

runner = CliRunner()


def run(*args: str, env: dict | None = None):
    return runner.invoke(app, list(args), env={"SHIFTDESK_LANG": "en", **(env or {})})


@pytest.fixture
def dbfile(tmp_path):
    return tmp_path / "cli.db"


def _count(path, sql: str) -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def test_init_creates_defaults(dbfile):
    result = run("--db", str(dbfile), "init")
    assert result.exit_code == 0, result.output
    assert "Database ready" in result.output
    assert _count(dbfile, "SELECT count(*) FROM sla_policy") == 2
    assert _count(dbfile, "SELECT count(*) FROM shift") == 3


def test_demo_builds_then_keeps_its_database_without_reset(dbfile):
    args = ("demo", "--db", str(dbfile), "--tickets", "300", "--history", "1200", "--days", "7", "--no-open")
    first = run(*args)
    assert first.exit_code == 0, first.output
    assert _count(dbfile, "SELECT count(*) FROM ticket") == 1500
    assert _count(dbfile, "SELECT count(*) FROM ticket WHERE is_open") == 300
    again = run(*args)  # the README's "Try it" run a second time: nothing rebuilt
    assert again.exit_code == 0, again.output
    assert "nothing changed" in again.output and "--reset" in again.output
    assert _count(dbfile, "SELECT count(*) FROM ticket") == 1500
    reset = run(*args[:-1], "--tickets", "100", "--history", "100", "--reset", "--no-open")
    assert reset.exit_code == 0, reset.output
    assert _count(dbfile, "SELECT count(*) FROM ticket") == 200


def test_demo_is_deterministic_for_a_seed(tmp_path):
    from datetime import UTC, datetime

    from store.db.engine import open_database
    from store.demo.generate import DemoSpec, generate

    now = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    dumps = []
    for name in ("a.db", "b.db"):
        db = open_database(tmp_path / name)
        generate(db, DemoSpec(tickets=50, history=200, days=5, seed=42), now)
        db.dispose()
        conn = sqlite3.connect(tmp_path / name)
        dumps.append(conn.execute("SELECT id, subject, priority, status, created_at FROM ticket ORDER BY id").fetchall())
        conn.close()
    assert dumps[0] == dumps[1]
    assert len(dumps[0]) == 250


def test_demo_data_is_consistent_with_sla_rules(tmp_path):
    """Every stopped clock is met exactly when it stopped by its due time; breaches sit at due times."""
    from datetime import UTC, datetime

    from store.db.engine import open_database
    from store.demo.generate import DemoSpec, generate

    db = open_database(tmp_path / "c.db")
    generate(db, DemoSpec(tickets=200, history=800, days=10, seed=3), datetime(2026, 11, 23, 6, tzinfo=UTC))
    db.dispose()
    conn = sqlite3.connect(tmp_path / "c.db")
    bad_met = conn.execute("SELECT count(*) FROM sla_clock WHERE outcome='met' AND stopped_at > due_at").fetchone()[0]
    bad_breach = conn.execute(
        "SELECT count(*) FROM sla_clock WHERE outcome='breached' AND breached_at != due_at").fetchone()[0]
    open_without_clock = conn.execute(
        "SELECT count(*) FROM ticket t WHERE is_open AND status IN ('new','open') AND NOT EXISTS "
        "(SELECT 1 FROM sla_clock c WHERE c.ticket_id = t.id AND c.state = 'running')").fetchone()[0]
    breached = conn.execute("SELECT count(*) FROM sla_clock WHERE outcome='breached'").fetchone()[0]
    met = conn.execute("SELECT count(*) FROM sla_clock WHERE outcome='met'").fetchone()[0]
    channels = conn.execute("SELECT count(DISTINCT channel) FROM ticket").fetchone()[0]
    vip = conn.execute("SELECT count(*) FROM customer WHERE tier != 'standard'").fetchone()[0]
    surveys = conn.execute("SELECT count(DISTINCT kind) FROM survey").fetchone()[0]
    conn.close()
    assert (bad_met, bad_breach, open_without_clock) == (0, 0, 0)
    assert 0 < breached < met
    assert channels == 5 and vip > 0 and surveys == 2


def test_db_upgrade_and_backup(dbfile, tmp_path):
    assert run("--db", str(dbfile), "init").exit_code == 0
    up = run("--db", str(dbfile), "db", "upgrade")
    assert up.exit_code == 0 and "latest revision" in up.output
    target = tmp_path / "copy.db"
    backup = run("--db", str(dbfile), "db", "backup", "--to", str(target))
    assert backup.exit_code == 0, backup.output
    assert _count(target, "SELECT count(*) FROM sla_policy") == 2
    missing = run("--db", str(tmp_path / "none.db"), "db", "backup")
    assert missing.exit_code == 1 and "No database at" in missing.output and "shiftdesk init" in missing.output
    assert not (tmp_path / "none.db").exists()


def test_agents_add_and_roles(dbfile):
    assert run("--db", str(dbfile), "init").exit_code == 0
    assert run("--db", str(dbfile), "--as", "boss", "agents", "add", "boss", "--role", "supervisor").exit_code == 0
    added = run("--db", str(dbfile), "--as", "boss", "agents", "add", "amy", "--display", "陳雅婷")
    assert added.exit_code == 0, added.output
    refused = run("--db", str(dbfile), "--as", "amy", "agents", "add", "ben")
    assert refused.exit_code == 1 and "supervisor" in refused.output
    listed = run("--db", str(dbfile), "agents", "list")
    assert "陳雅婷" in listed.output and "boss" in listed.output


def test_unknown_agent_gets_a_clear_message(dbfile):
    assert run("--db", str(dbfile), "init").exit_code == 0
    proc = subprocess.run([sys.executable, "-m", "console.cli", "--db", str(dbfile), "--as", "nobody"],
                          capture_output=True, text=True, env={"SHIFTDESK_LANG": "en", "PATH": "/usr/bin:/bin"},
                          timeout=60)
    assert proc.returncode == 1
    assert "No agent named 'nobody'" in proc.stderr
    assert "shiftdesk agents add nobody" in proc.stderr
