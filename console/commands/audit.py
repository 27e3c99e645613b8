"""`shiftdesk audit`: export the append-only audit trail of a ticket (or of an agent, a policy…)
as a table, CSV (spreadsheet-safe) or JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from console.commands.common import checked, out
from console.i18n import t
from console.sanitize import clean_line
from store.limits import check_id

FORMATS = ("table", "csv", "json")
ENTITIES = ("ticket", "agent", "sla_policy", "calendar", "shift", "handover", "customer", "team_setting")
CSV_HEADER = ("id", "at", "actor", "entity", "entity_id", "action", "field", "before", "after")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def flat_rows(rows, people: dict[int, str]) -> list[tuple]:
    """One line per changed field (an action that changed nothing named still gets one line);
    people by name, as on screen."""
    lines = []
    for row in rows:
        at = row.at.isoformat().replace("+00:00", "Z")
        changes = row.named_changes(people) or [("", None, None)]
        for field, before, after in changes:
            lines.append((row.id, at, row.actor_label(people), row.entity, row.entity_id if row.entity_id is not None else "",
                          row.action, field, _cell(before), _cell(after)))
    return lines


def as_json(rows, people: dict[int, str]) -> str:
    """The raw trail (logins, ids) for programs, with each actor's display label beside."""
    from console.safe_output import json_text

    return json_text([
        {"id": r.id, "at": r.at.isoformat().replace("+00:00", "Z"), "actor": r.actor, "actor_id": r.actor_id,
         "actor_name": r.actor_label(people),
         "entity": r.entity, "entity_id": r.entity_id, "action": r.action, "before": r.before, "after": r.after}
        for r in rows
    ], indent=2)


def _table(rows, title: str, people: dict[int, str]) -> Table:
    from console.zone import local, zone_name

    table = Table(t("admin.col.at_zone", zone=zone_name()), t("admin.col.actor"), t("admin.col.action"),
                  t("admin.col.field"), t("admin.col.before"), t("admin.col.after"), title=clean_line(title))
    for row in rows:
        when = local(row.at, "%Y-%m-%d %H:%M:%S")
        for n, (field, before, after) in enumerate(row.named_changes(people) or [("", None, None)]):
            table.add_row(when if n == 0 else "", Text(clean_line(row.actor_label(people))) if n == 0 else "",
                          Text(clean_line(row.action)) if n == 0 else "", Text(clean_line(field)),
                          Text(clean_line(_cell(before), limit=80)), Text(clean_line(_cell(after), limit=80)))
    return table


def register(app: typer.Typer) -> None:
    @app.command("audit")
    def audit(
        ctx: typer.Context,
        ticket: int = typer.Option(None, "--ticket", help="The ticket whose trail to export.",
                                   callback=checked(check_id, "--ticket")),
        entity: str = typer.Option(None, "--entity", help=f"Another trail: {', '.join(ENTITIES)} (leads and up)."),
        entity_id: int = typer.Option(None, "--id", help="With --entity: which one.",
                                      callback=checked(check_id, "--id")),
        fmt: str = typer.Option("table", "--format", help="table, csv or json."),
        output: Path = typer.Option(None, "--output", "-o", help="Write to this file instead of the screen."),
    ) -> None:
        """Export the audit trail: who changed what, when, from what to what."""
        from console.commands.admin import run_as_actor
        from console.commands.common import cli_state as _state
        from console.commands.common import fail as _fail
        from store.audit import audit_people, audit_rows
        from store.team.permissions import require
        from store.team.shifts import team_timezone

        _state(ctx)
        if fmt not in FORMATS:
            _fail(f"--format: {fmt!r} is not one of {', '.join(FORMATS)}", 2)
        if ticket is not None:
            entity, entity_id = "ticket", ticket
        if entity is None or (entity not in ENTITIES):
            _fail(t("admin.audit.which"), 2)

        def query(session, _at, actor):
            if entity != "ticket":
                require(session, actor.id, "lead", "audit")
            if entity == "ticket" and entity_id is not None:
                from store.tickets.base import load_ticket

                load_ticket(session, entity_id)  # a missing ticket is an error, not an empty trail
            rows = audit_rows(session, entity=entity, entity_id=entity_id)
            return rows, team_timezone(session), audit_people(session)

        rows, tz, people = run_as_actor(ctx, "audit", query, write=False)
        from console import zone

        zone.settle(tz)  # the settings' zone if set, else the team's
        what = f"{entity} #{entity_id}" if entity_id is not None else entity
        if fmt == "table":
            if not rows:
                out.print(Text(t("admin.audit.none")))
                return
            table = _table(rows, t("admin.audit.title", what=what), people)
            if output:
                with output.open("w", encoding="utf-8") as fh:
                    Console(file=fh, highlight=False, markup=False, emoji=False, width=160).print(table)
            else:
                out.print(table)
            return
        if fmt == "json":
            text = as_json(rows, people) + "\n"
            if output:
                output.write_text(text, encoding="utf-8")
            else:
                sys.stdout.write(text)
            return
        from store.csv_safe import write_rows

        if output:
            with output.open("w", encoding="utf-8", newline="") as fh:
                write_rows(fh, CSV_HEADER, flat_rows(rows, people))
        else:
            from console.safe_output import guarded_stdout

            write_rows(guarded_stdout(), CSV_HEADER, flat_rows(rows, people))
