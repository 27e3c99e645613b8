"""The reply-template library: shipped TOML plus the user's own file, checked and merged by key.

Pure data and rules (no Textual): the composer and `shiftdesk templates` both build on it.
Placeholder filling lives in `reply_templates_fill`, searching in `reply_templates_search`;
both are re-exported here so callers import one module.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from dataclasses import field as _field  # TemplateError has an attribute named `field`
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any

from store.categories import CATEGORIES, TOP_LEVELS, category_label
from store.replies.fill import (
    KNOWN_PLACEHOLDERS,
    PERSONAL_TARGET,
    TICKET_PLACEHOLDERS,
    WRITE_IN_PLACEHOLDERS,
    FillResult,
    Placeholder,
    fill,
    find_unfilled,
    format_ticket_id,
    personal_share,
    placeholder_names,
    stray_braces,
    ticket_values,
)
from store.replies.search import category_order, search_templates

__all__ = [
    "KNOWN_PLACEHOLDERS",
    "LANGUAGES",
    "PERSONAL_TARGET",
    "TICKET_PLACEHOLDERS",
    "WRITE_IN_PLACEHOLDERS",
    "FillResult",
    "LoadResult",
    "Placeholder",
    "ReplyTemplate",
    "TemplateError",
    "category_label",
    "category_order",
    "check_templates",
    "fill",
    "find_unfilled",
    "format_ticket_id",
    "library_order",
    "load_templates",
    "parse_template_file",
    "personal_share",
    "record_usage",
    "search_templates",
    "template_problems",
    "ticket_values",
    "usage_counts",
    "user_templates_path",
]

ENV_VAR = "SHIFTDESK_TEMPLATES"
SHIPPED_PACKAGE = "templates"
LANGUAGES = ("zh-TW", "en")
PARTS = ("opening", "body", "closing")
STRING_FIELDS = ("key", "title", "language", "category", *PARTS)
ALL_FIELDS = (*STRING_FIELDS, "tags")
VALID_CATEGORIES = frozenset(CATEGORIES) | frozenset(TOP_LEVELS)
# Keys go into template_usage.template_key, a 64-character column.
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")

# English wording of each problem; the console translates by `code` through its catalogue.
MESSAGES = {
    "toml_syntax": "invalid TOML: {detail}",
    "unreadable": "cannot be read: {detail}",
    "no_templates": "must hold [[template]] tables",
    "not_table": "is not a table",
    "missing": "is missing",
    "not_string": "must be a string",
    "not_string_list": "must be a list of strings",
    "unknown_field": "is not a template field (ignored)",
    "bad_key": "must be 1-64 letters, digits, '.', '_' or '-'",
    "duplicate_key": "is already used by a template in {other}",
    "empty": "is empty",
    "unknown_placeholder": "uses unknown placeholder {placeholder}",
    "stray_brace": "has a lone '{brace}' at character {pos} (write it twice for a literal brace)",
    "bad_language": "is {value!r}, not one of zh-TW, en",
    "bad_category": "is {value!r}, which is not in the category tree",
}


@dataclass(frozen=True)
class ReplyTemplate:
    """One canned reply in the handbook's three parts: empathy, the fix, the next step."""

    key: str
    title: str
    language: str
    category: str
    tags: tuple[str, ...]
    opening: str
    body: str
    closing: str
    source: str

    @property
    def text(self) -> str:
        return "\n\n".join(part for part in (self.opening, self.body, self.closing) if part)

    @property
    def placeholders(self) -> tuple[str, ...]:
        return placeholder_names(self.text)

    def fill(self, values: Mapping[str, object]) -> FillResult:
        return fill(self.text, values)


@dataclass(frozen=True)
class TemplateError:
    """A problem in a template file, precise enough to find: file, template, field."""

    file: str
    code: str
    key: str | None = None
    index: int | None = None  # 1-based position of the [[template]] in its file
    field: str | None = None
    line: int | None = None
    column: int | None = None
    params: dict[str, Any] = _field(default_factory=dict)

    @property
    def detail(self) -> str:
        return MESSAGES.get(self.code, self.code).format(**self.params)

    def location(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(f"line {self.line}" + (f", column {self.column}" if self.column else ""))
        if self.key is not None:
            parts.append(f"template {self.key!r}")
        elif self.index is not None:
            parts.append(f"template #{self.index}")
        return ": ".join(parts)

    def __str__(self) -> str:
        if self.field is not None:
            return f"{self.location()}: field {self.field!r} {self.detail}"
        return f"{self.location()}: {self.detail}"


@dataclass
class LoadResult:
    templates: dict[str, ReplyTemplate] = field(default_factory=dict)
    errors: list[TemplateError] = field(default_factory=list)
    # Shipped templates a user template replaced, by key (still checked by `template_problems`).
    overridden: dict[str, ReplyTemplate] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)


def user_templates_path() -> Path:
    """Where a user keeps their own templates; SHIFTDESK_TEMPLATES overrides it (tests, shared setups)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_config_path("shiftdesk") / "templates.toml"


def library_order(template: ReplyTemplate) -> tuple[int, tuple[int, int], str]:
    """Stable display order: language as listed in LANGUAGES, then the category tree, then key."""
    language = LANGUAGES.index(template.language) if template.language in LANGUAGES else len(LANGUAGES)
    return (language, category_order(template.category), template.key)


def _check_entry(entry: dict, source: str, index: int) -> tuple[ReplyTemplate | None, list[TemplateError]]:
    raw_key = entry.get("key")
    key = raw_key if isinstance(raw_key, str) and raw_key else None
    errors: list[TemplateError] = []

    def err(code: str, name: str | None, **params: Any) -> None:
        errors.append(TemplateError(source, code, key=key, index=index, field=name, params=params))

    values: dict[str, str] = {}
    for name in STRING_FIELDS:
        if name not in entry:
            err("missing", name)
        elif not isinstance(entry[name], str):
            err("not_string", name)
        else:
            values[name] = entry[name].strip()
    if key is not None and not _KEY.fullmatch(key):
        err("bad_key", "key")
    tags = entry.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        err("not_string_list", "tags")
        tags = []
    for name in entry:
        if name not in ALL_FIELDS:
            err("unknown_field", str(name))
    if any(e.code != "unknown_field" for e in errors):
        return None, errors
    template = ReplyTemplate(
        key=values["key"], title=values["title"], language=values["language"], category=values["category"],
        tags=tuple(tag.strip() for tag in tags if tag.strip()), opening=values["opening"], body=values["body"],
        closing=values["closing"], source=source,
    )
    return template, errors


def parse_template_file(data: bytes | str, source: str) -> tuple[list[ReplyTemplate], list[TemplateError]]:
    """Every well-formed template in one file, and an error for each thing wrong with the rest."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        return [], [TemplateError(source, "unreadable", params={"detail": f"not UTF-8 ({exc.reason})"})]
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        line = int(position.group(1)) if position else None
        column = int(position.group(2)) if position else None
        detail = _TOML_POSITION.sub("", message) if position else message
        return [], [TemplateError(source, "toml_syntax", line=line, column=column, params={"detail": detail})]
    entries = document.get("template")
    if entries is None:
        return [], ([TemplateError(source, "no_templates")] if document else [])
    if not isinstance(entries, list):
        return [], [TemplateError(source, "no_templates")]
    templates: list[ReplyTemplate] = []
    errors: list[TemplateError] = []
    seen: set[str] = set()
    for index, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            errors.append(TemplateError(source, "not_table", index=index))
            continue
        template, problems = _check_entry(entry, source, index)
        errors.extend(problems)
        if template is None:
            continue
        if template.key in seen:
            errors.append(TemplateError(source, "duplicate_key", key=template.key, index=index, field="key",
                                        params={"other": source}))
            continue
        seen.add(template.key)
        templates.append(template)
    return templates, errors


def _shipped_files() -> list[tuple[str, bytes]]:
    root = resources.files(SHIPPED_PACKAGE)
    entries = sorted((e for e in root.iterdir() if e.name.endswith(".toml")), key=lambda e: e.name)
    return [(f"{SHIPPED_PACKAGE}/{entry.name}", entry.read_bytes()) for entry in entries]


_DEFAULT: Any = object()


def load_templates(user_file: Path | None = _DEFAULT) -> LoadResult:
    """Shipped templates, then the user's file on top (same key replaces); errors never stop the rest.

    `user_file` defaults to `user_templates_path()`; pass None to load the shipped ones only.
    """
    if user_file is _DEFAULT:
        user_file = user_templates_path()
    result = LoadResult()
    for source, data in _shipped_files():
        result.sources.append(source)
        templates, errors = parse_template_file(data, source)
        result.errors.extend(errors)
        for template in templates:
            first = result.templates.get(template.key)
            if first is not None:
                result.errors.append(TemplateError(source, "duplicate_key", key=template.key, field="key",
                                                   params={"other": first.source}))
                continue
            result.templates[template.key] = template
    if user_file is not None and user_file.exists():
        source = str(user_file)
        result.sources.append(source)
        try:
            data = user_file.read_bytes()
        except OSError as exc:
            result.errors.append(TemplateError(source, "unreadable", params={"detail": exc.strerror or str(exc)}))
            return result
        templates, errors = parse_template_file(data, source)
        result.errors.extend(errors)
        for template in templates:
            replaced = result.templates.get(template.key)
            if replaced is not None:
                result.overridden[template.key] = replaced
            result.templates[template.key] = template
    return result


def _template_checks(template: ReplyTemplate, known: frozenset[str]) -> list[TemplateError]:
    def problem(code: str, name: str | None, **params: Any) -> TemplateError:
        return TemplateError(template.source, code, key=template.key, field=name, params=params)

    found: list[TemplateError] = []
    if not template.title:
        found.append(problem("empty", "title"))
    if template.language not in LANGUAGES:
        found.append(problem("bad_language", "language", value=template.language))
    if template.category not in VALID_CATEGORIES:
        found.append(problem("bad_category", "category", value=template.category))
    for part in PARTS:
        text = getattr(template, part)
        if not text:
            found.append(problem("empty", part))
            continue
        for name in placeholder_names(text):
            if name not in known:
                found.append(problem("unknown_placeholder", part, placeholder="{" + name + "}"))
        for brace, pos in stray_braces(text):
            found.append(problem("stray_brace", part, brace=brace, pos=pos))
    return found


def template_problems(result: LoadResult, known_fields: Iterable[str] = ()) -> list[TemplateError]:
    """Everything wrong with the library: load errors first, then each template's content."""
    known = KNOWN_PLACEHOLDERS | frozenset(known_fields)
    problems = list(result.errors)
    everything = [*result.overridden.values(), *result.templates.values()]
    for template in sorted(everything, key=lambda t: (t.source, t.key)):
        problems.extend(_template_checks(template, known))
    return problems


def check_templates(result: LoadResult, known_fields: Iterable[str] = ()) -> list[str]:
    """`template_problems` as plain English lines naming file, template and field."""
    return [str(problem) for problem in template_problems(result, known_fields)]


def record_usage(session: Any, key: str, agent_id: int | None, ticket_id: int | None, at: datetime) -> None:
    """Note that a template was sent, inside the caller's write transaction."""
    from store.clock import ensure_utc
    from store.models import TemplateUsage

    session.add(TemplateUsage(template_key=key, agent_id=agent_id, ticket_id=ticket_id,
                              at=ensure_utc(at, field="at")))


def usage_counts(session: Any) -> dict[str, tuple[int, dict[int | None, int]]]:
    """How often each template was used, in total and per agent (one grouped query)."""
    from sqlalchemy import func, select

    from store.models import TemplateUsage

    usage = TemplateUsage.__table__
    query = (
        select(usage.c.template_key, usage.c.agent_id, func.count())
        .group_by(usage.c.template_key, usage.c.agent_id)
    )
    counts: dict[str, tuple[int, dict[int | None, int]]] = {}
    for key, agent_id, count in session.execute(query).all():
        total, per_agent = counts.get(key, (0, {}))
        per_agent[agent_id] = int(count)
        counts[key] = (total + int(count), per_agent)
    return counts
