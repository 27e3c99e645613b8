"""`shiftdesk templates`: see the reply library and catch a broken template before an agent does."""

from __future__ import annotations

import json

import typer
from rich.table import Table
from rich.text import Text

from console.commands.common import cli_state as _state
from console.commands.common import err, out
from console.commands.common import fail as _fail
from console.context import CliState
from console.i18n import LANGUAGES, get_language, has, t
from console.sanitize import clean_line
from store.replies.library import (
    ReplyTemplate,
    TemplateError,
    category_label,
    library_order,
    load_templates,
    template_problems,
)

# Template text and file names are data: no markup, no highlighting, no emoji codes.
FORMATS = ("table", "json")
UsageCounts = dict[str, tuple[int, dict[int | None, int]]]


def describe(problem: TemplateError) -> str:
    """A problem in the interface language: file, line, template and field, then what is wrong."""
    parts = [problem.file]
    if problem.line is not None:
        if problem.column:
            parts.append(t("templates.where.line_column", line=problem.line, column=problem.column))
        else:
            parts.append(t("templates.where.line", line=problem.line))
    if problem.key is not None:
        parts.append(t("templates.where.key", key=problem.key))
    elif problem.index is not None:
        parts.append(t("templates.where.index", index=problem.index))
    message_key = f"templates.problem.{problem.code}"
    detail = t(message_key, **problem.params) if has(message_key) else problem.detail
    if problem.field is not None:
        detail = t("templates.where.field_detail", field=t("templates.where.field", field=problem.field),
                   detail=detail)
    parts.append(detail)
    return t("templates.where.separator").join(parts)


def _usage(state: CliState) -> UsageCounts | None:
    """Usage counts from the database if there is one; never creates, migrates or fails on it."""
    from store.db.engine import open_database, resolve_url, sqlite_file
    from store.replies.library import usage_counts

    try:
        url = resolve_url(state.db_url)
        if url.startswith("sqlite"):
            path = sqlite_file(url)
            if path is None or not path.exists():
                return None
        db = open_database(url, migrate=False)
        try:
            with db.read() as session:
                return usage_counts(session)
        finally:
            db.dispose()
    except Exception:  # no usable database: list without counts
        return None


_UNSAFE_JSON = {code: f"\\u{code:04x}" for code in [*range(0x7F, 0xA0), 0x2028, 0x2029, *range(0x202A, 0x202F),
                                                     *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C]}


def _json_text(payload: object) -> str:
    """JSON with CJK kept readable but every character that could act on a terminal escaped."""
    return json.dumps(payload, ensure_ascii=False, indent=2).translate(_UNSAFE_JSON)


def _as_json(template: ReplyTemplate, counts: UsageCounts | None) -> dict[str, object]:
    used = counts.get(template.key, (0, {}))[0] if counts is not None else None
    return {
        "key": template.key,
        "title": template.title,
        "language": template.language,
        "category": template.category,
        "category_label": category_label(template.category, "en"),
        "tags": list(template.tags),
        "placeholders": list(template.placeholders),
        "opening": template.opening,
        "body": template.body,
        "closing": template.closing,
        "source": template.source,
        "times_used": used,
    }


def _table(templates: list[ReplyTemplate], counts: UsageCounts | None) -> Table:
    table = Table(show_edge=False, pad_edge=False)
    for column in ("key", "language", "category", "title", "tags"):
        if column in ("key", "language"):
            table.add_column(Text(t(f"templates.col.{column}")), no_wrap=True)
        else:
            table.add_column(Text(t(f"templates.col.{column}")), overflow="fold")
    if counts is not None:
        table.add_column(Text(t("templates.col.uses")), justify="right", no_wrap=True)
    language = get_language()
    for template in templates:
        row = [
            Text(clean_line(template.key)),
            Text(clean_line(template.language)),
            Text(clean_line(category_label(template.category, language))),
            Text(clean_line(template.title)),
            Text(clean_line(", ".join(template.tags))),
        ]
        if counts is not None:
            row.append(Text(str(counts.get(template.key, (0, {}))[0])))
        table.add_row(*row)
    return table


def register(app: typer.Typer) -> None:
    templates_app = typer.Typer(help="The reply-template library.", no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(templates_app, name="templates")

    @templates_app.command("list")
    def list_templates(
        ctx: typer.Context,
        lang: str = typer.Option(None, "--lang", help="Only templates in this language: zh-TW or en."),
        fmt: str = typer.Option("table", "--format", help="table or json."),
    ) -> None:
        """List shipped and user templates, with how often each was used when a database exists."""
        state = _state(ctx)
        if lang is not None and lang not in LANGUAGES:
            _fail(t("templates.bad_lang", value=lang), 2)
        if fmt not in FORMATS:
            _fail(t("templates.bad_format", value=fmt), 2)
        result = load_templates()
        if result.errors:
            err.print(Text(t("templates.list.load_problems", n=len(result.errors)), style="yellow"), soft_wrap=True)
        chosen = sorted(
            (tpl for tpl in result.templates.values() if lang is None or tpl.language == lang),
            key=library_order,
        )
        counts = _usage(state)
        if fmt == "json":
            typer.echo(_json_text([_as_json(tpl, counts) for tpl in chosen]))
            return
        if not chosen:
            out.print(Text(t("templates.list.none")), soft_wrap=True)
            return
        out.print(_table(chosen, counts))
        out.print(Text(t("templates.list.count", n=len(chosen))), soft_wrap=True)

    @templates_app.command("check")
    def check(
        ctx: typer.Context,
        fields: list[str] = typer.Option(None, "--field", help="A custom ticket field templates may use (repeatable)."),
    ) -> None:
        """Check every shipped and user template; exit status 1 when anything is wrong."""
        _state(ctx)
        result = load_templates()
        problems = template_problems(result, known_fields=fields or ())
        for key, replaced in sorted(result.overridden.items()):
            out.print(Text(clean_line(t("templates.check.overrides", key=key, source=replaced.source)), style="dim"),
                      soft_wrap=True)
        for problem in problems:
            out.print(Text(clean_line(describe(problem), limit=2000)), soft_wrap=True)
        if problems:
            out.print(Text(t("templates.check.failed", n=len(problems)), style="bold red"), soft_wrap=True)
            raise typer.Exit(1)
        count = len(result.templates) + len(result.overridden)
        out.print(Text(clean_line(t("templates.check.ok", n=count, files=", ".join(result.sources)), limit=2000)),
                  soft_wrap=True)
