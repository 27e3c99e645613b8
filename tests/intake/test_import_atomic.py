"""All or nothing, idempotent, newer versions update: the rules a file import lives by."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

from store.intake.formats.generic import Options
from store.intake.parse import parse_path
from store.intake.records import IntakeError
from store.intake.reject import reject_text
from store.intake.rules import load_rules
from store.intake.writer import import_parsed
from store.models import Agent, Audit, Customer, SlaClock, Ticket, TicketEvent
from store.tickets.actions import Context, set_priority

DATA = Path(__file__).parents[1] / "data"
NOW = datetime(2024, 2, 1, tzinfo=UTC)
T0 = datetime(2024, 1, 10, 1, tzinfo=UTC)


def run(db, path: Path, **kwargs):
    parsed = parse_path(path, opts=Options(zone=None, now=NOW))
    return import_parsed(db, parsed, rules=load_rules(Path("/nonexistent/rules.toml")), now=NOW, **kwargs)


def counts(db) -> dict[str, int]:
    with db.read() as s:
        return {m.__name__: s.exec(select(func.count()).select_from(m)).one()
                for m in (Ticket, TicketEvent, SlaClock, Customer, Agent, Audit)}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def tickets(n: int, start: int = 0) -> list[dict]:
    return [{"type": "ticket", "external_id": f"N-{i}", "created_at": (T0 + timedelta(minutes=i)).isoformat(),
             "subject": f"第 {i} 張", "customer": {"name": f"客戶 {i % 50}", "contact": f"c{i % 50}@example.com"}}
            for i in range(start, start + n)]


# -- all or nothing ----------------------------------------------------------------------------------


def test_one_bad_record_among_ten_thousand_imports_nothing(db, tmp_path):
    records = tickets(10_000)
    records[7_345]["priority"] = "critical"
    path = write_jsonl(tmp_path / "big.jsonl", records)
    before = counts(db)
    with pytest.raises(IntakeError) as caught:
        run(db, path)
    assert [(p.line, p.code, p.field) for p in caught.value.problems] == [(7_346, "bad_choice", "priority")]
    assert counts(db) == before


def test_every_bad_record_is_listed(db, tmp_path):
    records = tickets(30)
    records[3]["created_at"] = "2024-02-30T00:00:00Z"
    records[10]["subject"] = ""
    records[20]["customer"] = 42
    records[25]["status"] = "archived"
    path = write_jsonl(tmp_path / "bad.jsonl", records)
    with pytest.raises(IntakeError) as caught:
        run(db, path)
    assert [(p.line, p.field) for p in caught.value.problems] == [(4, "created_at"), (11, "subject"),
                                                                   (21, "customer"), (26, "status")]
    assert counts(db)["Ticket"] == 0


def test_skip_bad_imports_the_good_and_the_reject_file_reimports(db, tmp_path):
    records = tickets(6)
    records[2]["priority"] = "critical"
    records.append({"type": "message", "external_id": "N-2", "at": "2024-01-10T05:00:00Z", "body": "follow-up"})
    records.append({"type": "message", "external_id": "N-1", "at": "2024-01-10T05:00:00Z", "body": "fine"})
    path = write_jsonl(tmp_path / "mixed.jsonl", records)
    parsed = parse_path(path, opts=Options(zone=None, now=NOW))
    outcome = import_parsed(db, parsed, rules=load_rules(Path("/none")), now=NOW, skip_bad=True)
    assert outcome.tally.created == 5 and outcome.tally.messages == 1
    assert sorted((p.line, p.code) for p in outcome.rejected) == [(3, "bad_choice"), (7, "ticket_rejected")]
    rejects = reject_text(parsed, {p.line for p in outcome.rejected})
    assert [json.loads(x)["external_id"] for x in rejects.splitlines()] == ["N-2", "N-2"]
    fixed = tmp_path / "fixed.jsonl"
    fixed.write_text(rejects.replace('"critical"', '"urgent"'), encoding="utf-8")
    again = run(db, fixed)
    assert (again.tally.created, again.tally.messages) == (1, 1)
    with db.read() as s:
        assert s.exec(select(Ticket).where(Ticket.external_id == "N-2")).one().priority == "urgent"


def test_cli_skip_bad_writes_the_reject_file_beside_the_input(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from console.cli import app

    monkeypatch.setenv("SHIFTDESK_DB", str(tmp_path / "cli.db"))
    monkeypatch.setenv("SHIFTDESK_RULES", str(tmp_path / "none.toml"))
    monkeypatch.setenv("SHIFTDESK_LANG", "en")
    assert CliRunner().invoke(app, ["init"]).exit_code == 0  # import never makes a database
    source = DATA / "malformed" / "columns.csv"
    local = tmp_path / "columns.csv"
    local.write_bytes(source.read_bytes())
    refused = CliRunner().invoke(app, ["import", str(local)])
    assert refused.exit_code == 1
    assert f"{local}:3: 5 columns where the header has 4" in refused.output
    assert f"{local}:4: 3 columns where the header has 4" in refused.output
    assert "nothing was imported" in refused.output
    taken = CliRunner().invoke(app, ["import", "--skip-bad", str(local)])
    assert taken.exit_code == 0, taken.output
    reject = tmp_path / "columns.rejected.csv"
    assert reject.read_text(encoding="utf-8").splitlines() == [
        "external_id,created_at,subject,customer_name",
        "W-2,2024-01-15T09:00:00Z,one,too,many",
        "W-3,2024-01-15T09:00:00Z,short",
    ]


# -- malformed files ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [
    ("truncated.json", [(3, "json_truncated", "")]),
    ("unterminated.csv", [(3, "csv_unterminated", "")]),
    ("columns.csv", [(3, "csv_columns", ""), (4, "csv_columns", "")]),
    ("bad_dates.jsonl", [(2, "bad_time", "created_at"), (3, "bad_time", "created_at"), (4, "naive_time", "created_at"),
                         (5, "before_created", "at")]),
    ("unknown_priority.jsonl", [(2, "bad_choice", "priority")]),
    ("duplicate_ids.jsonl", [(3, "duplicate_id", "external_id")]),
])
def test_malformed_files_name_file_line_and_field_and_change_nothing(db, name, expected):
    before = counts(db)
    path = DATA / "malformed" / name
    with pytest.raises(IntakeError) as caught:
        run(db, path)
    problems = caught.value.problems
    assert [(p.line, p.code, p.field) for p in problems] == expected
    assert all(str(p).startswith(f"{path}:{p.line}: ") for p in problems)
    assert counts(db) == before


def test_duplicate_names_the_first_line(db):
    with pytest.raises(IntakeError) as caught:
        run(db, DATA / "malformed" / "duplicate_ids.jsonl")
    assert "appears twice in this file (first on line 1)" in str(caught.value)


# -- idempotent; newer versions update --------------------------------------------------------------


def test_the_same_file_twice_adds_nothing(db):
    first = run(db, DATA / "intake" / "zendesk_tickets.json")
    after_first = counts(db)
    second = run(db, DATA / "intake" / "zendesk_tickets.json")
    assert first.tally.created == 3
    assert (second.tally.created, second.tally.updated, second.tally.unchanged, second.tally.messages) == (0, 0, 3, 0)
    assert counts(db) == after_first


def test_a_newer_version_updates_and_an_older_one_does_not(db, tmp_path):
    base = {"type": "ticket", "external_id": "V-1", "created_at": "2024-01-10T01:00:00Z", "subject": "first words",
            "customer": {"name": "王小明", "contact": "w@example.com"}, "priority": "normal", "status": "open",
            "updated_at": "2024-01-10T02:00:00Z"}
    run(db, write_jsonl(tmp_path / "v1.jsonl", [base]))
    newer = {**base, "updated_at": "2024-01-11T02:00:00Z", "subject": "second words", "priority": "high",
             "status": "pending"}
    outcome = run(db, write_jsonl(tmp_path / "v2.jsonl", [newer]))
    assert (outcome.tally.created, outcome.tally.updated) == (0, 1)
    older = {**base, "updated_at": "2024-01-10T12:00:00Z", "subject": "stale words", "status": "solved"}
    stale = run(db, write_jsonl(tmp_path / "v0.jsonl", [older]))
    assert (stale.tally.updated, stale.tally.unchanged) == (0, 1)
    with db.read() as s:
        t = s.exec(select(Ticket).where(Ticket.external_id == "V-1")).one()
        assert (t.subject, t.priority, t.status) == ("second words", "high", "pending")
        changes = [e for e in s.exec(select(TicketEvent).where(TicketEvent.ticket_id == t.id))
                   if e.kind not in ("created", "sla_breached")]
        assert {e.at for e in changes} == {datetime(2024, 1, 10, 2, tzinfo=UTC), datetime(2024, 1, 11, 2, tzinfo=UTC)}
        # Pending pauses the resolution clock at the snapshot's time.
        resolution = s.exec(select(SlaClock).where(SlaClock.ticket_id == t.id, SlaClock.metric == "resolution")).one()
        assert resolution.state == "paused" and resolution.paused_at == datetime(2024, 1, 11, 2, tzinfo=UTC)


def test_a_snapshot_changes_only_what_the_source_changed(db, tmp_path):
    base = {"type": "ticket", "external_id": "V-2", "created_at": "2024-01-10T01:00:00Z", "subject": "words",
            "customer": "王小明", "priority": "normal", "updated_at": "2024-01-10T02:00:00Z"}
    run(db, write_jsonl(tmp_path / "a.jsonl", [base]))
    with db.read() as s:
        tid = s.exec(select(Ticket.id).where(Ticket.external_id == "V-2")).one()
    with db.write() as s:  # an agent here raises it
        set_priority(Context.open(s, datetime(2024, 1, 10, 3, tzinfo=UTC)), tid, None, "urgent")
    run(db, write_jsonl(tmp_path / "b.jsonl", [{**base, "updated_at": "2024-01-12T00:00:00Z", "subject": "new words"}]))
    with db.read() as s:
        t = s.get(Ticket, tid)
        assert (t.subject, t.priority) == ("new words", "urgent")


def test_messages_for_unknown_tickets_and_out_of_order_are_refused(db, tmp_path):
    run(db, write_jsonl(tmp_path / "t.jsonl", tickets(1)))
    late = [{"type": "message", "external_id": "N-0", "at": "2024-01-10T05:00:00Z", "body": "ok", "message_id": "a"},
            {"type": "message", "external_id": "NOPE", "at": "2024-01-10T05:00:00Z", "body": "who?"}]
    with pytest.raises(IntakeError) as caught:
        run(db, write_jsonl(tmp_path / "m.jsonl", late))
    assert [(p.line, p.code) for p in caught.value.problems] == [(2, "unknown_ticket")]
    run(db, write_jsonl(tmp_path / "m1.jsonl", late[:1]))
    earlier = [{"type": "message", "external_id": "N-0", "at": "2024-01-10T04:00:00Z", "body": "too late"}]
    with pytest.raises(IntakeError) as caught:
        run(db, write_jsonl(tmp_path / "m2.jsonl", earlier))
    assert caught.value.problems[0].code == "out_of_order"
