"""One answer wherever a figure is shown, and breaches that need no running console.

- The report (`shiftdesk report --format json`), the panel, the handover's SLA summary and its
  Markdown export give the same figures for the same shift of a demo database. (Before, the
  handover counted clocks that ran past their due time unrecorded while the panel did not:
  next reply 47% against 31% on a fresh demo.)
- Right after `shiftdesk import` of overdue tickets, `shiftdesk report` counts every breach.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from console.cli import app
from console.handover_export import summary_lines
from console.i18n import set_language
from store.clock import FrozenClock, set_clock
from store.db.engine import open_database
from store.demo.generate import DemoSpec, generate
from store.handover.content import HandoverContent
from store.handover.draft import summary
from store.reports.figures import hour_end
from store.reports.live import panel_refresh
from store.rollups.metrics import METRICS
from store.team.shifts import current_shift

NOW = datetime(2026, 3, 10, 9, 20, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture
def frozen():
    previous = set_clock(FrozenClock(NOW))
    yield
    set_clock(previous)


def _iso(at: datetime) -> str:
    return at.isoformat()


def test_report_panel_handover_and_export_agree_on_a_shift(db_url: str, frozen):
    db = open_database(db_url)
    # Generated two hours ago and read now: clocks fell due in between and nobody swept them.
    generate(db, DemoSpec(tickets=80, history=500, days=3, seed=4), NOW - timedelta(hours=2))
    with db.read() as s:
        shift = current_shift(s, NOW)
    start, end = shift.start, min(shift.end, hour_end(NOW))
    result = runner.invoke(app, ["--db", db_url, "--lang", "en", "report", "--format", "json",
                                 "--from", _iso(start), "--to", _iso(end)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)["totals"]
    panel = panel_refresh(db, NOW).totals["shift"]
    with db.write() as s:
        handover = summary(s, shift, NOW)
    db.dispose()
    set_language("en")
    exported = "\n".join(summary_lines(HandoverContent(summary=handover)))
    assert report["received"] == panel.received == handover.received
    assert report["replied"] == panel.replied == handover.replied
    assert report["solved"] == panel.solved == handover.solved
    breaches = 0
    for row in handover.attainment:
        m = row.metric
        assert (report[f"{m}_met"], report[f"{m}_breached"]) == (panel.met(m), panel.breached(m)) == (row.met, row.breached)
        breaches += row.breached
        if row.met + row.breached:
            assert f"{row.met / (row.met + row.breached):.0%} ({row.met}/{row.met + row.breached})" in exported
    assert breaches == handover.breaches and sum(panel.breached(m) for m in METRICS) == breaches
    assert breaches > 0  # the demo's overdue clocks were recorded by the readers themselves


def test_report_right_after_an_import_counts_every_breach(tmp_path: Path, frozen):
    path = tmp_path / "i.db"
    assert runner.invoke(app, ["--db", str(path), "init"]).exit_code == 0
    created = (NOW - timedelta(days=3)).isoformat()
    late = (NOW - timedelta(days=2)).isoformat()
    source = tmp_path / "overdue.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (
        {"type": "ticket", "external_id": "T-1", "created_at": created, "subject": "a", "customer": "x",
         "priority": "urgent"},
        {"type": "ticket", "external_id": "T-2", "created_at": created, "subject": "b", "customer": "y",
         "priority": "urgent"},
        {"type": "message", "external_id": "T-2", "at": late, "author": "agent", "agent": "amy", "body": "late"},
    )) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["--db", str(path), "import", str(source)]).exit_code == 0
    result = runner.invoke(app, ["--db", str(path), "--lang", "en", "report", "--format", "json"])
    assert result.exit_code == 0, result.output
    totals = json.loads(result.output)["totals"]
    # Both urgent tickets missed their 30-minute first reply and 4-hour resolution: 2 and 2, at once.
    assert (totals["first_reply_breached"], totals["resolution_breached"]) == (2, 2)
    again = json.loads(runner.invoke(app, ["--db", str(path), "--lang", "en", "report", "--format", "json"]).output)
    assert again["totals"]["first_reply_breached"] == 2  # recorded once


def test_db_check_after_an_import_that_changes_a_category(tmp_path: Path, frozen):
    """Intake changes a ticket's category with no event: its facts still follow (and db check agrees);
    the figures after the change count under the new category, those before under the old one."""
    path = tmp_path / "c.db"
    assert runner.invoke(app, ["--db", str(path), "init"]).exit_code == 0
    created, later = (NOW - timedelta(hours=5)).isoformat(), (NOW - timedelta(hours=1)).isoformat()
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    record = {"type": "ticket", "external_id": "T-9", "created_at": created, "subject": "a", "customer": "x",
              "priority": "low", "category": "訂單服務/訂單狀態"}
    first.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    second.write_text(json.dumps({**record, "updated_at": later, "category": "售後支援/退換貨"}, ensure_ascii=False)
                      + "\n" + json.dumps({"type": "message", "external_id": "T-9", "at": later, "author": "agent",
                                           "agent": "amy", "body": "ok"}, ensure_ascii=False) + "\n",
                      encoding="utf-8")
    for source in (first, second):
        assert runner.invoke(app, ["--db", str(path), "import", str(source)]).exit_code == 0
    check = runner.invoke(app, ["--db", str(path), "--lang", "en", "db", "check"])
    assert check.exit_code == 0, check.output
    assert "none differ" in check.output
    rows = {r["key"]: r for r in json.loads(runner.invoke(app, [
        "--db", str(path), "--lang", "en", "report", "--by", "category", "--format", "json"]).output)["rows"]}
    assert rows["訂單服務/訂單狀態"]["received"] == 1 and rows["售後支援/退換貨"]["frt_mean_s"] == 4 * 3600
