"""Escalation rules at intake (the seeds' smart referral): words and tiers that call for a person.

Shipped rules live in `store/intake/rules.toml`; a team's own file (SHIFTDESK_RULES, else
`rules.toml` in the user config directory) replaces rules by id, adds new ones, or switches
shipped ones off. Matching is on NFKC-folded text, so full-width letters and case do not matter.
"""

from __future__ import annotations

import os
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from store.models import CHANNELS, PRIORITIES, PRIORITY_RANK, TIERS

ENV_VAR = "SHIFTDESK_RULES"
SHIPPED_PATH = Path(__file__).with_name("rules.toml")
RULE_KEYS = ("id", "reason", "keywords", "tiers", "channels", "priority", "flag_lead", "enabled")


class RulesError(ValueError):
    """A rules file that cannot be used, with the file and the rule named."""


def user_rules_path() -> Path:
    """Where a team's own rules are read from: SHIFTDESK_RULES, else the user config directory."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_config_path("shiftdesk") / "rules.toml"


def fold(value: str) -> str:
    """The form both text and keywords are compared in."""
    return unicodedata.normalize("NFKC", value).casefold()


def _pattern(keyword: str) -> re.Pattern[str]:
    words = [re.escape(part) for part in fold(keyword).split()]
    body = r"\s+".join(words)
    if words and words[0][:1].isascii() and words[0][:1].isalnum():
        body = r"(?<![0-9a-z])" + body
    return re.compile(body)


@dataclass(frozen=True)
class Rule:
    id: str
    reason: dict[str, str]
    keywords: dict[str, tuple[str, ...]]
    tiers: frozenset[str] = frozenset()
    channels: frozenset[str] = frozenset()
    priority: str | None = None
    flag_lead: bool = False
    origin: str = "shipped"
    patterns: tuple[tuple[str, re.Pattern[str]], ...] = field(default=(), compare=False, repr=False)

    def reason_in(self, language: str) -> str:
        return self.reason.get(language) or self.reason.get("en") or next(iter(self.reason.values()), self.id)

    def matches(self, folded: str, tier: str, channel: str) -> list[str] | None:
        """The keywords found (empty for a rule with none), or None when a condition fails."""
        if self.tiers and tier not in self.tiers:
            return None
        if self.channels and channel not in self.channels:
            return None
        if not self.patterns:
            return []
        found = [keyword for keyword, pattern in self.patterns if pattern.search(folded)]
        return found or None


@dataclass(frozen=True)
class Hit:
    rule: Rule
    matched: tuple[str, ...]


@dataclass(frozen=True)
class RuleBook:
    rules: tuple[Rule, ...]
    sources: tuple[str, ...] = ()

    def evaluate(self, text: str, *, tier: str, channel: str, skip: frozenset[str] | set[str] = frozenset()) -> list[Hit]:
        folded = fold(text)
        hits = []
        for rule in self.rules:
            if rule.id in skip:
                continue
            found = rule.matches(folded, tier, channel)
            if found is not None:
                hits.append(Hit(rule, tuple(found)))
        return hits


def raised(priority: str, hits: list[Hit]) -> str:
    """The highest of a priority and the ones the hits ask for."""
    best = priority
    for hit in hits:
        wanted = hit.rule.priority
        if wanted and PRIORITY_RANK[wanted] < PRIORITY_RANK[best]:
            best = wanted
    return best


def _strings(value: object, where: str, what: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RulesError(f"{where}: {what} must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


def _rule(raw: object, where: str, origin: str) -> tuple[Rule, bool]:
    if not isinstance(raw, dict):
        raise RulesError(f"{where}: a rule must be a table")
    unknown = sorted(set(raw) - set(RULE_KEYS))
    if unknown:
        raise RulesError(f"{where}: unknown key(s) {', '.join(unknown)} (allowed: {', '.join(RULE_KEYS)})")
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}", rule_id):
        raise RulesError(f"{where}: id must be 1-64 letters, digits, '-', '_' or '.'")
    where = f"{where} ({rule_id})"
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise RulesError(f"{where}: enabled must be true or false")
    reason = raw.get("reason", "")
    if isinstance(reason, str):
        reason = {"zh-TW": reason, "en": reason} if reason.strip() else {}
    if not isinstance(reason, dict) or not all(isinstance(v, str) for v in reason.values()):
        raise RulesError(f"{where}: reason must be a string or a table of strings per language")
    keywords_raw = raw.get("keywords", {})
    if isinstance(keywords_raw, list):
        keywords_raw = {"any": keywords_raw}
    if not isinstance(keywords_raw, dict):
        raise RulesError(f"{where}: keywords must be a table of lists per language")
    keywords = {lang: _strings(words, where, f"keywords.{lang}") for lang, words in keywords_raw.items()}
    tiers = _strings(raw.get("tiers", []), where, "tiers") if raw.get("tiers") else ()
    channels = _strings(raw.get("channels", []), where, "channels") if raw.get("channels") else ()
    for name, values, allowed in (("tiers", tiers, TIERS), ("channels", channels, CHANNELS)):
        bad = [v for v in values if v not in allowed]
        if bad:
            raise RulesError(f"{where}: {name}: {', '.join(bad)} not one of {', '.join(allowed)}")
    priority = raw.get("priority")
    if priority is not None and priority not in PRIORITIES:
        raise RulesError(f"{where}: priority {priority!r} is not one of {', '.join(PRIORITIES)}")
    flag = raw.get("flag_lead", False)
    if not isinstance(flag, bool):
        raise RulesError(f"{where}: flag_lead must be true or false")
    if enabled:
        if not (keywords or tiers or channels):
            raise RulesError(f"{where}: give at least one condition (keywords, tiers or channels)")
        if priority is None and not flag:
            raise RulesError(f"{where}: give an action (priority and/or flag_lead = true)")
        if not reason:
            raise RulesError(f"{where}: give a reason; it is written to the ticket's events")
    patterns = tuple((word, _pattern(word)) for words in keywords.values() for word in words)
    rule = Rule(rule_id, dict(reason), keywords, frozenset(tiers), frozenset(channels), priority, flag, origin,
                patterns)
    return rule, enabled


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise RulesError(f"{path}: not valid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RulesError(f"{path}: cannot read: {exc}") from None


def _parse(doc: dict, path: Path, origin: str) -> list[tuple[Rule, bool]]:
    unknown = sorted(set(doc) - {"rule", "replace_shipped"})
    if unknown:
        raise RulesError(f"{path}: unknown top-level key(s) {', '.join(unknown)} (use [[rule]] tables)")
    raw_rules = doc.get("rule", [])
    if not isinstance(raw_rules, list):
        raise RulesError(f"{path}: rules are [[rule]] tables")
    parsed = [_rule(raw, f"{path}: rule #{i}", origin) for i, raw in enumerate(raw_rules, start=1)]
    ids = [rule.id for rule, _ in parsed]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise RulesError(f"{path}: rule id(s) {', '.join(dupes)} defined twice")
    return parsed


def load_rules(user_path: Path | None = None, *, shipped_path: Path = SHIPPED_PATH) -> RuleBook:
    """Shipped rules, then the team's file on top (a missing team file is fine)."""
    shipped = _parse(_read(shipped_path), shipped_path, "shipped")
    order = [rule.id for rule, _ in shipped]
    chosen = {rule.id: (rule, enabled) for rule, enabled in shipped}
    sources = [str(shipped_path)]
    path = user_path if user_path is not None else user_rules_path()
    if path.exists():
        doc = _read(path)
        replace = doc.get("replace_shipped", False)
        if not isinstance(replace, bool):
            raise RulesError(f"{path}: replace_shipped must be true or false")
        if replace:
            order, chosen = [], {}
        for rule, enabled in _parse(doc, path, str(path)):
            if rule.id not in chosen:
                order.append(rule.id)
            chosen[rule.id] = (rule, enabled)
        sources.append(str(path))
    rules = tuple(chosen[i][0] for i in order if chosen[i][1])
    return RuleBook(rules, tuple(sources))
