"""`shiftdesk report` on the known history: JSON the tests compare, CSV a spreadsheet cannot
execute, and a Rich table in both languages."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from support.history import NOW, ORDERS, SYSTEM, at, build_history
from typer.testing import CliRunner

from console.cli import app
from store.clock import FrozenClock, set_clock
from store.tickets.actions import Context, create_ticket

pytestmark = pytest.mark.xdist_group("report-db")  # one worker builds the module fixture

runner = CliRunner()
WEEK_ARGS = ("--from", "2026-02-24", "--to", "2026-03-02")


@pytest.fixture(scope="module")
def report_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "r.db"
    history = build_history(f"sqlite:///{path}")
    with history.db.write() as session:  # a category a spreadsheet would run as a formula
        create_ticket(Context.open(session, at(2, 10)), subject="x", customer_id=1, category="=SUM(1+1)",
                      channel="email", priority="low")
    history.db.dispose()
    return path


@pytest.fixture(autouse=True)
def frozen():
    previous = set_clock(FrozenClock(NOW))
    yield
    set_clock(previous)


def report(path: Path, *args: str, lang: str = "en") -> str:
    result = runner.invoke(app, ["--db", str(path), "--lang", lang, "report", *args],
                           env={"SHIFTDESK_LANG": lang, "COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return result.output


def test_json_totals_are_the_known_answers(report_db: Path):
    doc = json.loads(report(report_db, *WEEK_ARGS, "--format", "json"))
    assert doc["schema"] == "shiftdesk.report/2"
    assert (doc["from"], doc["to"], doc["tz"], doc["by"]) == ("2026-02-23T16:00:00Z", "2026-03-02T12:00:00Z",
                                                              "Asia/Taipei", None)
    totals = doc["totals"]
    assert {k: totals[k] for k in ("received", "solved", "resolution_rate", "fcr", "repeat_rate", "repeat_band")} == {
        "received": 8, "solved": 5, "resolution_rate": 0.625, "fcr": 0.4, "repeat_rate": 0.2222,
        "repeat_band": "act"}
    # 9 contacts (8 tickets, T3's reopen); 2 repeats (T3 and its reopen); FCR T2 and T7 (T1's customer
    # came back in the same category within 7 days).
    assert (totals["contacts"], totals["repeat_contacts"], totals["reopened"], totals["solved_fcr"]) == (9, 2, 1, 2)
    assert (totals["first_reply_met"], totals["first_reply_breached"], totals["first_reply_attainment"]) == (3, 3, 0.5)
    assert (totals["next_reply_attainment"], totals["resolution_attainment"]) == (0.5, 1.0)
    assert totals["frt_mean_s"] == 4140 and totals["res_mean_s"] == 12600  # means are exact
    for name, exact in (("frt_median_s", 2400), ("frt_p90_s", 11700), ("res_median_s", 10800), ("res_p90_s", 28800)):
        assert abs(totals[name] - exact) <= 0.01 * exact, name  # percentiles within 1%
    assert (totals["csat_responses"], totals["csat"], totals["csat_band"]) == (3, 0.6667, "low")
    assert (totals["csat5_responses"], totals["csat_mean"], totals["csat10_responses"]) == (3, 3.6667, 0)
    assert (totals["nps_responses"], totals["nps"], totals["nps_band"]) == (2, 0.0, "alarm")
    assert doc["rows"] == []


def test_json_by_agent_and_category(report_db: Path):
    agents = json.loads(report(report_db, *WEEK_ARGS, "--by", "agent", "--format", "json"))["rows"]
    assert [(r["label"], r["assigned"], r["replied"], r["solved"], r["attainment"]) for r in agents] == [
        ("amy", 4, 4, 3, 1.0), ("ben", 2, 3, 2, 0.5), ("", 0, 0, 0, 0.0)]
    assert abs(agents[0]["frt_median_s"] - 1800) <= 18 and abs(agents[1]["frt_median_s"] - 3600) <= 36
    assert agents[2]["frt_median_s"] is None
    categories = {r["key"]: r for r in json.loads(report(report_db, *WEEK_ARGS, "--by", "category",
                                                         "--format", "json"))["rows"]}
    assert (categories[ORDERS]["share"], categories[ORDERS]["flags"]) == (0.375, ["crowded"])
    assert categories[SYSTEM]["flags"] == ["slow"]
    assert categories["=SUM(1+1)"]["received"] == 1


def test_by_hour_and_shift(report_db: Path):
    hours = {r["key"]: r["received"] for r in json.loads(
        report(report_db, *WEEK_ARGS, "--by", "hour", "--format", "json"))["rows"] if r["received"]}
    assert hours == {"08": 2, "09": 2, "10": 1, "13": 1, "14": 1, "18": 1}
    shifts = {r["key"]: r for r in json.loads(report(report_db, *WEEK_ARGS, "--by", "shift", "--format", "json"))["rows"]}
    assert list(shifts) == ["早班", "晚班"]
    assert shifts["早班"]["received"] == 7 and shifts["晚班"]["solved"] == 2
    assert shifts["晚班"]["resolution_met"] == 2  # T4 paused in 早班, met in 晚班


def test_csv_cannot_start_a_formula(report_db: Path):
    rows = list(csv.reader(io.StringIO(report(report_db, *WEEK_ARGS, "--by", "category", "--format", "csv"))))
    header = rows[0]
    assert header[:4] == ["key", "label", "received", "solved"] and header[-2:] == ["share", "flags"]
    keys = [r[0] for r in rows[1:]]
    assert "'=SUM(1+1)" in keys and "=SUM(1+1)" not in keys
    assert rows[-1][0] == "total" and rows[-1][2] == "8"
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "@", "\t", "\r")) or cell.startswith("'")
    nps = header.index("nps")
    assert rows[-1][nps] == "0.0"


def test_table_in_both_languages(report_db: Path):
    english = report(report_db, *WEEK_ARGS, "--by", "priority")
    assert "SLA report 2026-02-24 00:00 to 2026-03-02 19:59 (Asia/Taipei)" in english
    assert "urgent" in english and "Total" in english
    chinese = report(report_db, *WEEK_ARGS, "--by", "priority", lang="zh-TW")
    assert "緊急" in chinese and "合計" in chinese


def test_bad_options_are_refused(report_db: Path):
    result = runner.invoke(app, ["--db", str(report_db), "--lang", "en", "report", "--by", "weekday"])
    assert result.exit_code == 2 and "--by weekday" in result.output
    result = runner.invoke(app, ["--db", str(report_db), "--lang", "en", "report", "--from", "yesterday"])
    assert result.exit_code == 2 and "Cannot read the date" in result.output


def test_a_piped_table_keeps_every_column_whole(report_db: Path):
    """A pipe with no $COLUMNS (a script, `| less -S`, a file) gets every header and cell whole,
    where an 80-column default cut them to "Re…"."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "COLUMNS"} | {"SHIFTDESK_LANG": "en"}
    shiftdesk = Path(sys.executable).with_name("shiftdesk")
    proc = subprocess.run([str(shiftdesk), "--db", str(report_db), "--as", "chief", "report", *WEEK_ARGS, "--by",
                           "channel"], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "…" not in proc.stdout
    header = next(line for line in proc.stdout.splitlines() if "Group" in line)
    for name in ("Received", "Solved", "CSAT"):
        assert name in header, header
    assert max(len(line) for line in proc.stdout.splitlines()) > 120


def test_an_unknown_agent_named_with_as_is_refused(report_db: Path):
    """Reading needs no agent, but a mistyped --as is refused instead of read as nobody."""
    result = runner.invoke(app, ["--db", str(report_db), "--lang", "en", "--as", "nobdy", "report", *WEEK_ARGS],
                           env={"SHIFTDESK_LANG": "en"})
    assert result.exit_code == 1
    assert "no agent named 'nobdy'" in result.output
    assert "SLA report" not in result.output
