"""`shiftdesk agents | policy | calendars | audit` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest
from typer.testing import CliRunner

from console.cli import app
from store.db.engine import open_database
from store.models import Customer
from store.tickets.actions import Context, claim, create_ticket, set_priority
from store.tickets.ownership import assign

runner = CliRunner()
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def run(db: str, *args: str, who: str | None = None, lang: str = "en"):
    prefix = ["--db", db] + (["--as", who] if who else [])
    return runner.invoke(app, prefix + list(args), env={"SHIFTDESK_LANG": lang})


@pytest.fixture
def dbfile(tmp_path):
    path = str(tmp_path / "admin.db")
    assert run(path, "init").exit_code == 0
    assert run(path, "agents", "add", "boss", "--role", "supervisor", who="boss").exit_code == 0
    for name, role in (("lin", "lead"), ("amy", "agent")):
        result = run(path, "agents", "add", name, "--role", role, who="boss")
        assert result.exit_code == 0, result.output
    return path


def test_an_agent_editing_a_policy_is_refused_and_told_which_role(dbfile):
    refused = run(dbfile, "policy", "set", "default", "--target", "high.first_reply=60", who="amy")
    assert refused.exit_code == 1
    assert "'policy set' needs the supervisor role; you are agent." in refused.output
    zh = run(dbfile, "policy", "set", "default", "--target", "high.first_reply=60", who="lin", lang="zh-TW")
    assert zh.exit_code == 1 and "需要主管權限" in zh.output and "組長" in zh.output
    shown = run(dbfile, "policy", "show", "default", "--json", who="amy")
    assert json.loads(shown.output)["targets"]["high"]["first_reply"] == 120


def test_business_day_targets_and_absurd_ones(dbfile):
    done = run(dbfile, "policy", "set", "default", "-t", "normal.resolution=3bd", "-t", "low.resolution=2 bd",
               who="boss")
    assert done.exit_code == 0, done.output
    assert "3bd" in done.output and "2bd" in done.output
    shown = run(dbfile, "policy", "show", "default")
    assert "3bd" in shown.output
    assert json.loads(run(dbfile, "policy", "show", "default", "--json").output)["targets"]["normal"][
        "resolution"] == "3bd"
    before = run(dbfile, "policy", "show", "default", "--json").output
    for value, field in (("100000000000000000000", "targets.high.first_reply"), ("0", "targets.high.first_reply"),
                         ("261bd", "targets.high.first_reply"), ("525601", "targets.high.first_reply")):
        refused = run(dbfile, "policy", "set", "default", "-t", f"high.first_reply={value}", who="boss")
        assert refused.exit_code == 1, refused.output
        lines = refused.output.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(field + ": ") and "Traceback" not in refused.output
    assert run(dbfile, "policy", "show", "default", "--json").output == before  # nothing changed


def test_a_supervisor_sets_targets_and_the_change_is_audited(dbfile):
    done = run(dbfile, "policy", "set", "default", "-t", "high.first_reply=90", "-t", "urgent.resolution=3h",
               "--tiers", "any", "--calendar", "taipei-office", who="boss")
    assert done.exit_code == 0, done.output
    assert "SLA policy 'default' saved" in done.output and "90 min" in done.output and "3 h" in done.output
    policy = json.loads(run(dbfile, "policy", "show", "default", "--json").output)
    assert policy["targets"]["high"]["first_reply"] == 90 and policy["targets"]["urgent"]["resolution"] == 180
    assert policy["calendar"] == "taipei-office"
    trail = json.loads(run(dbfile, "audit", "--entity", "sla_policy", "--format", "json", who="boss").output)
    assert [(r["actor"], r["action"]) for r in trail] == [("boss", "update")]
    assert trail[0]["before"]["calendar"] == "24x7"
    bad = run(dbfile, "policy", "set", "default", "-t", "high.first_reply=soon", who="boss")
    assert bad.exit_code == 2 and "PRIORITY.METRIC=MINUTES" in bad.output
    nothing = run(dbfile, "policy", "set", "default", who="boss")
    assert nothing.exit_code == 2
    listed = run(dbfile, "policy", "list")
    assert listed.output.index("vip") < listed.output.index("default")


def test_policy_add_and_calendars(dbfile, tmp_path):
    config = tmp_path / "cal.json"
    config.write_text(json.dumps({"tz": "Asia/Taipei", "hours": {"sat": [["10:00", "16:00"]]}}), encoding="utf-8")
    assert run(dbfile, "calendars", "set", "weekend", "--config", f"@{config}", "--create", who="boss").exit_code == 0
    added = run(dbfile, "policy", "add", "weekend-chat", "--channels", "chat", "--position", "5",
                "--calendar", "weekend", "-t", "normal.first_reply=20", who="boss")
    assert added.exit_code == 0, added.output
    listed = run(dbfile, "calendars", "list")
    assert "weekend" in listed.output and "weekend-chat" in listed.output
    assert json.loads(run(dbfile, "calendars", "show", "weekend").output)["tz"] == "Asia/Taipei"
    refused = run(dbfile, "calendars", "set", "weekend", "--config", "{}", who="lin")
    assert refused.exit_code == 1 and "supervisor" in refused.output
    broken = run(dbfile, "calendars", "set", "weekend", "--config", '{"tz": "Asia/Taipei"}', who="boss")
    assert broken.exit_code == 1 and "hours" in broken.output


def test_agents_role_deactivate_activate(dbfile):
    assert run(dbfile, "agents", "role", "amy", "lead", who="lin").exit_code == 1
    promoted = run(dbfile, "agents", "role", "amy", "lead", who="boss")
    assert promoted.exit_code == 0 and "amy is now lead" in promoted.output
    assert run(dbfile, "agents", "deactivate", "amy", who="boss").exit_code == 0
    assert "amy" not in run(dbfile, "agents", "list").output
    assert "deactivated" in run(dbfile, "agents", "list", "--all").output
    gone = run(dbfile, "audit", "--ticket", "1", who="amy")
    assert gone.exit_code == 1 and "no agent named 'amy'" in gone.output
    assert run(dbfile, "agents", "activate", "amy", who="boss").exit_code == 0
    last = run(dbfile, "agents", "role", "boss", "agent", who="boss")
    assert last.exit_code == 1 and "last active supervisor" in last.output


def test_audit_of_a_ticket_as_table_csv_and_json(dbfile, tmp_path):
    db = open_database(dbfile)
    with db.write() as s:
        s.add(Customer(name="=HYPERLINK(\"http://evil.example\")", created_at=T0))
        s.flush()
        ctx = Context.open(s, T0)
        tid = create_ticket(ctx, subject="=cmd|' /C calc'!A0", customer_id=1).id
        claim(ctx, tid, 3)
        set_priority(ctx, tid, 3, "urgent", reason="VIP")
    db.dispose()
    table = run(dbfile, "audit", "--ticket", str(tid), who="amy")
    assert table.exit_code == 0, table.output
    assert "claim" in table.output and "priority" in table.output and "amy" in table.output
    out = run(dbfile, "audit", "--ticket", str(tid), "--format", "csv", who="amy").output
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["id", "at", "actor", "entity", "entity_id", "action", "field", "before", "after"]
    subject = next(r for r in rows if r[6] == "subject")
    assert subject[8] == "'=cmd|' /C calc'!A0"  # neutralised: a spreadsheet shows it as text
    assert ["priority", "normal", "urgent"] in [r[6:9] for r in rows]
    target = tmp_path / "trail.json"
    assert run(dbfile, "audit", "--ticket", str(tid), "--format", "json", "-o", str(target), who="amy").exit_code == 0
    trail = json.loads(target.read_text(encoding="utf-8"))
    assert [r["action"] for r in trail] == ["create", "claim", "status", "priority"]
    assert trail[1]["actor"] == "amy" and trail[0]["actor"] == "system"
    assert run(dbfile, "audit", "--ticket", "999", who="amy").exit_code == 1
    assert run(dbfile, "audit", who="amy").exit_code == 2
    assert run(dbfile, "audit", "--entity", "agent", who="amy").exit_code == 1  # other trails: leads and up
    assert run(dbfile, "audit", "--entity", "agent", "--format", "csv", who="lin").exit_code == 0


def test_audit_names_people_not_ids(dbfile):
    assert run(dbfile, "agents", "add", "amy2", "--display", "Amy", who="boss").exit_code == 0
    assert run(dbfile, "agents", "add", "zoe", "--display", "Amy", who="boss").exit_code == 0
    db = open_database(dbfile)
    with db.write() as s:
        s.add(Customer(name="c", created_at=T0))
        s.flush()
        ctx = Context.open(s, T0)
        tid = create_ticket(ctx, subject="s", customer_id=1).id
        claim(ctx, tid, 3)  # amy, shown by login
        assign(ctx, tid, 2, 5)  # lin gives it to zoe, who shares "Amy" with amy2
    db.dispose()
    table = run(dbfile, "audit", "--ticket", str(tid), who="amy").output
    assert "assignee_id" not in table and "Amy (zoe)" in table and "assignee" in table
    rows = list(csv.reader(io.StringIO(run(dbfile, "audit", "--ticket", str(tid), "--format", "csv", who="amy").output)))
    assert ["assign", "assignee", "amy", "Amy (zoe)"] in [r[5:9] for r in rows]
    assert ["lin", "assign"] in [[r[2], r[5]] for r in rows]
    trail = json.loads(run(dbfile, "audit", "--ticket", str(tid), "--format", "json", who="amy").output)
    last = trail[-1]  # JSON stays raw for programs, with the label beside
    assert (last["actor"], last["actor_name"], last["after"]) == ("lin", "lin", {"assignee_id": 5})


def test_db_grants_prints_the_team_roles_sql():
    result = runner.invoke(app, ["db", "grants", "--schema", "support"], env={"SHIFTDESK_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert "GRANT shiftdesk_agent TO shiftdesk_lead;" in result.output
    assert "REVOKE UPDATE, DELETE, TRUNCATE ON support.ticket_event, support.audit" in result.output
    assert runner.invoke(app, ["db", "grants", "--prefix", "x; drop"]).exit_code == 2


def test_the_repeat_window_is_the_teams_set_by_a_supervisor_and_shown_with_the_policies(dbfile):
    """`policy set --repeat-window` (no policy named) stores the team's window in the database; every
    console and the CLI read it from there; `policy list`, `policy show` and the report show it."""
    assert "within 7d after" in run(dbfile, "policy", "list").output
    refused = run(dbfile, "policy", "set", "--repeat-window", "3d", who="amy")
    assert refused.exit_code == 1 and "needs the supervisor role" in refused.output
    for bad, why in (("91d", "outside 1 hour to 90 days"), ("30m", "outside 1 hour to 90 days"),
                     ("7", "not a duration")):
        result = run(dbfile, "policy", "set", "--repeat-window", bad, who="boss")
        assert result.exit_code == 2 and why in result.output and "--repeat-window" in result.output
    done = run(dbfile, "policy", "set", "--repeat-window", "36h", who="boss")
    assert done.exit_code == 0 and "Repeat-contact window set to 36h" in done.output, done.output
    assert "already 36h" in run(dbfile, "policy", "set", "--repeat-window", "36h", who="boss").output
    assert "within 36h after" in run(dbfile, "policy", "list").output
    assert json.loads(run(dbfile, "policy", "show", "default", "--json").output)["repeat_window_seconds"] == 36 * 3600
    report = json.loads(run(dbfile, "report", "--format", "json").output)
    assert report["repeat_window_s"] == 36 * 3600
    nothing = run(dbfile, "policy", "set", who="boss")
    assert nothing.exit_code == 2 and "Name a policy" in nothing.output
    trail = run(dbfile, "audit", "--entity", "team_setting", who="boss")
    assert "repeat_window" in trail.output and "36h" in trail.output
