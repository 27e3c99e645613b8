"""`shiftdesk ingest`: a stream of JSON Lines, each committed as it arrives, bad lines survived."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from console.commands.intake import _stream
from store.db.engine import open_database
from store.intake.rules import load_rules
from store.models import Ticket, TicketEvent

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)


def line(record: dict) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def ticket(ext: str, subject: str = "訂單問題") -> dict:
    return {"type": "ticket", "external_id": ext, "created_at": T0.isoformat(), "subject": subject,
            "customer": {"name": "王小明", "contact": "wang@example.com"}}


@pytest.fixture
def english():
    from console.i18n import get_language, set_language

    before = get_language()
    set_language("en")
    yield
    set_language(before)


def test_stream_survives_bad_lines_and_reports_their_numbers(db, capsys, english):
    stream = io.BytesIO(b"".join([
        b"\xef\xbb\xbf" + line(ticket("S-1")),  # a BOM on the first line is fine
        b"{not json\n",
        line({"type": "message", "external_id": "S-1", "at": (T0 + timedelta(minutes=5)).isoformat(), "body": "hi"}),
        line({"type": "message", "external_id": "S-404", "body": "nobody"}),
        b"\n",
        "\ufeff".encode() + b"\xff\xfe broken bytes\n",
        line({"type": "ticket", "external_id": "S-2", "subject": "no time given", "customer": "陳大文"}),
        line({"type": "ticket", "external_id": "S-3", "created_at": T0.isoformat(), "subject": "x", "customer": "c",
              "priority": "critical"}),
    ]))
    ok, bad = _stream(db, stream, encoding=None, zone=None, rules=load_rules(Path("/none")))
    assert (ok, bad) == (3, 4)
    errors = capsys.readouterr().err
    assert "stdin:2: malformed JSON" in errors
    assert "stdin:4: no ticket with external_id 'S-404'" in errors
    assert "stdin:6: not valid utf-8: byte 0xEF" in errors or "stdin:6: not valid utf-8: byte 0xFF" in errors
    assert "stdin:8: priority: 'critical' is not one of" in errors
    with db.read() as s:
        assert sorted(s.exec(select(Ticket.external_id))) == ["S-1", "S-2"]
        s2 = s.exec(select(Ticket).where(Ticket.external_id == "S-2")).one()
        assert s2.created_at > T0  # no created_at in a stream: the moment it arrived
        s1 = s.exec(select(Ticket).where(Ticket.external_id == "S-1")).one()
        kinds = [e.kind for e in s.exec(select(TicketEvent).where(TicketEvent.ticket_id == s1.id))]
        assert kinds.count("customer_message") == 1


def test_the_same_line_twice_is_taken_once(db):
    record = line({"type": "message", "external_id": "S-1", "at": (T0 + timedelta(minutes=1)).isoformat(),
                   "body": "again", "message_id": "x-1"})
    stream = io.BytesIO(line(ticket("S-1")) + record + record)
    assert _stream(db, stream, encoding=None, zone=None, rules=load_rules(Path("/none"))) == (3, 0)
    with db.read() as s:
        assert len(list(s.exec(select(TicketEvent).where(TicketEvent.kind == "customer_message")))) == 1


def _wait_for(db_path: Path, ext: str, timeout: float = 60.0) -> bool:
    db = open_database(db_path, migrate=False)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with db.read() as s:
                if s.exec(select(Ticket.id).where(Ticket.external_id == ext)).first() is not None:
                    return True
            time.sleep(0.1)
        return False
    finally:
        db.dispose()


def test_each_line_is_committed_while_the_stream_is_still_open(tmp_path):
    db_path = tmp_path / "stream.db"
    open_database(db_path).dispose()
    env = {**os.environ, "SHIFTDESK_DB": str(db_path), "SHIFTDESK_RULES": str(tmp_path / "none.toml"),
           "SHIFTDESK_LANG": "en"}
    proc = subprocess.Popen([sys.executable, "-m", "console.cli", "ingest"], cwd=ROOT, env=env,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert proc.stdin is not None
        proc.stdin.write(line(ticket("P-1")))
        proc.stdin.flush()
        assert _wait_for(db_path, "P-1"), "the first line was not committed while the stream stayed open"
        assert proc.poll() is None
        rest = b'{"type": "ticket", "broken\n' + line(ticket("P-2", "\x1b]0;title\x07 second"))
        out, err = proc.communicate(input=rest, timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    text = err.decode("utf-8")
    assert proc.returncode == 1
    assert "stdin:2: the JSON ends early" in text
    assert "ingest finished: 2 record(s) written, 1 bad." in text
    assert "\x1b" not in text + out.decode("utf-8")
    assert _wait_for(db_path, "P-2", timeout=1)


def test_a_batch_is_written_whole_or_not_at_all(db):
    from store.intake.formats.generic import Options
    from store.intake.parse import parse_line
    from store.intake.records import IntakeError
    from store.intake.writer import ingest_batch

    at = datetime.now(UTC)
    opts = Options(zone=None, now=at, default_at=at)
    good = parse_line(line(ticket("B-1")).decode(), "stdin", 1, opts)
    orphan = parse_line(line({"type": "message", "external_id": "B-404", "body": "nobody"}).decode(), "stdin", 2, opts)
    with pytest.raises(IntakeError):
        ingest_batch(db, [(good, at), (orphan, at)], "stdin", rules=load_rules(Path("/none")))
    with db.read() as s:
        assert list(s.exec(select(Ticket.external_id))) == []
    follow = parse_line(line({"type": "message", "external_id": "B-1", "at": at.isoformat(), "body": "more"}).decode(),
                        "stdin", 3, opts)
    ingest_batch(db, [(good, at), (follow, at)], "stdin", rules=load_rules(Path("/none")))  # a later line sees an earlier one
    with db.read() as s:
        assert list(s.exec(select(Ticket.external_id))) == ["B-1"]
        assert len(list(s.exec(select(TicketEvent).where(TicketEvent.kind == "customer_message")))) == 1
