"""`shiftdesk agents`, `policy` and `calendars`: who works here and the SLA rules they work by.

Anyone may look; changes need a supervisor. The store checks the role again inside the writing
transaction (store/team/permissions.py), so these commands only choose the words of a refusal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.table import Table
from rich.text import Text

from console.commands.common import checked, out
from console.commands.common import cli_state as _state
from console.commands.common import fail as _fail
from console.i18n import t
from console.sanitize import clean_line
from store.limits import check_position

_DURATION = re.compile(r"^(\d+)\s*(m|min|h|bd)?$")


def _role(role: str) -> str:
    return t(f"role.{role}") if role in ("agent", "lead", "supervisor") else role


def run_as_actor(ctx: typer.Context, command: str, change: Callable[[Any, Any, Any], Any], *,
                 bootstrap: bool = False, write: bool = True) -> Any:
    """One unit of work (a write, unless told) as the acting agent; a refusal names the role needed."""
    from console.session import LoginMismatch, acting_agent, acting_agent_or_none
    from store.clock import now
    from store.db.engine import open_database
    from store.errors import PermissionDenied, ShiftdeskError

    state = _state(ctx)
    db = open_database(state.db_url)
    try:
        with (db.write() if write else db.read()) as session:
            actor = acting_agent_or_none(session, state) if bootstrap else acting_agent(session, state)
            return change(session, now(), actor)
    except LoginMismatch as exc:
        _fail(str(exc))
    except PermissionDenied as exc:
        _fail(t("admin.denied", command=command, needed=_role(exc.needed), role=_role(exc.role)))
    except (ShiftdeskError, ValueError) as exc:
        _fail(str(exc))
    finally:
        db.dispose()


def _read(ctx: typer.Context, query: Callable[[Any], Any]) -> Any:
    from store.db.engine import open_database
    from store.errors import ShiftdeskError

    db = open_database(_state(ctx).db_url)
    try:
        with db.read() as session:
            return query(session)
    except (ShiftdeskError, ValueError) as exc:
        _fail(str(exc))
    finally:
        db.dispose()


# -- agents --------------------------------------------------------------------------------------


def _register_agents(app: typer.Typer) -> None:
    agents_app = typer.Typer(help="Agents and their roles.", no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(agents_app, name="agents")

    @agents_app.command("list")
    def agents_list(ctx: typer.Context, all_: bool = typer.Option(False, "--all", help="Include deactivated.")) -> None:
        """List agents with their roles."""
        from store.team.agents import list_agents

        agents = _read(ctx, lambda s: list_agents(s, include_inactive=all_))
        table = Table(t("admin.col.name"), t("admin.col.display"), t("admin.col.role"), t("admin.col.team"))
        for a in agents:
            role = _role(a.role) + ("" if a.active else " " + t("admin.inactive"))
            table.add_row(Text(clean_line(a.name)), Text(clean_line(a.display_name)), Text(role),
                          Text(clean_line(a.team)))
        out.print(table)

    @agents_app.command("add")
    def agents_add(
        ctx: typer.Context,
        name: str = typer.Argument(..., help="Login name, as given to --as (on PostgreSQL: their database login)."),
        role: str = typer.Option("agent", "--role", help="agent, lead or supervisor."),
        display: str = typer.Option("", "--display", help="Name shown in the console."),
        team: str = typer.Option("default", "--team"),
    ) -> None:
        """Add an agent (supervisors only, once a supervisor exists)."""
        from store.team.agents import add_agent

        agent = run_as_actor(ctx, "agents add", lambda s, at, actor: add_agent(
            s, at, name, role=role, display_name=display, team=team, actor_id=actor.id if actor else None),
            bootstrap=True)
        out.print(Text(t("admin.agent_added", name=clean_line(agent.name), role=_role(agent.role))))

    @agents_app.command("role")
    def agents_role(ctx: typer.Context, name: str = typer.Argument(...),
                    role: str = typer.Argument(..., help="agent, lead or supervisor.")) -> None:
        """Change an agent's role (supervisors only)."""
        from store.team.agents import set_role

        agent = run_as_actor(ctx, "agents role", lambda s, at, actor: set_role(s, at, name, role, actor_id=actor.id))
        out.print(Text(t("admin.role_set", name=clean_line(agent.name), role=_role(agent.role))))

    def _activation(active: bool):
        def command(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
            from store.team.agents import set_active

            label = "agents activate" if active else "agents deactivate"
            agent = run_as_actor(ctx, label, lambda s, at, actor: set_active(s, at, name, active, actor_id=actor.id))
            out.print(Text(t("admin.activated" if active else "admin.deactivated", name=clean_line(agent.name))))

        return command

    agents_app.command("deactivate", help="Deactivate an agent: no more sign-in or actions; history stays.")(
        _activation(False))
    agents_app.command("activate", help="Bring a deactivated agent back.")(_activation(True))


# -- SLA policies --------------------------------------------------------------------------------


def _target(value: int | str) -> str:
    """`90 min`, `4 h`, `3bd`: the store's own label, or the raw value if it is not one it reads."""
    from store.sla.targets import parse_target

    try:
        return parse_target(value, "target").label
    except ValueError:
        return clean_line(str(value), limit=24)


def _conditions(p) -> str:
    parts = []
    for key, values in (("priority", p.priorities), ("tier", p.tiers), ("channel", p.channels)):
        if values:
            parts.append(f"{key}: {', '.join(values)}")
    if p.category_prefix:
        parts.append(f"category: {p.category_prefix}*")
    return "; ".join(parts) or t("admin.any")


def _print_policy(p) -> None:
    from store.vocab import METRICS, PRIORITIES

    title = f"{p.position} · {p.name}" + ("" if p.active else " " + t("admin.policy.inactive"))
    table = Table(t("admin.col.priority"), *(t(f"metric.{m}") for m in METRICS), title=clean_line(title))
    for priority in PRIORITIES:
        cells = p.targets.get(priority, {})
        table.add_row(t(f"priority.{priority}"), *(_target(cells[m]) if m in cells else "-" for m in METRICS))
    out.print(table)
    out.print(Text(f"{t('admin.col.conditions')}: {clean_line(_conditions(p))}"))
    out.print(Text(f"{t('admin.col.calendar')}: {clean_line(p.calendar or '-')}"))
    out.print(Text(t("admin.policy.warn", share=p.warn_share)))
    out.print(Text(t("admin.policy.pauses", statuses=", ".join(p.pause_statuses) or "-")))


def _list_option(value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    if value.strip().lower() in ("", "any", "none"):
        return ()
    return tuple(v.strip() for v in value.split(",") if v.strip())


def parse_targets(values: list[str]) -> dict[str, dict[str, int | str]]:
    """`high.first_reply=90`, `urgent.resolution=4h`, `normal.resolution=3bd`, `low.next_reply=off`.

    Only the shape is checked here; the store checks the limits (1 minute to 365 days, 1bd to
    260bd) and refuses with the field named, so a value out of range exits 1 and saves nothing.
    """
    cells: dict[str, dict[str, int | str]] = {}
    for raw in values:
        key, sep, amount = raw.partition("=")
        priority, dot, metric = key.strip().partition(".")
        amount = amount.strip().lower()
        match = _DURATION.match(amount)
        if not sep or not dot or not (match or amount == "off"):
            raise ValueError(t("admin.policy.bad_target", value=raw))
        cells.setdefault(priority, {})[metric.strip()] = amount.replace(" ", "") if match else "off"
    return cells


def _window(session: Any) -> int:
    from store.team.team_settings import repeat_window

    return repeat_window(session.connection())


def _print_window(seconds: int) -> None:
    from store.team.team_settings import format_window

    out.print(Text(t("admin.policy.repeat_window", window=format_window(seconds))))


def _parse_window(value: str | None) -> int | None:
    if value is None:
        return None
    from store.team.team_settings import parse_window

    try:
        return parse_window(value)
    except ValueError as exc:
        _fail(f"--repeat-window: {exc}", 2)
    return None


def _set_window(ctx: typer.Context, seconds: int) -> None:
    """Set the team's window and recompute the facts with it, with a bar per phase (one transaction)."""
    from console.commands.rollups import phase_bar, phase_reporter
    from store.rollups.rebuild import change_repeat_window
    from store.team.team_settings import format_window

    with phase_bar() as progress:
        facts = run_as_actor(ctx, "policy set --repeat-window", lambda s, at, actor: change_repeat_window(
            s, at, actor.id, seconds, phase_reporter(progress)))
    key = "admin.policy.window_unchanged" if facts is None else "admin.policy.window_saved"
    out.print(Text(t(key, window=format_window(seconds), facts=facts)))


def _register_policy(app: typer.Typer) -> None:
    policy_app = typer.Typer(help="SLA policies: targets per priority, conditions, order, calendar.",
                             no_args_is_help=True, rich_markup_mode=None)
    app.add_typer(policy_app, name="policy")

    @policy_app.command("list")
    def policy_list(ctx: typer.Context) -> None:
        """Every policy in the order they are tried; the first that matches a ticket applies."""
        from store.sla.policy_admin import list_policies

        policies, window = _read(ctx, lambda s: (list_policies(s), _window(s)))
        table = Table(t("admin.col.position"), t("admin.col.name"), t("admin.col.conditions"), t("admin.col.calendar"))
        for p in policies:
            name = p.name + ("" if p.active else " " + t("admin.policy.inactive"))
            table.add_row(str(p.position), Text(clean_line(name)), Text(clean_line(_conditions(p))),
                          Text(clean_line(p.calendar or "-")))
        out.print(table)
        _print_window(window)

    @policy_app.command("show")
    def policy_show(ctx: typer.Context, name: str = typer.Argument(...),
                    as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table.")) -> None:
        """One policy: its targets, conditions, calendar and warning share."""
        from dataclasses import asdict

        from store.sla.policy_admin import get_policy

        policy, window = _read(ctx, lambda s: (get_policy(s, name), _window(s)))
        if as_json:
            typer.echo(json.dumps({**asdict(policy), "repeat_window_seconds": window}, ensure_ascii=False, indent=2))
        else:
            _print_policy(policy)
            _print_window(window)

    def _edit(create: bool):
        def command(
            ctx: typer.Context,
            name: str = typer.Argument(... if create else None, help="The policy's name."),
            target: list[str] = typer.Option(None, "--target", "-t",
                                             help="PRIORITY.METRIC=MINUTES (or 2h, 3bd business days, or off); repeatable."),
            priorities: str = typer.Option(None, "--priorities", help="Comma-separated, or 'any'."),
            tiers: str = typer.Option(None, "--tiers", help="Comma-separated customer tiers, or 'any'."),
            channels: str = typer.Option(None, "--channels", help="Comma-separated, or 'any'."),
            category_prefix: str = typer.Option(None, "--category-prefix", help="Matches categories starting so."),
            position: int = typer.Option(None, "--position", help="Lower is tried first (0 and up).",
                                         callback=checked(check_position, "--position")),
            calendar: str = typer.Option(None, "--calendar", help="Business calendar by name."),
            warn_share: float = typer.Option(None, "--warn-share", help="At risk in this last share (0.25)."),
            pause: str = typer.Option(None, "--pause", help="Statuses that pause resolution: pending,on_hold or none."),
            active: bool = typer.Option(None, "--active/--inactive", help="Switch the policy on or off."),
            repeat_window: str = typer.Option(
                None, "--repeat-window", hidden=create,
                help="The team's repeat-contact window, 1h to 90d (7d, 36h); recomputes the figures."),
        ) -> None:
            from store.sla.policy_admin import PolicyChange, set_policy

            window = _parse_window(repeat_window)
            try:
                change = PolicyChange(
                    position=position, active=active, priorities=_list_option(priorities),
                    tiers=_list_option(tiers), channels=_list_option(channels), category_prefix=category_prefix,
                    targets=parse_targets(target) if target else None, calendar=calendar, warn_share=warn_share,
                    pause_statuses=_list_option(pause))
            except ValueError as exc:
                _fail(str(exc), 2)
            if window is not None:
                if create:
                    _fail(t("admin.policy.name_needed"), 2)
                _set_window(ctx, window)
                if name is None and change == PolicyChange():
                    return
            if name is None:
                _fail(t("admin.policy.name_needed"), 2)
            if not create and change == PolicyChange():
                _fail(t("admin.policy.nothing"), 2)
            command_name = "policy add" if create else "policy set"
            policy = run_as_actor(ctx, command_name, lambda s, at, actor: set_policy(
                s, at, actor.id, name, change, create=create))
            out.print(Text(t("admin.policy.saved", name=clean_line(policy.name))))
            _print_policy(policy)

        return command

    policy_app.command("set", help="Change a policy (supervisors only; audited).")(_edit(False))
    policy_app.command("add", help="Add a policy (supervisors only; audited).")(_edit(True))


# -- calendars -----------------------------------------------------------------------------------


def _register_calendars(app: typer.Typer) -> None:
    cal_app = typer.Typer(help="Business calendars: zone, weekly hours, holidays.", no_args_is_help=True,
                          rich_markup_mode=None)
    app.add_typer(cal_app, name="calendars")

    @cal_app.command("list")
    def calendars_list(ctx: typer.Context) -> None:
        """Calendars, their zone and hours, and the policies that count time by them."""
        from store.sla.policy_admin import list_calendars

        table = Table(t("admin.col.name"), "tz", t("admin.col.hours"), t("admin.col.used_by"))
        for c in _read(ctx, list_calendars):
            hours = "; ".join(f"{day} {' '.join('-'.join(span) for span in spans)}"
                              for day, spans in c.config.get("hours", {}).items())
            table.add_row(Text(clean_line(c.name)), Text(clean_line(c.config.get("tz", ""))),
                          Text(clean_line(hours, limit=120)), Text(clean_line(", ".join(c.used_by) or "-")))
        out.print(table)

    @cal_app.command("show")
    def calendars_show(ctx: typer.Context, name: str = typer.Argument(...)) -> None:
        """A calendar's whole configuration as JSON (the shape `calendars set --config` takes)."""
        from store.errors import NotFound
        from store.sla.policy_admin import list_calendars

        found = [c for c in _read(ctx, list_calendars) if c.name == name]
        if not found:
            _fail(str(NotFound(f"no calendar named {name!r}")))
        typer.echo(json.dumps(found[0].config, ensure_ascii=False, indent=2))

    @cal_app.command("set")
    def calendars_set(
        ctx: typer.Context,
        name: str = typer.Argument(...),
        config: str = typer.Option(..., "--config", help="JSON, or @FILE holding JSON: tz, hours, holidays, country…"),
        create: bool = typer.Option(False, "--create", help="Add a new calendar."),
    ) -> None:
        """Replace a calendar's configuration, validated first (supervisors only; audited)."""
        from store.sla.policy_admin import set_calendar

        try:
            raw = Path(config[1:]).read_text(encoding="utf-8") if config.startswith("@") else config
            parsed = json.loads(raw)
        except (OSError, ValueError) as exc:
            _fail(t("admin.calendar.bad_json", error=str(exc)), 2)
        cal = run_as_actor(ctx, "calendars set", lambda s, at, actor: set_calendar(
            s, at, actor.id, name, parsed, create=create))
        out.print(Text(t("admin.calendar.saved", name=clean_line(cal.name))))


def register(app: typer.Typer) -> None:
    _register_agents(app)
    _register_policy(app)
    _register_calendars(app)
