"""Intake on SQLite and PostgreSQL; the README's example and the catalogue stay in step with the code."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import select

from store.intake.formats.generic import Options
from store.intake.parse import parse_path
from store.intake.records import MESSAGES
from store.intake.rules import load_rules
from store.intake.writer import import_parsed
from store.models import Customer, RollupCount, SlaClock, Ticket, TicketEvent
from store.tickets.actions import Context, add_customer_message, create_ticket

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
NOW = datetime(2024, 2, 1, tzinfo=UTC)


def _run(db, path: Path, zone=None):
    parsed = parse_path(path, opts=Options(zone=zone, now=NOW))
    return import_parsed(db, parsed, rules=load_rules(Path("/none")), now=NOW)


def test_bulk_import_then_live_writes_on_each_backend(backend_db):
    from store.defaults import ensure_defaults

    db = backend_db
    with db.write() as s:
        ensure_defaults(s, NOW)
    outcomes = [_run(db, DATA / "intake" / "zendesk_tickets.json"),
                _run(db, DATA / "intake" / "freshdesk_tickets.csv", ZoneInfo("Asia/Taipei")),
                _run(db, DATA / "hostile" / "hostile.jsonl")]
    assert [o.tally.bulk for o in outcomes] == [True, True, True]
    with db.read() as s:
        imported = s.exec(select(func.count()).select_from(Ticket)).one()
        assert imported == 3 + 4 + sum(1 for x in (DATA / "hostile" / "hostile.jsonl").read_text().splitlines()
                                       if json.loads(x)["type"] == "ticket")
        assert s.exec(select(func.count()).select_from(RollupCount)).one() > 0
        long = s.exec(select(Ticket).where(Ticket.external_id == "H-21")).one()
        assert len(long.subject) == 100_000
    # Ids handed out in bulk do not collide with the next ordinary writes (sequences moved on).
    with db.write() as s:
        customer = s.exec(select(Customer)).first()
        ctx = Context.open(s, NOW)
        ticket = create_ticket(ctx, subject="after the import", customer_id=customer.id)
        add_customer_message(ctx, ticket.id, "again")
    with db.read() as s:
        assert s.exec(select(func.count()).select_from(TicketEvent).where(TicketEvent.ticket_id == ticket.id)).one() == 2
        assert s.exec(select(func.count()).select_from(SlaClock).where(SlaClock.ticket_id == ticket.id)).one() == 2
    again = _run(db, DATA / "intake" / "zendesk_tickets.json")
    assert (again.tally.created, again.tally.unchanged) == (0, 3)


def test_the_readme_example_imports(db, tmp_path):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Importing tickets", 1)[1]
    block = re.search(r"```json\n(.*?)```", section, re.S)
    assert block is not None
    path = tmp_path / "readme.jsonl"
    path.write_text(block.group(1), encoding="utf-8")
    outcome = _run(db, path)
    assert (outcome.tally.created, outcome.tally.messages, outcome.tally.statuses, outcome.tally.surveys) == (1, 1, 1, 1)
    for field in ("external_id", "created_at", "updated_at", "message_id", "survey_id", "customer_tier",
                  "SHIFTDESK_RULES", "replace_shipped", "--skip-bad", "--tz", "--encoding"):
        assert field in section, field


def test_every_problem_has_both_languages_with_the_same_fields():
    from console.i18n.catalog_intake import STRINGS

    fields = re.compile(r"\{(\w+)")
    for code, english in MESSAGES.items():
        zh, en = STRINGS[f"intake.err.{code}"]
        assert set(fields.findall(zh)) == set(fields.findall(en)) == set(fields.findall(english)), code
    assert {k.removeprefix("intake.err.") for k in STRINGS if k.startswith("intake.err.")} == set(MESSAGES)
