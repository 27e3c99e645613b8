"""Export: customer text is inert in Markdown and JSON; headings follow the language; the CLI."""

from __future__ import annotations

import json
import re

import pytest
from support.handover_seed import END_OF_MORNING, HOSTILE, seed, tpe
from typer.testing import CliRunner

from console.cli import app as cli
from console.handover_export import md_block, md_inline, to_json, to_markdown
from console.i18n import get_language, set_language
from store.handover.lifecycle import acknowledge, handover_windows, open_draft, submit
from store.team.agents import find_agent


@pytest.fixture
def lang():
    before = get_language()
    yield set_language
    set_language(before)


@pytest.fixture
def submitted(tmp_path):
    db, _ = seed(tmp_path / "h.db")
    with db.write() as s:
        lin, wang = find_agent(s, "lead.lin"), find_agent(s, "lead.wang")
        ending, incoming = handover_windows(s, END_OF_MORNING)
        view = open_draft(s, END_OF_MORNING, lin, ending, incoming)
        content = view.content.annotate("pending", 0, "優先處理").with_text("next", "# 標題?\n- 留意 <b>VIP</b>")
        view = submit(s, END_OF_MORNING, view.id, content, view.version, lin)
        view = acknowledge(s, tpe(2024, 1, 15, 15, 5), view.id, wang, "收到")
    yield db, view, tmp_path / "h.db"
    db.dispose()


def test_inline_text_cannot_make_markdown_or_terminal_sequences() -> None:
    out = md_inline(HOSTILE)
    assert "\x1b" not in out and "\x07" not in out
    assert re.search(r"(?<!\\)[\[\]*<>`_|]", out) is None  # every special character is escaped
    assert out.startswith(r"\[bold\]免費\[/bold\] \*\*點我\*\* \<script\>␛")
    assert md_inline("line\nbreak") == "line break"


def test_free_text_keeps_lists_but_not_headings_or_html() -> None:
    out = md_block("# 標題\n- 項目 **粗**\n===\n<script>x</script>\x1b[2J")
    assert [line.rstrip() for line in out.splitlines()] == [r"\# 標題", "- 項目 **粗**", r"\===", "&lt;script>x&lt;/script>␛[2J"]


def test_two_line_notes_stay_two_lines() -> None:
    """A lead's two lines are two lines when the submitted handover is read, not one sentence."""
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").render(md_block("金流商 14:00 維護\n物流系統 16:00 恢復"))
    assert html == "<p>金流商 14:00 維護<br />\n物流系統 16:00 恢復</p>\n"
    listed = MarkdownIt("commonmark").render(md_block("- 一\n- 二\n\n下一段"))
    assert listed.count("<li>") == 2 and "<p>下一段</p>" in listed


def test_markdown_shape_in_chinese(submitted, lang) -> None:
    _, view, _ = submitted
    lang("zh-TW")
    text = to_markdown(view)
    lines = text.splitlines()
    assert lines[0] == "## 交接紀錄 - 2024/01/15 早班→晚班"
    assert "### 待處理 (3件)" in lines and "### 進行中 (3件)" in lines
    assert "### 特殊狀況" in lines and "### 備註" in lines
    assert "- #3 付款失敗 - 優先處理 · 緊急 · 首次回應 已逾期 (01/15 08:30)" in lines
    assert all(not line.startswith("#") or line.startswith(("## ", "### ")) for line in lines)
    assert "\x1b" not in text and "\x07" not in text


def test_markdown_headings_in_english(submitted, lang) -> None:
    _, view, _ = submitted
    lang("en")
    lines = to_markdown(view).splitlines()
    assert lines[0] == "## Handover - 2024/01/15 早班→晚班"
    assert {"### Pending (3)", "### In progress (3)", "### Special cases", "### Notes"} <= set(lines)


def test_json_is_complete_and_escapes_controls(submitted) -> None:
    _, view, _ = submitted
    text = to_json(view)
    assert "\x1b" not in text and "\x9b" not in text
    data = json.loads(text)
    assert data["status"] == "acknowledged" and data["acknowledged_by"] == "王組長"
    assert data["content"]["in_progress"][0]["subject"] == HOSTILE


def test_cli_export_latest_and_by_id(submitted) -> None:
    _, view, path = submitted
    runner = CliRunner()
    md = runner.invoke(cli, ["--db", str(path), "--lang", "zh-TW", "handover", "export", "--latest"])
    assert md.exit_code == 0, md.output
    assert md.output.startswith("## 交接紀錄 - 2024/01/15 早班→晚班\n")
    js = runner.invoke(cli, ["--db", str(path), "handover", "export", "--id", str(view.id), "--format", "json"])
    assert js.exit_code == 0 and json.loads(js.output)["id"] == view.id
    bad = runner.invoke(cli, ["--db", str(path), "handover", "export", "--format", "html"])
    assert bad.exit_code == 2
    missing = runner.invoke(cli, ["--db", str(path), "handover", "export", "--id", "99"])
    assert missing.exit_code == 1
    listed = runner.invoke(cli, ["--db", str(path), "--lang", "en", "handover", "list", "--search", "付款"])
    assert listed.exit_code == 0 and "2024/01/15" in listed.output
