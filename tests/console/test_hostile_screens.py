"""The hostile intake corpus, imported through `store.intake`, then shown on every screen that
exists: the queue (table and detail pane of each ticket), the composer, the SLA panel and the
handover editor. The app keeps running, nothing is read as markup or as a link, no control
character reaches the rendered screen, and the literal text is there to read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select
from support.pilot import goto, screen_segments, until

from store.clock import FrozenClock
from store.models import Agent, Ticket

HOSTILE = Path(__file__).parents[1] / "data" / "hostile"
NOW = datetime(2024, 1, 10, 6, tzinfo=UTC)  # 14:00 in Taipei, after every record of the corpus
SIZE = (160, 45)
CONTROL = ({chr(c) for c in range(0x20)} - {"\n"}) | {chr(c) for c in range(0x7F, 0xA0)} | set(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LITERAL = ("[@click=app.quit]quit now[/]", "[link=file:///etc/passwd]your invoice[/link]",
           "[bold red]URGENT[/bold red]")


@pytest.fixture
def hostile_db(tmp_path):
    from store.db.engine import open_database
    from store.defaults import ensure_defaults
    from store.intake.formats.generic import Options
    from store.intake.parse import parse_path
    from store.intake.rules import load_rules
    from store.intake.writer import import_parsed

    path = tmp_path / "hostile.db"
    db = open_database(path)
    with db.write() as s:
        ensure_defaults(s, NOW)
        for name, role in (("amy", "agent"), ("lead.lin", "lead"), ("chief", "supervisor")):
            s.add(Agent(name=name, role=role, display_name=name, created_at=datetime(2023, 12, 1, tzinfo=UTC)))
    for name in ("hostile.jsonl", "formulas.csv"):
        parsed = parse_path(HOSTILE / name, opts=Options(zone=None, now=NOW))
        assert parsed.problems == []
        import_parsed(db, parsed, rules=load_rules(Path("/none")), now=NOW)
    with db.read() as s:
        ids = {t.external_id: t.id for t in s.exec(select(Ticket))}
    db.dispose()
    return path, ids


def make_app(path: Path, who: str):
    from console.app import ShiftdeskApp
    from console.context import CliState
    from console.services import build_services

    services = build_services(CliState(db_url=str(path), as_agent=who, lang="en"), clock=FrozenClock(NOW))
    return ShiftdeskApp(services)


def assert_inert(app) -> str:
    text, styles = screen_segments(app)
    assert not CONTROL & set(text), sorted(repr(c) for c in CONTROL & set(text))
    for style in styles:
        assert "app.quit" not in str(style.meta or ""), style.meta
        assert not style.link or not style.link.startswith("file:"), style.link
    assert app.is_running
    return text


@pytest.mark.slow
async def test_queue_table_and_detail_show_every_hostile_ticket_inert(hostile_db, queue_ui):
    path, ids = hostile_db
    app = make_app(path, "amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        seen = ""
        for _ext, tid in sorted(ids.items()):
            await goto(pilot, tid)
            assert app.screen.detail.shown == tid
            seen += assert_inert(app) + queue_ui.screen_text(app)
        for literal in LITERAL:
            assert literal in seen, literal
        assert "[/]" in seen and "=HYPERLINK(" in seen and "👨\u200d👩\u200d👧\u200d👦" in seen
        assert "␛]52;c;" in seen and "⟨U+009B⟩2J" in seen  # escapes shown as visible stand-ins
        assert "\x1b" not in seen
        await pilot.click("#queue-table", offset=(30, 1))  # a click on the text is only a click
        assert app.is_running


async def test_composer_shows_a_hostile_ticket_inert(hostile_db, queue_ui):
    from console.screens.composer.screen import ComposerScreen

    path, ids = hostile_db
    app = make_app(path, "amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, ids["H-02"])
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.screen._data)
        await pilot.pause(0.2)
        text = assert_inert(app)
        assert "[@click=app.quit]" in text
        await pilot.press("escape")
        await pilot.pause(0.2)
        assert app.is_running


async def test_sla_panel_lists_hostile_tickets_inert(hostile_db):
    from console.screens.panel.screen import PanelScreen

    path, _ids = hostile_db
    app = make_app(path, "chief")
    async with app.run_test(size=(180, 70)) as pilot:
        await pilot.press("f3")
        await until(pilot, lambda: isinstance(app.screen, PanelScreen) and app.screen.polls >= 1)
        await pilot.pause(0.2)
        text = assert_inert(app)
        assert "[@click=app" in text and "[link=file:" in text and "␛]8;;https:" in text
        assert app.is_running


async def test_handover_draft_of_hostile_tickets_inert(hostile_db):
    path, _ids = hostile_db
    app = make_app(path, "lead.lin")
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await until(pilot, lambda: type(app.screen).__name__ == "HandoverScreen")
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        text = assert_inert(app)
        assert "[@click=app.quit]quit now[/]" in text and "␛]0;pwned title␇title set" in text
        assert "=HYPERLINK(" in text and "invoice_⟨RLO⟩gnp.exe" in text
        assert app.is_running
