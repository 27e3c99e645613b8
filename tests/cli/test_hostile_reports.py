"""The hostile corpus, imported with `shiftdesk import`, through `shiftdesk report` in every format:
categories are customer-controlled text that becomes report rows."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from console.cli import app

HOSTILE = Path(__file__).parents[1] / "data" / "hostile"
CONTROL = ({chr(c) for c in range(0x20)} - {"\n"}) | {chr(c) for c in range(0x7F, 0xA0)} | {"\u202e"}
FORMULA = '=HYPERLINK("http://evil.example","x")'
MARKUP = "[@click=app.quit]分類\x1b]0;t\x07"


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("SHIFTDESK_DB", str(tmp_path / "report.db"))
    monkeypatch.setenv("SHIFTDESK_RULES", str(tmp_path / "none.toml"))
    monkeypatch.setenv("SHIFTDESK_LANG", "en")
    monkeypatch.setenv("COLUMNS", "250")
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    invoke("init")  # only init and demo make a database
    invoke("import", str(HOSTILE / "hostile.jsonl"), str(HOSTILE / "formulas.csv"))
    return invoke


def report(cli, fmt: str) -> str:
    return cli("report", "--from", "2024-01-09", "--to", "2024-01-10", "--by", "category", "--format", fmt)


def test_csv_report_neutralises_customer_categories(cli):
    rows = list(csv.reader(io.StringIO(report(cli, "csv"))))
    cells = [cell for row in rows for cell in row]
    assert "'" + FORMULA in cells
    assert not any(cell.startswith(("=", "+", "@", "\t", "\r")) for cell in cells)
    assert MARKUP in cells  # a CSV file carries the data as it is (not a formula, so untouched)


def test_table_report_shows_categories_literally_and_inert(cli):
    text = report(cli, "table")
    assert "[@click=app.quit]" in text
    assert not CONTROL & set(text), sorted(repr(c) for c in CONTROL & set(text))


def test_json_report_keeps_the_text_exact(cli):
    doc = json.loads(report(cli, "json"))
    found = json.dumps(doc, ensure_ascii=False)
    assert json.dumps(FORMULA, ensure_ascii=False)[1:-1] in found
    assert json.dumps(MARKUP, ensure_ascii=False)[1:-1] in found
