"""Issue 20's smaller findings on the command line: a bare CR in CSV, zero-width and DEL in JSON,
raw arguments echoed by `report`, an empty or unreadable import counted as a bad record."""

from __future__ import annotations

import csv
import io
import json

import pytest
from support.handover_seed import END_OF_MORNING, seed
from typer.testing import CliRunner

from console.cli import app
from store.csv_safe import writer
from store.handover.lifecycle import handover_windows, open_draft, submit
from store.team.agents import find_agent

runner = CliRunner()
SPLIT = "退貨\r運費"  # a bare carriage return inside a category
HIDDEN = "隱\u200b藏\u202e字\x7f元\ufeff"  # zero-width space, RTL override, DEL, BOM
RISKY = {"\r", "\u200b", "\u202e", "\x7f", "\ufeff"}


def _ticket(n: int, category: str) -> str:
    return json.dumps({"type": "ticket", "external_id": f"T-{n}", "created_at": "2024-01-09T10:00:00+08:00",
                       "subject": "s", "customer": "王小明", "category": category}, ensure_ascii=False)


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("SHIFTDESK_DB", str(tmp_path / "out.db"))
    monkeypatch.setenv("SHIFTDESK_RULES", str(tmp_path / "none.toml"))
    monkeypatch.setenv("SHIFTDESK_LANG", "en")
    source = tmp_path / "t.jsonl"
    source.write_text(_ticket(1, SPLIT) + "\n" + _ticket(2, HIDDEN) + "\n", encoding="utf-8")
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["import", str(source)]).exit_code == 0
    return lambda *args: runner.invoke(app, list(args))


def _report(cli, fmt: str):
    return cli("report", "--from", "2024-01-09", "--to", "2024-01-10", "--by", "category", "--format", fmt)


def test_a_bare_carriage_return_is_quoted_in_csv(cli) -> None:
    result = _report(cli, "csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout, newline="")))
    assert (rows[0][0], rows[-1][0]) == ("key", "total")
    assert sorted(row[0] for row in rows[1:-1]) == sorted([SPLIT, HIDDEN])
    assert len({len(row) for row in rows}) == 1  # no row split in two
    assert f'"{SPLIT}"' in result.stdout


def test_the_csv_writer_quotes_cr_and_lf_whatever_the_line_end() -> None:
    for end in ("\n", "\r\n"):
        buffer = io.StringIO()
        writer(buffer, lineterminator=end).writerows([["a\rb", "c\nd", "plain"], [1, -2]])
        assert buffer.getvalue() == f'"a\rb","c\nd",plain{end}1,-2{end}'


def test_json_report_escapes_what_a_terminal_would_hide(cli) -> None:
    result = _report(cli, "json")
    assert result.exit_code == 0, result.output
    assert not RISKY & set(result.stdout)
    labels = [row["label"] for row in json.loads(result.stdout)["rows"]]
    assert sorted(labels) == sorted([SPLIT, HIDDEN])  # the same strings once parsed


def test_handover_json_escapes_del_and_zero_width(tmp_path) -> None:
    db, _ = seed(tmp_path / "h.db")
    with db.write() as s:
        lin = find_agent(s, "lead.lin")
        ending, incoming = handover_windows(s, END_OF_MORNING)
        view = open_draft(s, END_OF_MORNING, lin, ending, incoming)
        submit(s, END_OF_MORNING, view.id, view.content.with_text("next", HIDDEN), view.version, lin)
    db.dispose()
    result = runner.invoke(app, ["--db", str(tmp_path / "h.db"), "handover", "export", "--format", "json"],
                           env={"SHIFTDESK_LANG": "en"})
    assert result.exit_code == 0, result.output
    assert not RISKY & set(result.stdout)
    assert HIDDEN in json.dumps(json.loads(result.stdout), ensure_ascii=False)


@pytest.mark.parametrize("option", ["--by", "--format"])
def test_report_echoes_a_bad_argument_inert(cli, option) -> None:
    result = cli("report", option, "x\x1b]0;pwned\x07\u202e")
    assert result.exit_code == 2
    assert "is not one of" in result.stderr
    assert not {"\x1b", "\x07", "\u202e"} & set(result.output)


@pytest.mark.parametrize("make", ["empty", "folder", "missing"])
def test_an_unusable_import_file_is_not_a_bad_record(cli, tmp_path, make) -> None:
    path = tmp_path / f"{make}.jsonl"
    if make == "empty":
        path.write_text("")
    elif make == "folder":
        path.mkdir()
    result = cli("import", str(path))
    assert result.exit_code == 1
    assert "bad record" not in result.output
    assert result.stderr.splitlines()[-1] == f"{path}: the file itself cannot be used (see above), so nothing was imported"
