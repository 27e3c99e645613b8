"""The hostile corpus goes in whole: nothing lost from the database, nothing reaching a terminal,
and formula cells neutralised whenever Shiftdesk writes CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from store.csv_safe import neutralise, neutralise_row, write_rows, writer
from store.intake.formats.generic import Options
from store.intake.parse import parse_path
from store.intake.rules import load_rules
from store.intake.writer import import_parsed
from store.models import Customer, Ticket, TicketEvent

HOSTILE = Path(__file__).parents[1] / "data" / "hostile"
NOW = datetime(2024, 2, 1, tzinfo=UTC)


def _import(db, path: Path):
    parsed = parse_path(path, opts=Options(zone=None, now=NOW))
    assert parsed.problems == []
    return import_parsed(db, parsed, rules=load_rules(Path("/none")), now=NOW)


def _stored(text: str) -> str:
    """What the database can hold: a lone surrogate or NUL becomes U+FFFD, nothing else changes."""
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF or c == "\x00" else c for c in text)


def test_every_hostile_text_is_stored_exactly(db):
    records = [json.loads(x) for x in (HOSTILE / "hostile.jsonl").read_text(encoding="utf-8").splitlines()]
    outcome = _import(db, HOSTILE / "hostile.jsonl")
    assert outcome.tally.created == sum(r["type"] == "ticket" for r in records)
    with db.read() as s:
        for record in records:
            t = s.exec(select(Ticket).where(Ticket.external_id == record["external_id"])).one()
            evs = list(s.exec(select(TicketEvent).where(TicketEvent.ticket_id == t.id).order_by(TicketEvent.id)))
            if record["type"] == "ticket":
                assert t.subject == _stored(record["subject"]), record["fields"]["attack"]
                assert evs[0].body == _stored(record["body"])
                assert s.get(Customer, t.customer_id).name == _stored(record["customer"]["name"])
                assert t.fields["attack"] == record["fields"]["attack"]
            else:
                assert _stored(record["body"]) in [e.body for e in evs]
        long = s.exec(select(Ticket).where(Ticket.external_id == "H-21")).one()
        assert len(long.subject) == 100_000
        tall = s.exec(select(Ticket).where(Ticket.external_id == "H-22")).one()
        assert tall.subject.count("\n") == 4_999
        zwj = s.exec(select(Ticket).where(Ticket.external_id == "H-20")).one()
        assert "👨\u200d👩\u200d👧\u200d👦" in zwj.subject


def test_a_lone_surrogate_is_replaced_and_the_repair_recorded(db):
    outcome = _import(db, HOSTILE / "hostile.jsonl")
    assert "subject: 1 lone surrogate(s) replaced with U+FFFD" in outcome.tally.repairs
    with db.read() as s:
        t = s.exec(select(Ticket).where(Ticket.external_id == "H-23")).one()
        assert t.subject == "broken \ufffd surrogate"
        created = s.exec(select(TicketEvent).where(TicketEvent.ticket_id == t.id, TicketEvent.kind == "created")).one()
        assert created.body == "body \ufffd too"
        assert created.data["repairs"] == ["subject: 1 lone surrogate(s) replaced with U+FFFD",
                                           "body: 1 lone surrogate(s) replaced with U+FFFD"]
        nul = s.exec(select(Ticket).where(Ticket.external_id == "H-11")).one()
        assert nul.subject == "nul\ufffdbell\x07backspace\x08"
        assert nul.fields["_intake"]["repairs"][0] == "subject: 1 NUL character(s) replaced with U+FFFD"


def test_formula_cells_are_imported_as_they_were_written(db):
    with (HOSTILE / "formulas.csv").open(encoding="utf-8", newline="") as f:  # keep the lone CR as written
        rows = list(csv.DictReader(f))
    _import(db, HOSTILE / "formulas.csv")
    with db.read() as s:
        for row in rows:
            t = s.exec(select(Ticket).where(Ticket.external_id == row["external_id"])).one()
            assert t.subject == row["subject"] and t.fields["attack"] == row["attack"]
        assert s.exec(select(Ticket).where(Ticket.external_id == "F-1")).one().subject.startswith("=HYPERLINK(")


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-1+1",
                                  "@SUM(1+1)", "\t=1+1", "\r=1+1", "＝1+1"])
def test_csv_export_neutralises_formula_cells(cell):
    assert neutralise(cell) == "'" + cell
    buffer = io.StringIO()
    writer(buffer).writerow(["ok", cell, -12, 3.5])
    assert next(csv.reader(io.StringIO(buffer.getvalue()))) == ["ok", "'" + cell, "-12", "3.5"]


def test_csv_export_leaves_plain_text_and_numbers_alone():
    assert neutralise_row(["客訴", "a=b", " =x", -5, None, "", "'quoted"]) == ["客訴", "a=b", " =x", -5, None, "",
                                                                              "'quoted"]
    buffer = io.StringIO()
    write_rows(buffer, ["subject", "n"], [["=1", 1], ["plain", -1]], lineterminator="\n")
    assert buffer.getvalue() == "subject,n\n'=1,1\nplain,-1\n"


def test_problems_quoting_hostile_values_reach_the_terminal_harmless(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from console.cli import app

    monkeypatch.setenv("SHIFTDESK_DB", str(tmp_path / "cli.db"))
    monkeypatch.setenv("SHIFTDESK_RULES", str(tmp_path / "none.toml"))
    monkeypatch.setenv("SHIFTDESK_LANG", "en")
    assert CliRunner().invoke(app, ["init"]).exit_code == 0  # import never makes a database
    record = {"type": "ticket", "external_id": "E-1", "created_at": "2024-01-15T01:00:00Z", "subject": "s",
              "customer": "c", "priority": "\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202e\x9b"}
    path = tmp_path / "evil.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["import", str(path)])
    assert result.exit_code == 1
    assert "priority:" in result.output
    assert not any(c in result.output for c in ("\x1b", "\x07", "\x9b", "\u202e"))
