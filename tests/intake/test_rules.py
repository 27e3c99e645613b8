"""Escalation rules at intake: loading and overriding them, matching, and what they write."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from store.intake.formats.generic import Options
from store.intake.parse import parse_path
from store.intake.rules import SHIPPED_PATH, RulesError, fold, load_rules, raised
from store.intake.writer import import_parsed
from store.models import PRIORITIES, Customer, Ticket, TicketEvent

NOW = datetime(2024, 2, 1, tzinfo=UTC)
NONE = Path("/nonexistent/rules.toml")


def ids(hits) -> list[str]:
    return [h.rule.id for h in hits]


# -- loading ---------------------------------------------------------------------------------------


def test_shipped_rules_cover_the_seed_words_with_reasons_in_both_languages():
    book = load_rules(NONE)
    by_id = {r.id: r for r in book.rules}
    assert {"complaint", "disappointed", "refund", "cancel-account", "diamond-customer"} <= set(by_id)
    words = {w for r in book.rules for ws in r.keywords.values() for w in ws}
    assert {"客訴", "失望", "退款", "complaint", "refund", "cancel my account"} <= words
    for rule in book.rules:
        assert rule.reason_in("zh-TW") and rule.reason_in("en") and rule.reason_in("zh-TW") != rule.reason_in("en")
        assert rule.priority in PRIORITIES or rule.flag_lead
    assert book.sources == (str(SHIPPED_PATH),)


def test_a_user_file_replaces_disables_and_adds(tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("""
[[rule]]
id = "refund"
reason = "Refunds go to billing leads"
keywords = { en = ["refund"] }
priority = "urgent"
flag_lead = true

[[rule]]
id = "legal"
enabled = false

[[rule]]
id = "outage"
reason = { zh-TW = "系統當機", en = "Outage" }
keywords = { zh-TW = ["當機"], en = ["outage", "down again"] }
channels = ["phone", "chat"]
priority = "urgent"
""", encoding="utf-8")
    book = load_rules(path)
    by_id = {r.id: r for r in book.rules}
    assert "legal" not in by_id
    assert (by_id["refund"].priority, by_id["refund"].flag_lead, by_id["refund"].origin) == ("urgent", True, str(path))
    assert [r.id for r in book.rules][-1] == "outage"
    assert ids(book.evaluate("the site is DOWN   again", tier="standard", channel="chat")) == ["outage"]
    assert ids(book.evaluate("the site is down again", tier="standard", channel="email")) == []
    assert book.sources == (str(SHIPPED_PATH), str(path))


def test_replace_shipped_and_the_environment_variable(tmp_path, monkeypatch):
    path = tmp_path / "mine.toml"
    path.write_text('replace_shipped = true\n[[rule]]\nid = "vip"\nreason = "VIP"\ntiers = ["gold"]\nflag_lead = true\n',
                    encoding="utf-8")
    monkeypatch.setenv("SHIFTDESK_RULES", str(path))
    book = load_rules()
    assert [r.id for r in book.rules] == ["vip"]


@pytest.mark.parametrize(("text", "message"), [
    ("[[rule]\n", "not valid TOML"),
    ('[[rule]]\nid = "x"\nreason = "r"\nkeywords = { en = ["a"] }\npriority = "high"\ncolour = "red"\n', "unknown key(s) colour"),
    ('[[rule]]\nid = "x"\nreason = "r"\nkeywords = { en = ["a"] }\npriority = "critical"\n', "priority 'critical'"),
    ('[[rule]]\nid = "x"\nreason = "r"\npriority = "high"\n', "at least one condition"),
    ('[[rule]]\nid = "x"\nreason = "r"\nkeywords = { en = ["a"] }\n', "give an action"),
    ('[[rule]]\nid = "x"\nkeywords = { en = ["a"] }\nflag_lead = true\n', "give a reason"),
    ('[[rule]]\nid = "x"\nreason = "r"\ntiers = ["bronze"]\nflag_lead = true\n', "bronze not one of"),
    ('[[rule]]\nid = "x"\nreason = "r"\nkeywords = { en = [""] }\nflag_lead = true\n', "non-empty strings"),
    ('[[rule]]\nid = "x"\nreason = "r"\ntiers = ["gold"]\nflag_lead = true\n[[rule]]\nid = "x"\nreason = "r"\n'
     'tiers = ["gold"]\nflag_lead = true\n', "defined twice"),
])
def test_a_bad_rules_file_names_the_file_and_rule(tmp_path, text, message):
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as caught:
        load_rules(path)
    assert str(path) in str(caught.value) and message in str(caught.value)


# -- matching --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "tier", "expected"), [
    ("我要客訴!", "standard", ["complaint"]),
    ("對服務很失望,我要退款", "standard", ["disappointed", "refund"]),
    ("ＲＥＦＵＮＤ please", "standard", ["refund"]),  # full-width letters
    ("This item is nonrefundable, right?", "standard", []),  # not at a word boundary
    ("Please CANCEL my\naccount today", "standard", ["cancel-account"]),
    ("請問營業時間", "diamond", ["diamond-customer"]),
    ("I will contact my lawyer", "standard", ["legal"]),
    ("請問營業時間", "gold", []),
])
def test_matching(text, tier, expected):
    assert ids(load_rules(NONE).evaluate(text, tier=tier, channel="email")) == expected


def test_raised_never_lowers():
    book = load_rules(NONE)
    hits = book.evaluate("我要退款", tier="standard", channel="email")
    assert raised("normal", hits) == "high"
    assert raised("urgent", hits) == "urgent"
    assert fold("ＡＢＣ") == "abc"


# -- what rules write at intake ----------------------------------------------------------------------


def _import(db, tmp_path: Path, records: list[dict], rules_path: Path = NONE):
    path = tmp_path / f"in{len(list(tmp_path.iterdir()))}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    parsed = parse_path(path, opts=Options(zone=None, now=NOW))
    return import_parsed(db, parsed, rules=load_rules(rules_path), now=NOW)


def _events(db, ext: str, kind: str) -> list[TicketEvent]:
    with db.read() as s:
        tid = s.exec(select(Ticket.id).where(Ticket.external_id == ext)).one()
        return list(s.exec(select(TicketEvent).where(TicketEvent.ticket_id == tid, TicketEvent.kind == kind)
                           .order_by(TicketEvent.id)))


def test_rules_at_creation_raise_flag_and_explain(db, tmp_path):
    outcome = _import(db, tmp_path, [
        {"type": "ticket", "external_id": "R-1", "created_at": "2024-01-15T01:00:00Z", "subject": "我要客訴",
         "body": "商品很爛", "customer": "王小明", "priority": "low", "category": "其他/商業合作"},
        {"type": "ticket", "external_id": "R-2", "created_at": "2024-01-15T01:00:00Z", "subject": "請問營業時間",
         "customer": {"name": "林美玲", "tier": "diamond"}, "priority": "low", "category": "其他"},
        {"type": "ticket", "external_id": "R-3", "created_at": "2024-01-15T01:00:00Z", "subject": "請問營業時間",
         "customer": "陳大文", "priority": "low", "category": "其他"},
    ])
    assert outcome.tally.rules == 2
    with db.read() as s:
        t1, t2, t3 = (s.exec(select(Ticket).where(Ticket.external_id == e)).one() for e in ("R-1", "R-2", "R-3"))
        assert (t1.priority, t1.escalated) == ("high", True)
        assert (t2.priority, t2.escalated) == ("high", True)
        assert (t3.priority, t3.escalated, t3.category) == ("low", False, "其他")
        assert t1.fields["_intake"]["rules"] == ["complaint"]
    event = _events(db, "R-1", "rule_applied")[0]
    assert event.body == "顧客提出客訴,依智慧轉介交由組長安排真人處理"  # in the ticket's language
    assert event.data == {"rule": "complaint", "matched": ["客訴"], "origin": "shipped",
                          "priority": {"from": "low", "to": "high"}, "flag_lead": True}
    assert _events(db, "R-2", "rule_applied")[0].data["rule"] == "diamond-customer"


def test_a_customer_message_escalates_an_open_ticket_once(db, tmp_path):
    _import(db, tmp_path, [
        {"type": "ticket", "external_id": "R-9", "created_at": "2024-01-15T01:00:00Z", "subject": "Headphones",
         "customer": "Bob Lee", "priority": "normal", "category": "售後支援/使用問題", "language": "en"},
        {"type": "message", "external_id": "R-9", "at": "2024-01-15T02:00:00Z", "body": "My lawyer will call you."},
        {"type": "message", "external_id": "R-9", "at": "2024-01-15T03:00:00Z", "body": "Still waiting, lawyer ready."},
    ])
    applied = _events(db, "R-9", "rule_applied")
    assert [e.data["rule"] for e in applied] == ["legal"]
    assert applied[0].at == datetime(2024, 1, 15, 2, tzinfo=UTC)
    assert applied[0].body.startswith("Mentions a lawyer")
    changed = _events(db, "R-9", "priority_changed")
    assert [(e.data["from"], e.data["to"], e.at) for e in changed] == [("normal", "urgent", datetime(2024, 1, 15, 2, tzinfo=UTC))]
    with db.read() as s:
        t = s.exec(select(Ticket).where(Ticket.external_id == "R-9")).one()
        assert (t.priority, t.escalated) == ("urgent", True)


def test_a_team_rule_from_its_file_is_applied_with_its_origin(db, tmp_path):
    path = tmp_path / "team.toml"
    path.write_text('[[rule]]\nid = "gold-first"\nreason = "Gold customers first"\ntiers = ["gold"]\n'
                    'priority = "high"\n', encoding="utf-8")
    _import(db, tmp_path, [{"type": "ticket", "external_id": "R-5", "created_at": "2024-01-15T01:00:00Z",
                            "subject": "hello", "customer": {"name": "G", "tier": "gold"}, "priority": "low",
                            "category": "其他"}], rules_path=path)
    event = _events(db, "R-5", "rule_applied")[0]
    assert (event.data["rule"], event.data["origin"], event.body) == ("gold-first", str(path), "Gold customers first")
    with db.read() as s:
        assert s.exec(select(Customer).where(Customer.name == "G")).one().tier == "gold"


def test_category_is_guessed_only_when_missing(db, tmp_path):
    _import(db, tmp_path, [
        {"type": "ticket", "external_id": "C-1", "created_at": "2024-01-15T01:00:00Z", "subject": "發票要改統編",
         "customer": "王小明"},
        {"type": "ticket", "external_id": "C-2", "created_at": "2024-01-15T01:00:00Z", "subject": "發票要改統編",
         "customer": "王小明", "category": "我們自己的分類"},
    ])
    with db.read() as s:
        one, two = (s.exec(select(Ticket).where(Ticket.external_id == e)).one() for e in ("C-1", "C-2"))
        assert (one.category, one.fields["_intake"]["guessed"]) == ("訂單服務/發票證明", ["category", "priority"])
        assert (two.category, two.fields["_intake"].get("guessed")) == ("我們自己的分類", ["priority"])


def test_cli_rules_list(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from console.cli import app

    monkeypatch.setenv("SHIFTDESK_RULES", str(tmp_path / "absent.toml"))
    monkeypatch.setenv("SHIFTDESK_LANG", "en")
    monkeypatch.setenv("COLUMNS", "200")
    result = CliRunner().invoke(app, ["rules", "list"])
    assert result.exit_code == 0, result.output
    for rule_id in ("complaint", "refund", "cancel-account", "diamond-customer"):
        assert rule_id in result.output
    assert str(tmp_path / "absent.toml") in result.output and "not there" in result.output
    (tmp_path / "absent.toml").write_text("[[rule]\n", encoding="utf-8")
    broken = CliRunner().invoke(app, ["rules", "list"])
    assert broken.exit_code == 1 and "not valid TOML" in broken.output
