"""Each input format and encoding, read into tickets with real events and SLA clocks."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from store.intake.encoding import decode, looks_like_big5_text
from store.intake.formats.generic import Options
from store.intake.parse import parse_bytes, parse_path
from store.intake.records import IntakeError
from store.intake.rules import load_rules
from store.intake.writer import import_parsed
from store.models import Agent, Customer, SlaClock, Survey, Ticket, TicketEvent

DATA = Path(__file__).parents[1] / "data" / "intake"
NOW = datetime(2024, 2, 1, tzinfo=UTC)
TPE = ZoneInfo("Asia/Taipei")


def run(db, path: Path, *, zone=None, fmt: str = "auto", encoding: str | None = None, **kwargs):
    parsed = parse_path(path, opts=Options(zone=zone, now=NOW), fmt=fmt, encoding=encoding)
    return import_parsed(db, parsed, rules=load_rules(Path("/nonexistent/rules.toml")), now=NOW, **kwargs)


def ticket(session, ext: str) -> Ticket:
    return session.exec(select(Ticket).where(Ticket.external_id == ext)).one()


def events(session, t: Ticket) -> list[TicketEvent]:
    return list(session.exec(select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id)))


def clocks(session, t: Ticket) -> dict[str, SlaClock]:
    return {c.metric: c for c in session.exec(select(SlaClock).where(SlaClock.ticket_id == t.id))}


# -- generic ---------------------------------------------------------------------------------------


def test_generic_jsonl_records_every_kind_on_its_own_time(db):
    outcome = run(db, DATA / "generic.jsonl")
    assert (outcome.tally.created, outcome.tally.messages, outcome.tally.statuses, outcome.tally.surveys) == (2, 3, 1, 1)
    with db.read() as s:
        t = ticket(s, "G-100")
        assert t.subject == "訂單 A5566 還沒收到"
        assert t.status == "solved" and t.solved_at == datetime(2024, 1, 15, 3, tzinfo=UTC)
        assert t.fields["order_id"] == "A5566"
        assert t.fields["_intake"]["guessed"] == ["category", "priority"]
        assert t.category == "訂單服務/訂單狀態"
        customer = s.get(Customer, t.customer_id)
        assert (customer.external_id, customer.tier, customer.contact) == ("C-1", "gold", "wang@example.com")
        kinds = [(e.kind, e.at) for e in events(s, t)]
        assert kinds[0] == ("created", datetime(2024, 1, 15, 1, tzinfo=UTC))
        assert ("agent_reply", datetime(2024, 1, 15, 1, 30, tzinfo=UTC)) in kinds
        assert ("customer_message", datetime(2024, 1, 15, 2, tzinfo=UTC)) in kinds
        # Clocks run on the records' times: answered 30 minutes after creation, so met.
        c = clocks(s, t)
        assert c["first_reply"].outcome == "met" and c["first_reply"].stopped_at == datetime(2024, 1, 15, 1, 30, tzinfo=UTC)
        assert c["resolution"].stopped_at == datetime(2024, 1, 15, 3, tzinfo=UTC)
        survey = s.exec(select(Survey).where(Survey.ticket_id == t.id)).one()
        assert (survey.kind, survey.score, survey.comment) == ("csat", 5, "很快")
        reply = next(e for e in events(s, t) if e.kind == "agent_reply")
        intake = s.get(Agent, reply.actor_id)
        assert intake.name == "intake" and intake.active is False  # "amy" is not an agent here
        assert reply.data["source_agent"] == "amy"
        other = ticket(s, "G-101")
        # "Refund" in the subject: the shipped refund rule raised the source's normal to high.
        assert (other.channel, other.priority, other.language) == ("chat", "high", "en")
        note = next(e for e in events(s, other) if e.kind == "internal_note")
        assert note.data["source_agent"] == "nobody-here"


def test_reply_by_a_known_agent_is_theirs(db):
    with db.write() as s:
        s.add(Agent(name="amy", display_name="Amy", created_at=NOW - timedelta(days=60)))
    run(db, DATA / "generic.jsonl")
    with db.read() as s:
        reply = next(e for e in events(s, ticket(s, "G-100")) if e.kind == "agent_reply")
        assert s.get(Agent, reply.actor_id).name == "amy"
        assert "source_agent" not in reply.data


def test_generic_json_array_reads_like_json_lines(db, tmp_path):
    lines = [json.loads(x) for x in (DATA / "generic.jsonl").read_text(encoding="utf-8").splitlines()]
    path = tmp_path / "records.json"
    path.write_text(json.dumps(lines, ensure_ascii=False, indent=2), encoding="utf-8")
    outcome = run(db, path)
    assert (outcome.tally.created, outcome.tally.messages) == (2, 3)


def test_generic_csv_keeps_extra_columns_in_fields(db):
    run(db, DATA / "generic.csv")
    with db.read() as s:
        first, second = ticket(s, "CSV-1"), ticket(s, "CSV-2")
        assert first.category == "訂單服務/發票證明" and first.fields["order_id"] == "A9001"
        assert s.get(Customer, first.customer_id).tier == "platinum"
        assert first.created_at == datetime(2024, 1, 15, 1, tzinfo=UTC)
        assert (second.priority, second.status, second.body if hasattr(second, "body") else None) == ("low", "open", None)
        assert "order_id" not in second.fields  # an empty cell is no value


# -- Zendesk -------------------------------------------------------------------------------------


def test_zendesk_export_with_sideloaded_users_and_comments(db):
    outcome = run(db, DATA / "zendesk_tickets.json")
    assert outcome.tally.created == 3
    with db.read() as s:
        t = ticket(s, "zendesk:35436")
        assert (t.channel, t.priority, t.status) == ("email", "high", "solved")
        customer = s.get(Customer, t.customer_id)
        assert (customer.name, customer.contact, customer.external_id) == ("林美玲", "mei@example.com",
                                                                           "zendesk:user:20978392")
        evs = events(s, t)
        assert evs[0].kind == "created" and evs[0].body.startswith("我的訂單 A1234")
        kinds = [e.kind for e in evs]
        assert kinds.count("internal_note") == 1 and kinds.count("agent_reply") == 1
        assert kinds.count("customer_message") == 1
        reply = next(e for e in evs if e.kind == "agent_reply")
        assert reply.data["source_agent"] == "Casey Wu" and reply.at == datetime(2024, 1, 8, 2, 10, tzinfo=UTC)
        solved = next(e for e in evs if e.kind == "status_changed" and e.data["to"] == "solved")
        assert solved.at == datetime(2024, 1, 8, 6, tzinfo=UTC)
        assert t.fields["tags"] == "shipping, vip" and t.fields["satisfaction"] == "good"
        assert t.fields["zendesk_external_id"] == "ahg35h3jh"
        chat = ticket(s, "zendesk:35437")
        assert (chat.channel, chat.language, chat.status) == ("chat", "en", "new")
        assert chat.fields["_intake"]["guessed"] == ["category", "priority"]
        assert s.get(Customer, chat.customer_id).name == "Alice Chen"
        hold = ticket(s, "zendesk:35438")
        assert (hold.channel, hold.status) == ("phone", "on_hold")
        # The same requester is one customer.
        assert hold.customer_id == t.customer_id


# -- Freshdesk -----------------------------------------------------------------------------------


def test_freshdesk_needs_a_zone_and_says_so_once(db):
    with pytest.raises(IntakeError) as caught:
        run(db, DATA / "freshdesk_tickets.csv")
    assert [p.code for p in caught.value.problems] == ["needs_tz"]
    with db.read() as s:
        assert s.exec(select(Ticket)).first() is None


def test_freshdesk_export_labels_codes_and_blank_rows(db):
    outcome = run(db, DATA / "freshdesk_tickets.csv", zone=TPE)
    assert outcome.tally.created == 4
    with db.read() as s:
        resolved = ticket(s, "freshdesk:101")
        assert (resolved.status, resolved.priority, resolved.channel) == ("solved", "normal", "email")
        assert resolved.solved_at == datetime(2024, 1, 10, 15, 40, tzinfo=TPE)
        assert resolved.created_at == datetime(2024, 1, 10, 9, 15, tzinfo=TPE)
        assert events(s, resolved)[0].body == "鞋子尺寸太小,想換大一號。\n訂單編號 B7788"
        assert resolved.fields["Agent"] == "Ivy Lin" and resolved.fields["Satisfaction Rating"] == "Extremely Happy"
        assert s.get(Customer, resolved.customer_id).external_id == "freshdesk:contact:9001"
        coded = ticket(s, "freshdesk:102")
        assert (coded.status, coded.priority, coded.channel) == ("open", "urgent", "phone")
        closed = ticket(s, "freshdesk:103")
        assert (closed.status, closed.channel) == ("closed", "web")
        assert [e.data["to"] for e in events(s, closed) if e.kind == "status_changed"] == ["solved", "closed"]
        waiting = ticket(s, "freshdesk:104")
        assert (waiting.status, waiting.priority, waiting.channel) == ("pending", "high", "chat")


# -- encodings -----------------------------------------------------------------------------------


def test_big5_is_detected_and_read_exactly(db):
    outcome = run(db, DATA / "big5_tickets.csv")
    assert outcome.tally.created == 2
    with db.read() as s:
        assert ticket(s, "B5-1").subject == "商品規格詢問"
        assert events(s, ticket(s, "B5-2"))[0].body == "客服態度很差,我非常失望。"


def test_utf8_with_bom_and_named_encoding(db):
    assert run(db, DATA / "utf8_bom_tickets.csv").tally.created == 2
    assert run(db, DATA / "big5_tickets.csv", encoding="cp950").tally.created == 2
    with db.read() as s:
        assert ticket(s, "BOM-1").subject == "商品規格詢問"


def test_wrong_named_encoding_names_the_line(db):
    with pytest.raises(IntakeError) as caught:
        run(db, DATA / "big5_tickets.csv", encoding="utf-8")
    problem = caught.value.problems[0]
    assert (problem.code, problem.line) == ("encoding_invalid", 2)


def test_unsure_bytes_are_refused_not_guessed():
    latin1 = "external_id,created_at,subject,customer_name\nL-1,2024-01-15T09:00:00Z,café crème à la carte,Zoë\n"
    with pytest.raises(IntakeError) as caught:
        decode(latin1.encode("latin-1"), "latin.csv")
    assert caught.value.problems[0].code == "encoding_unsure"
    assert "--encoding" in str(caught.value)
    text, used = decode(latin1.encode("latin-1"), "latin.csv", "latin-1")
    assert "café" in text and used == "iso8859-1"


def test_big5_plausibility():
    assert looks_like_big5_text("請問這款吹風機的電壓是多少?")
    assert not looks_like_big5_text(b"caf\xe9a cr\xe8me".decode("cp950", errors="replace"))
    assert not looks_like_big5_text("plain ascii")


def test_utf16_with_bom(db, tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes((DATA / "utf8_bom_tickets.csv").read_text(encoding="utf-8-sig").replace("BOM-", "U16-")
                     .encode("utf-16"))
    assert run(db, path).tally.created == 2


# -- times ---------------------------------------------------------------------------------------


def _one(text: str, zone=None):
    return parse_bytes(text.encode(), "t.jsonl", opts=Options(zone=zone, now=NOW))


@pytest.mark.parametrize(("value", "code"), [
    ("2024-01-15", "bad_time"), ("yesterday", "bad_time"), ("2024-13-01T00:00:00Z", "bad_time"),
    ("2024-01-15T09:00:00", "naive_time"), ("2030-01-01T00:00:00Z", "future_time"), (1705280400000, "bad_time"),
])
def test_bad_times_are_named(value, code):
    record = {"type": "ticket", "external_id": "T", "created_at": value, "subject": "s", "customer": "c"}
    parsed = _one(json.dumps(record))
    assert [(p.code, p.line, p.field) for p in parsed.problems] == [(code, 1, "created_at")]


def test_naive_times_with_a_zone_and_epoch_seconds():
    record = {"type": "ticket", "external_id": "T", "created_at": "2024/1/15 09:00", "subject": "s", "customer": "c"}
    parsed = _one(json.dumps(record), zone=TPE)
    assert parsed.records[0].created_at == datetime(2024, 1, 15, 1, tzinfo=UTC)
    record["created_at"] = 1705280400
    assert _one(json.dumps(record)).records[0].created_at == datetime(2024, 1, 15, 1, tzinfo=UTC)


# -- the command line ----------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from console.cli import app

    monkeypatch.setenv("SHIFTDESK_DB", str(tmp_path / "cli.db"))
    monkeypatch.setenv("SHIFTDESK_RULES", str(tmp_path / "no-rules.toml"))
    monkeypatch.setenv("SHIFTDESK_LANG", "en")
    runner = CliRunner()
    assert runner.invoke(app, ["init"]).exit_code == 0  # import never makes a database
    return lambda *args, **kw: runner.invoke(app, list(args), catch_exceptions=False, **kw)


def test_cli_import_twice_adds_nothing_the_second_time(cli):
    first = cli("import", str(DATA / "zendesk_tickets.json"))
    assert first.exit_code == 0, first.output
    assert "3 tickets created" in first.output
    second = cli("import", str(DATA / "zendesk_tickets.json"))
    assert second.exit_code == 0
    assert "0 tickets created, 0 updated, 3 unchanged" in second.output


def test_cli_import_freshdesk_with_tz_and_bad_options(cli):
    assert cli("import", "--tz", "Mars/Olympus", str(DATA / "freshdesk_tickets.csv")).exit_code == 2
    assert cli("import", "--format", "excel", str(DATA / "generic.csv")).exit_code == 2
    assert cli("import", "--encoding", "klingon", str(DATA / "generic.csv")).exit_code == 2
    result = cli("import", "--tz", "Asia/Taipei", str(DATA / "freshdesk_tickets.csv"), str(DATA / "big5_tickets.csv"))
    assert result.exit_code == 0, result.output
    assert "4 tickets created" in result.output and "2 tickets created" in result.output


def test_every_problem_of_a_bad_ticket_record_is_named():
    """One record with five faults names all five (an import run per fault would be one per try)."""
    record = {"type": "ticket", "external_id": "T", "created_at": "yesterday", "subject": "",
              "customer": {"name": "c", "tier": "bronze"}, "priority": "asap", "colour": "red"}
    parsed = _one(json.dumps(record))
    assert {(p.code, p.line, p.field) for p in parsed.problems} == {
        ("field_unknown", 1, "colour"), ("bad_time", 1, "created_at"), ("field_missing", 1, "subject"),
        ("bad_choice", 1, "customer.tier"), ("bad_choice", 1, "priority")}
    assert parsed.records == []


def test_every_problem_of_a_bad_csv_row_is_named():
    text = "external_id,created_at,subject,customer_name,channel,status\n" \
           "A,2024-01-15T09:00:00Z,ok,Amy,email,open\n" \
           ",2024-01-15,,Ben,fax,open\n"
    parsed = parse_bytes(text.encode(), "t.csv", opts=Options(zone=None, now=NOW))
    assert sorted((p.code, p.line, p.field) for p in parsed.problems) == [
        ("bad_choice", 3, "channel"), ("bad_time", 3, "created_at"), ("field_missing", 3, "external_id"),
        ("field_missing", 3, "subject")]


def test_every_problem_of_a_bad_freshdesk_row_is_named():
    text = "Ticket ID,Subject,Status,Priority,Created time,Full name\n" \
           "7,,Pondering,Whenever,2024-01-15 09:00,Amy\n"
    parsed = parse_bytes(text.encode(), "fd.csv", opts=Options(zone=TPE, now=NOW), fmt="freshdesk")
    assert sorted((p.code, p.field) for p in parsed.problems) == [
        ("bad_choice", "Priority"), ("bad_choice", "Status"), ("field_missing", "Subject")]


def test_cli_import_prints_every_problem_of_a_row(cli, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"type": "ticket", "external_id": "T", "created_at": "yesterday", "subject": "s",
                               "customer": "c", "channel": "fax", "priority": "asap"}) + "\n")
    result = cli("import", str(bad))
    assert result.exit_code == 1
    for name in ("created_at", "channel", "priority"):
        assert "bad.jsonl:1" in result.output and name in result.output
