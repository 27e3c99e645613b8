"""`shiftdesk templates list|check`: exit codes, JSON, usage counts, and customer text kept literal."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from console import i18n
from console.cli import app

runner = CliRunner()

GOOD = """
[[template]]
key = "{key}"
title = "{title}"
language = "en"
category = "售後支援/退換貨"
tags = ["return-exchange"]
opening = "Hello {{customer}},"
body = "Your refund for {{order_id}} is on its way."
closing = "Regards, {{agent}}"
"""


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """No real config or database, English output, and the interface language put back afterwards."""
    monkeypatch.setenv("SHIFTDESK_TEMPLATES", str(tmp_path / "templates.toml"))
    monkeypatch.setenv("SHIFTDESK_DB", str(tmp_path / "data" / "shiftdesk.db"))
    monkeypatch.setenv("SHIFTDESK_LANG", "en")
    before = i18n.get_language()
    yield tmp_path
    i18n.set_language(before)


def user_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "templates.toml"
    path.write_text(text, encoding="utf-8")
    return path


def listed(*args: str) -> list[dict]:
    result = runner.invoke(app, ["templates", "list", "--format", "json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_check_passes_on_the_shipped_library() -> None:
    result = runner.invoke(app, ["templates", "check"])
    assert result.exit_code == 0, result.output
    assert "no problems" in result.stdout


def test_check_fails_and_names_file_key_and_field(tmp_path: Path) -> None:
    path = user_file(tmp_path, GOOD.format(key="refund.en", title="x").replace('closing = "Regards, {agent}"',
                                                                                "closing = 3"))
    result = runner.invoke(app, ["templates", "check"])
    assert result.exit_code == 1
    assert f"{path}: template 'refund.en': field 'closing' must be a string" in result.stdout
    assert "1 problems found" in result.stdout


def test_check_reports_unknown_placeholders_unless_declared(tmp_path: Path) -> None:
    user_file(tmp_path, GOOD.format(key="track.en", title="x").replace("{order_id}", "{tracking_no}"))
    failed = runner.invoke(app, ["templates", "check"])
    assert failed.exit_code == 1 and "unknown placeholder {tracking_no}" in failed.stdout
    passed = runner.invoke(app, ["templates", "check", "--field", "tracking_no"])
    assert passed.exit_code == 0, passed.output


def test_check_speaks_chinese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHIFTDESK_LANG", "zh-TW")
    user_file(tmp_path, GOOD.format(key="refund.en", title="x").replace('closing = "Regards, {agent}"', "closing = 3"))
    result = runner.invoke(app, ["templates", "check"])
    assert result.exit_code == 1
    assert "：範本「refund.en」：欄位「closing」必須是字串" in result.stdout


def test_check_bad_toml_exit_code(tmp_path: Path) -> None:
    path = user_file(tmp_path, "[[template]\n")
    result = runner.invoke(app, ["templates", "check"])
    assert result.exit_code == 1
    assert f"{path}: line 1" in result.stdout


def test_list_json_without_database(isolated: Path) -> None:
    rows = listed()
    assert len(rows) >= 28
    assert {row["language"] for row in rows} == {"zh-TW", "en"}
    assert all(row["times_used"] is None for row in rows)
    delay = next(row for row in rows if row["key"] == "order-delay.zh")
    assert delay["category"] == "訂單服務/訂單狀態" and delay["category_label"] == "Orders / Order status"
    assert "order_id" in delay["placeholders"]
    assert not (isolated / "data").exists()  # listing never creates a database


def test_list_filters_by_language() -> None:
    rows = listed("--lang", "zh-TW")
    assert rows and {row["language"] for row in rows} == {"zh-TW"}


def test_list_counts_usage_from_the_database(isolated: Path) -> None:
    from store.db.engine import open_database
    from store.replies.library import record_usage

    db = open_database(str(isolated / "data" / "shiftdesk.db"))
    at = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
    with db.write() as session:
        for key in ("order-delay.zh", "order-delay.zh", "complaint.en"):
            record_usage(session, key, None, None, at)
    db.dispose()
    counts = {row["key"]: row["times_used"] for row in listed()}
    assert counts["order-delay.zh"] == 2 and counts["complaint.en"] == 1 and counts["need-info.en"] == 0
    table = runner.invoke(app, ["templates", "list", "--lang", "en"])
    assert table.exit_code == 0 and "times used" in table.stdout


def test_list_survives_an_unusable_database(isolated: Path) -> None:
    broken = isolated / "data" / "shiftdesk.db"
    broken.parent.mkdir()
    broken.write_bytes(b"this is not sqlite")
    assert all(row["times_used"] is None for row in listed())


def test_template_text_is_never_markup(tmp_path: Path) -> None:
    user_file(tmp_path, GOOD.format(key="evil.en", title="[red]x[/] \\u001b[2J \\u009b boom"))
    result = runner.invoke(app, ["templates", "list", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "[red]x[/]" in result.stdout
    assert "\x1b" not in result.stdout and "\x9b" not in result.stdout
    evil = next(row for row in listed() if row["key"] == "evil.en")
    assert evil["title"] == "[red]x[/] \x1b[2J \x9b boom"
    raw = runner.invoke(app, ["templates", "list", "--format", "json"]).stdout
    assert "\x9b" not in raw and "\\u009b" in raw


def test_list_rejects_bad_options() -> None:
    assert runner.invoke(app, ["templates", "list", "--format", "xml"]).exit_code == 2
    assert runner.invoke(app, ["templates", "list", "--lang", "fr"]).exit_code == 2


def test_list_warns_about_broken_user_templates_but_lists_the_rest(tmp_path: Path) -> None:
    user_file(tmp_path, "[[template]]\nkey = 1\n")
    result = runner.invoke(app, ["templates", "list", "--format", "json"])
    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) >= 28
    assert "templates check" in result.stderr
