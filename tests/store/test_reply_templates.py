"""The reply-template library: shipped data, user overrides, broken files, filling, search, usage."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store.categories import CATEGORY_LABELS_EN
from store.replies import library as rt
from store.replies.library import (
    KNOWN_PLACEHOLDERS,
    PERSONAL_TARGET,
    WRITE_IN_PLACEHOLDERS,
    LoadResult,
    check_templates,
    fill,
    find_unfilled,
    load_templates,
    personal_share,
    search_templates,
    template_problems,
    ticket_values,
)

SITUATIONS = (
    "product-question", "order-delay", "return-exchange", "technical-problem", "payment-failure",
    "out-of-stock", "account-password", "complaint", "vip-follow-up", "de-escalation", "solved-closing",
    "need-info", "invoice-request", "address-change",
)


@pytest.fixture
def shipped() -> LoadResult:
    return load_templates(None)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "templates.toml"
    path.write_text(text, encoding="utf-8")
    return path


USER_TEMPLATE = """
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


def user_template(key: str, title: str = "Mine") -> str:
    return USER_TEMPLATE.format(key=key, title=title)


# --- shipped library -------------------------------------------------------------------------


def test_shipped_library_loads_without_errors_or_problems(shipped: LoadResult) -> None:
    assert shipped.errors == []
    assert check_templates(shipped) == []
    assert shipped.sources == ["templates/en.toml", "templates/zh-TW.toml"]


@pytest.mark.parametrize("language", ["zh-TW", "en"])
def test_each_language_covers_every_situation(shipped: LoadResult, language: str) -> None:
    mine = [t for t in shipped.templates.values() if t.language == language]
    assert len(mine) >= 14
    tags = {tag for t in mine for tag in t.tags}
    assert set(SITUATIONS) <= tags


def test_languages_pair_up_by_situation(shipped: LoadResult) -> None:
    stems = {lang: {t.key.rsplit(".", 1)[0] for t in shipped.templates.values() if t.language == lang}
             for lang in ("zh-TW", "en")}
    assert stems["zh-TW"] == stems["en"]
    for key, template in shipped.templates.items():
        twin = shipped.templates[key.rsplit(".", 1)[0] + (".en" if template.language == "zh-TW" else ".zh")]
        assert twin.category == template.category  # categories are language-neutral identifiers


def test_every_shipped_template_has_three_parts_and_room_to_be_personal(shipped: LoadResult) -> None:
    for template in shipped.templates.values():
        assert template.opening and template.body and template.closing, template.key
        assert template.text == f"{template.opening}\n\n{template.body}\n\n{template.closing}"
        assert set(template.placeholders) & set(WRITE_IN_PLACEHOLDERS), template.key
        assert set(template.placeholders) <= KNOWN_PLACEHOLDERS
        assert template.source.startswith("templates/")


def test_de_escalation_walks_the_four_steps(shipped: LoadResult) -> None:
    for key in ("de-escalation.zh", "de-escalation.en"):
        template = shipped.templates[key]
        # feeling acknowledged in the opening; fault (reason), fix (steps), beyond (offer) in order
        names = [n for n in template.placeholders if n in ("reason", "steps", "offer")]
        assert names == ["reason", "steps", "offer"]
    assert "降溫四步驟" in shipped.templates["de-escalation.zh"].tags


# --- user file ---------------------------------------------------------------------------------


def test_user_template_replaces_shipped_key_via_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, user_template("return-exchange.en", "Our own returns reply") + user_template("extra.en"))
    monkeypatch.setenv("SHIFTDESK_TEMPLATES", str(path))
    assert rt.user_templates_path() == path
    result = load_templates()
    assert result.errors == []
    mine = result.templates["return-exchange.en"]
    assert mine.title == "Our own returns reply"
    assert mine.source == str(path)
    assert result.overridden["return-exchange.en"].source == "templates/en.toml"
    assert "extra.en" in result.templates
    assert len(result.templates) == len(load_templates(None).templates) + 1


def test_default_user_path_is_in_the_config_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SHIFTDESK_TEMPLATES", raising=False)
    path = rt.user_templates_path()
    assert path.name == "templates.toml" and path.parent.name == "shiftdesk"


def test_missing_user_file_is_not_an_error(tmp_path: Path) -> None:
    result = load_templates(tmp_path / "nope.toml")
    assert result.errors == [] and len(result.templates) >= 28


def test_invalid_toml_names_file_and_line(tmp_path: Path, shipped: LoadResult) -> None:
    path = write(tmp_path, '[[template]]\nkey = "a.en"\ntitle = "unterminated\n')
    result = load_templates(path)
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.code == "toml_syntax" and error.line == 3
    assert str(error).startswith(f"{path}: line 3")
    assert result.templates == shipped.templates  # the shipped library still loads


def test_bad_templates_are_reported_precisely_and_the_rest_load(tmp_path: Path) -> None:
    text = (
        user_template("good.en")
        + user_template("refund.en").replace('closing = "Regards, {agent}"', "closing = 42")
        + user_template("nokey.en").replace('key = "nokey.en"\n', "")
        + user_template("notags.en").replace('tags = ["return-exchange"]', 'tags = "oops"')
        + user_template("extra-field.en").replace('title = "Mine"', 'title = "Mine"\ntittle = "typo"')
        + user_template("good.en")
        + user_template("bad key!")
    )
    path = write(tmp_path, text)
    result = load_templates(path)
    lines = [str(e) for e in result.errors]
    assert f"{path}: template 'refund.en': field 'closing' must be a string" in lines
    assert f"{path}: template #3: field 'key' is missing" in lines
    assert f"{path}: template 'notags.en': field 'tags' must be a list of strings" in lines
    assert f"{path}: template 'extra-field.en': field 'tittle' is not a template field (ignored)" in lines
    assert any(e.code == "duplicate_key" and e.index == 6 for e in result.errors)
    assert any(e.code == "bad_key" and e.key == "bad key!" for e in result.errors)
    assert "good.en" in result.templates and "extra-field.en" in result.templates
    assert not {"refund.en", "notags.en", "bad key!"} & set(result.templates)
    assert "order-delay.zh" in result.templates


def test_odd_files(tmp_path: Path) -> None:
    assert rt.parse_template_file(b"", "x.toml") == ([], [])
    _, errors = rt.parse_template_file('template = "nope"', "x.toml")
    assert [e.code for e in errors] == ["no_templates"]
    _, errors = rt.parse_template_file("template = [1]", "x.toml")
    assert str(errors[0]) == "x.toml: template #1: is not a table"
    _, errors = rt.parse_template_file(b"\xff\xfe", "x.toml")
    assert errors[0].code == "unreadable"


def test_duplicate_key_across_shipped_files(monkeypatch: pytest.MonkeyPatch) -> None:
    body = user_template("same.en").encode()
    monkeypatch.setattr(rt, "_shipped_files", lambda: [("templates/a.toml", body), ("templates/b.toml", body)])
    result = load_templates(None)
    assert [str(e) for e in result.errors] == [
        "templates/b.toml: template 'same.en': field 'key' is already used by a template in templates/a.toml"
    ]
    assert result.templates["same.en"].source == "templates/a.toml"


def test_check_finds_content_problems(tmp_path: Path) -> None:
    text = (
        user_template("odd.en")
        .replace('language = "en"', 'language = "jp"')
        .replace('category = "售後支援/退換貨"', 'category = "雜項"')
        .replace("Your refund for {order_id}", "Your refund for {trackin_no} {")
        .replace('closing = "Regards, {agent}"', 'closing = "  "')
    )
    result = load_templates(write(tmp_path, text))
    problems = check_templates(result)
    where = f"{tmp_path / 'templates.toml'}: template 'odd.en'"
    assert f"{where}: field 'language' is 'jp', not one of zh-TW, en" in problems
    assert f"{where}: field 'category' is '雜項', which is not in the category tree" in problems
    assert f"{where}: field 'body' uses unknown placeholder {{trackin_no}}" in problems
    assert f"{where}: field 'closing' is empty" in problems
    assert any("field 'body' has a lone '{'" in p for p in problems)
    assert not any("trackin_no" in p for p in check_templates(result, known_fields=["trackin_no"]))


def test_overridden_shipped_templates_are_still_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = user_template("x.en").replace("{order_id}", "{nope}").encode()
    monkeypatch.setattr(rt, "_shipped_files", lambda: [("templates/en.toml", broken)])
    result = load_templates(write(tmp_path, user_template("x.en")))
    assert [(p.file, p.field) for p in template_problems(result)] == [("templates/en.toml", "body")]


# --- fill ------------------------------------------------------------------------------------


def test_fill_puts_values_in_once() -> None:
    result = fill("Hi {customer}, I'm {agent}. {{literal}} {x", {"customer": "{agent}", "agent": "Amy"})
    assert result.text == "Hi {agent}, I'm Amy. {literal} {x"
    assert result.unfilled == [] and result.complete


@pytest.mark.parametrize("hostile", ["[red]x[/]", "{agent}", "\x1b[31mred\x1b[0m", "{{ticket}}", "%s {0} {}", "\x9b2J"])
def test_hostile_values_stay_literal(hostile: str) -> None:
    result = fill("親愛的 {customer} 您好,我是 {agent}", {"customer": hostile, "agent": "小王"})
    assert result.text == f"親愛的 {hostile} 您好,我是 小王"
    assert result.unfilled == []


def test_unfilled_positions_point_into_the_result() -> None:
    values = {"customer": "A much longer name than the placeholder", "ticket": "#0234"}
    result = fill("{customer}: {order_id} / {{eta}} {ticket} {eta}", values)
    assert [p.name for p in result.unfilled] == ["order_id", "eta"]
    for p in result.unfilled:
        assert result.text[p.start : p.end] == "{" + p.name + "}"
    assert result.text.startswith(values["customer"])
    assert "{eta} #0234" in result.text  # the escaped one is text, not a hole


def test_blank_value_leaves_the_placeholder_open() -> None:
    result = fill("ETA: {eta}", {"eta": "  "})
    assert result.text == "ETA: {eta}" and [p.name for p in result.unfilled] == ["eta"]


def test_find_unfilled_in_edited_text() -> None:
    text = "Dear {customer}, your order {order_id} arrives {eta}."
    assert [(p.name, p.start, p.end) for p in find_unfilled(text)] == [
        ("customer", 5, 15), ("order_id", 28, 38), ("eta", 47, 52)]
    assert [p.name for p in find_unfilled(text, {"eta"})] == ["eta"]


def test_ticket_values() -> None:
    values = ticket_values(customer="王小明", ticket_id=234, agent="Amy", status="處理中",
                           fields={"order_id": "A-1", "eta": "1/20", "customer": "spoof", "bad key": "x",
                                   "n": 3, "blank": "", "nested": {"a": 1}},
                           product="咖啡機", phone=None)
    assert values == {"customer": "王小明", "ticket": "#234", "agent": "Amy", "status": "處理中",
                      "order_id": "A-1", "eta": "1/20", "n": "3", "product": "咖啡機"}
    assert ticket_values(ticket_id="#0007")["ticket"] == "#0007"
    assert ticket_values(ticket_id="12")["ticket"] == "#12"


def test_filling_a_shipped_template(shipped: LoadResult) -> None:
    template = shipped.templates["order-delay.zh"]
    values = ticket_values(customer="林小姐", ticket_id=234, agent="阿明", fields={"order_id": "#A100", "eta": "明天"})
    result = template.fill(values)
    assert "林小姐" in result.text and "#A100" in result.text and "阿明" in result.text
    assert sorted(p.name for p in result.unfilled) == ["offer", "reason"]


# --- personal share ----------------------------------------------------------------------------


def test_personal_share_known_answers() -> None:
    assert PERSONAL_TARGET == 0.20
    base = "Thanks for waiting, your order ships today."
    assert personal_share(base, base) == 0.0
    assert personal_share(base, "  Thanks for waiting,\n\n your order ships today. ") == 0.0
    assert personal_share(base, "") == 0.0
    assert personal_share("", "anything") == 1.0
    assert personal_share("aaaa bbbb", "zzzz yyyy") == 1.0
    added = " I have added a note of my own."
    assert personal_share(base, base + added) == pytest.approx(len(added) / len(base + added))
    zh = "感謝您耐心等候，訂單今天出貨。"
    extra = "祝您週末愉快！"
    assert personal_share(zh, zh + extra) == pytest.approx(len(extra) / len(zh + extra))
    assert personal_share(zh, "我們已經為您重新安排") == 1.0


def test_what_fills_a_placeholder_is_not_personal() -> None:
    """Typing an order number over {order_id} is filling in, not writing (issue 13)."""
    base = "Hi Bob, your order {order_id} ships on {eta}. Thanks for waiting."
    filled = "Hi Bob, your order A1234 ships on Friday the 19th. Thanks for waiting."
    assert personal_share(base, filled, {"order_id", "eta"}) == 0.0
    assert personal_share(base, filled) > 0.0  # without being told the blanks, fills looked like writing
    own = " I added a coupon for the delay."
    assert personal_share(base, filled + own, {"order_id", "eta"}) == pytest.approx(len(own) / len(filled + own))
    zh = "您好，訂單 {order_id} 預計 {eta} 送達。"
    assert personal_share(zh, "您好，訂單 A5566 預計 1/20 送達。", {"order_id", "eta"}) == 0.0
    # A `{name}` that is not a blank of this template is template text like any other.
    assert personal_share("Use {curly} braces here.", "Use A1234 braces here.", {"order_id"}) > 0.0


def test_fillable_fields_are_the_ones_a_placeholder_can_take() -> None:
    from store.replies.fill import fillable_fields

    fields = {"order_id": "A-1", "eta": "1/20", "n": 3, "_intake": {"guessed": ["category"]}, "bad key": "x",
              "blank": " ", "flag": True, "nested": {"a": 1}}
    assert fillable_fields(fields) == {"order_id": "A-1", "eta": "1/20", "n": "3"}


@settings(max_examples=200)
@given(st.text(max_size=80), st.text(max_size=80))
def test_personal_share_is_a_share(template: str, final: str) -> None:
    share = personal_share(template, final)
    assert 0.0 <= share <= 1.0
    assert personal_share(final, final) == 0.0


# --- properties of fill ------------------------------------------------------------------------

names = st.sampled_from(sorted(KNOWN_PLACEHOLDERS))
literal = st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=8)
value = st.text(min_size=1, max_size=12).filter(lambda s: s.strip() != "")


@settings(max_examples=200)
@given(st.lists(st.tuples(literal, names), max_size=6), literal, st.dictionaries(names, value, min_size=len(KNOWN_PLACEHOLDERS)))
def test_fill_with_every_value_given_leaves_nothing_open(pieces, tail, values) -> None:
    template = "".join(f"{text}{{{name}}}" for text, name in pieces) + tail
    result = fill(template, values)
    assert result.unfilled == []
    assert result.text == "".join(text + values[name] for text, name in pieces) + tail


@settings(max_examples=200)
@given(st.lists(st.tuples(literal, names), max_size=6), st.dictionaries(names, value))
def test_every_open_placeholder_is_where_it_says(pieces, values) -> None:
    result = fill("".join(f"{text}{{{name}}}" for text, name in pieces), values)
    assert [p.name for p in result.unfilled] == [name for _, name in pieces if name not in values]
    for p in result.unfilled:
        assert result.text[p.start : p.end] == "{" + p.name + "}"


# --- search ------------------------------------------------------------------------------------


def test_empty_query_ranks_language_then_category(shipped: LoadResult) -> None:
    ranked = search_templates(shipped.templates, "", category="訂單服務/訂單狀態", language="zh-TW")
    assert len(ranked) == len(shipped.templates)
    assert ranked[0].key == "order-delay.zh"
    languages = [t.language for t in ranked]
    assert languages == sorted(languages, key=lambda lang: lang != "zh-TW")
    zh = [t for t in ranked if t.language == "zh-TW"]
    assert {t.category.split("/")[0] for t in zh[:4]} == {"訂單服務"}  # the four order templates
    assert zh[4].category.split("/")[0] != "訂單服務"


def test_cjk_queries(shipped: LoadResult) -> None:
    assert search_templates(shipped.templates, "退貨")[0].key == "return-exchange.zh"
    assert search_templates(shipped.templates.values(), "訂延")[0].key == "order-delay.zh"  # subsequence
    assert search_templates(shipped.templates, "降溫")[0].key == "de-escalation.zh"
    assert search_templates(shipped.templates, "沒有這種範本") == []


def test_category_beats_query_score(shipped: LoadResult) -> None:
    ranked = search_templates(shipped.templates, "訂單", category="訂單服務/發票證明", language="zh-TW")
    assert ranked[0].key == "invoice-request.zh"
    assert "order-delay.zh" in [t.key for t in ranked]


def test_english_queries_and_labels(shipped: LoadResult) -> None:
    assert search_templates(shipped.templates, "refund", language="en")[0].key == "return-exchange.en"
    assert search_templates(shipped.templates, "password reset", language="en")[0].key == "account-password.en"
    by_label = search_templates(shipped.templates, "invoices", labels=CATEGORY_LABELS_EN)
    assert {t.key for t in by_label[:2]} == {"invoice-request.en", "invoice-request.zh"}


# --- usage -------------------------------------------------------------------------------------


def test_usage_is_recorded_and_counted(tmp_path: Path) -> None:
    from store.db.engine import open_database
    from store.models import Agent

    db = open_database(str(tmp_path / "usage.db"))
    at = datetime(2024, 1, 15, 9, 0, tzinfo=UTC)
    with db.write() as session:
        amy, ben = Agent(name="amy", created_at=at), Agent(name="ben", created_at=at)
        session.add_all([amy, ben])
        session.flush()
        for agent in (amy, amy, ben):
            rt.record_usage(session, "order-delay.zh", agent.id, None, at)
        rt.record_usage(session, "complaint.en", None, None, at)
    with db.read() as session:
        counts = rt.usage_counts(session)
    assert counts == {"order-delay.zh": (3, {amy.id: 2, ben.id: 1}), "complaint.en": (1, {None: 1})}
    with db.write() as session, pytest.raises(ValueError):
        rt.record_usage(session, "x", None, None, datetime(2024, 1, 15, 9, 0))
    db.dispose()
