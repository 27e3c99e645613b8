"""The database refuses forged history on PostgreSQL (issue 20, item 4; store/db/pg_guard.py).

Each person logs in as themselves. With plain SQL, as psql would send it, a login of each role
tries what the issue found possible: an audit row "by" a supervisor, a reply "by" another agent,
rewriting or deleting another agent's draft, closing another agent's ticket without an audit
row. All are refused by the database. The real store functions, connected as the same login,
still do everything that role does in Shiftdesk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from store.audit import audit_rows
from store.db.engine import Database, open_database
from store.db.pg_guard import drop_sql
from store.db.pg_roles import grant_sql, role_names, roles_sql
from store.defaults import ensure_defaults
from store.handover.lifecycle import acknowledge, handover_windows, open_draft, submit
from store.models import Customer, Presence, ReplyDraft, Ticket
from store.replies.drafts import delete_draft, load_draft, save_draft, send_reply
from store.sla.clocks import record_breaches
from store.sla.policy_admin import PolicyChange, set_policy
from store.team.agents import add_agent, find_agent
from store.tickets.actions import (
    Context,
    add_note,
    assign,
    claim,
    create_ticket,
    escalate,
    next_ticket,
    set_priority,
    set_status,
)
from store.tickets.presence import leave, touch

pytestmark = pytest.mark.postgres

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # 14:00 in Taipei: the morning shift is ending
LATER = T0 + timedelta(days=2)  # every first-reply and resolution clock is overdue by then
ROLES = ("agent", "lead", "supervisor")


@dataclass
class Team:
    prefix: str
    owner: Database
    ids: dict[str, int]  # agent short name -> id
    tickets: dict[str, int]  # "bob", "free", "free2", "spare" -> ticket id
    urls: dict[str, str]  # role -> URL of that role's personal login

    def login(self, role: str) -> str:
        return f"{self.prefix}_{ {'agent': 'amy', 'lead': 'lin', 'supervisor': 'chou'}[role]}"


@pytest.fixture
def team(pg_url, pg_schema) -> Iterator[Team]:
    """Grants and guard applied to this schema; logins for amy (agent), lin and ivy (leads), chou
    (supervisor); bob (agent) holds a ticket, has a draft and is present on it."""
    prefix = pg_schema.name
    admin = pg_schema.admin
    admin.execute(grant_sql(schema=prefix, prefix=prefix))
    groups = role_names(prefix)
    people = {"amy": "agent", "bob": "agent", "lin": "lead", "ivy": "lead", "chou": "supervisor",
              "boss": "supervisor"}
    logins = {name: f"{prefix}_{name}" for name in people}
    for name in ("amy", "lin", "ivy", "chou"):
        admin.execute(f"CREATE ROLE {logins[name]} LOGIN PASSWORD 'pw' IN ROLE {groups[people[name]]}")
    owner = open_database(pg_url)
    with owner.write() as s:
        ensure_defaults(s, T0)
        ids = {name: add_agent(s, T0, logins[name], role=role).id for name, role in people.items()}
        s.add(Customer(name="王小明", created_at=T0))
        s.flush()
        ctx = Context.open(s, T0)
        tickets = {key: create_ticket(ctx, subject=f"訂單 {key}", customer_id=1, priority="high").id
                   for key in ("bob", "free", "free2", "spare")}
        claim(ctx, tickets["bob"], ids["bob"])
        save_draft(s, agent_id=ids["bob"], ticket_id=tickets["bob"], body="bob 的草稿", at=T0)
        touch(s, ids["bob"], tickets["bob"], "composing", T0)
    urls = {role: make_url(pg_url).set(username=logins[name], password="pw").render_as_string(hide_password=False)
            for role, name in (("agent", "amy"), ("lead", "lin"), ("supervisor", "chou"))}
    urls["lead2"] = make_url(pg_url).set(username=logins["ivy"], password="pw").render_as_string(
        hide_password=False)
    yield Team(prefix, owner, ids, tickets, urls)
    owner.dispose()
    pg_schema.terminate_others()
    admin.execute(drop_sql(prefix))
    for name in ("amy", "lin", "ivy", "chou"):
        admin.execute(f"DROP OWNED BY {logins[name]}")
        admin.execute(f"DROP ROLE {logins[name]}")
    for role in groups.values():
        admin.execute(f"DROP OWNED BY {role}")
        admin.execute(f"DROP ROLE {role}")


def _as(team: Team, role: str) -> Database:
    return open_database(team.urls[role], migrate=False)


def _refused(db: Database, sql: str, match: str) -> None:
    with pytest.raises(ProgrammingError, match=match), db.write() as s:
        s.exec(text(sql))


@pytest.mark.parametrize("role", ROLES)
def test_forgeries_are_refused_for_every_role(team: Team, role: str) -> None:
    db = _as(team, role)
    ids, tickets = team.ids, team.tickets
    try:
        # An audit row naming a supervisor (boss, not this login) as its actor.
        _refused(db, "INSERT INTO audit (at, actor_id, entity, entity_id, action, before, after) "
                     f"VALUES (now(), {ids['boss']}, 'sla_policy', 1, 'update', '{{}}', '{{}}')",
                 "as another agent")
        # A reply "by" bob.
        _refused(db, "INSERT INTO ticket_event (ticket_id, kind, at, actor_id, public, body, data) "
                     f"VALUES ({tickets['bob']}, 'agent_reply', now(), {ids['bob']}, true, '假的回覆', '{{}}')",
                 "as another agent")
        # A reply with no author at all.
        _refused(db, "INSERT INTO ticket_event (ticket_id, kind, at, actor_id, public, body, data) "
                     f"VALUES ({tickets['free']}, 'agent_reply', now(), NULL, true, '無名', '{{}}')",
                 "with its author")
        # Bob's draft and presence: rewritten, taken over, deleted.
        _refused(db, f"UPDATE reply_draft SET body = 'rewritten' WHERE agent_id = {ids['bob']}", "their own")
        _refused(db, f"UPDATE reply_draft SET agent_id = {ids['amy']} WHERE agent_id = {ids['bob']}", "their own")
        _refused(db, f"DELETE FROM reply_draft WHERE agent_id = {ids['bob']}", "their own")
        _refused(db, "INSERT INTO reply_draft (agent_id, ticket_id, template_key, body, template_text, updated_at) "
                     f"VALUES ({ids['bob']}, {tickets['free']}, '', 'planted', '', now())", "their own")
        _refused(db, f"DELETE FROM presence WHERE agent_id = {ids['bob']}", "their own")
        # Bob's ticket closed with no audit row (an agent may not touch it at all; a lead may, but
        # not without the audit row that says so).
        _refused(db, f"UPDATE ticket SET status = 'closed', is_open = false WHERE id = {tickets['bob']}",
                 "held by another agent" if role == "agent" else "without an audit row")
        # The append-only tables stay append-only (table privileges).
        _refused(db, "UPDATE audit SET action = 'nothing'", "permission denied")
        _refused(db, "DELETE FROM ticket_event", "permission denied")
        if role == "agent":
            _refused(db, f"UPDATE ticket SET assignee_id = {ids['bob']} WHERE id = {tickets['free']}",
                     "needs the lead role")
        # An audit row with no actor is stamped with the login's agent, never left as "system".
        with db.write() as s:
            s.exec(text("INSERT INTO audit (at, actor_id, entity, entity_id, action, before, after) "
                        "VALUES (now(), NULL, 'ticket', 1, 'probe', '{}', '{}')"))
    finally:
        db.dispose()
    with team.owner.read() as s:
        probe = [row for row in audit_rows(s) if row.action == "probe"]
        assert [row.actor for row in probe] == [team.login(role)]
        assert s.get(ReplyDraft, 1).body == "bob 的草稿"
        assert s.get(Presence, ids["bob"]) is not None
        held = s.get(Ticket, tickets["bob"])
        assert (held.status, held.assignee_id) == ("open", ids["bob"])
        replies = s.exec(text("SELECT count(*) FROM ticket_event WHERE kind = 'agent_reply'")).scalar()
        assert replies == 0


def test_an_agent_login_does_an_agents_work(team: Team) -> None:
    db = _as(team, "agent")
    amy, tickets = team.ids["amy"], team.tickets
    try:
        with db.write() as s:
            ctx = Context.open(s, LATER)
            assert record_breaches(s, LATER) == 8  # first reply and resolution of all four tickets
            claim(ctx, tickets["free"], amy)
            assert save_draft(s, agent_id=amy, ticket_id=tickets["free"], body="草稿", at=LATER)
            touch(s, amy, tickets["free"], "composing", LATER)
        with db.write() as s:
            send_reply(s, LATER, agent_id=amy, ticket_id=tickets["free"], body="您好,已為您查詢。")
            ctx = Context.open(s, LATER)
            add_note(ctx, tickets["free"], amy, "內部備註")
            set_priority(ctx, tickets["free"], amy, "urgent")
            set_status(ctx, tickets["free"], amy, "pending")
            taken = next_ticket(ctx, amy)
            assert taken is not None and taken.assignee_id == amy
            escalate(ctx, taken.id, amy, "客訴")
            assign(ctx, taken.id, amy, None)  # releasing one's own ticket
            leave(s, amy)
            assert load_draft(s, amy, tickets["free"]) is None  # sending removed it
            save_draft(s, agent_id=amy, ticket_id=tickets["spare"], body="另一個", at=LATER)
            assert delete_draft(s, amy, tickets["spare"])
        # ... but not on bob's ticket, through the store either.
        with pytest.raises(ProgrammingError, match="held by another agent"), db.write() as s:
            add_note(Context.open(s, LATER), tickets["bob"], amy, "插手")
    finally:
        db.dispose()
    with team.owner.read() as s:
        kinds = s.exec(text("SELECT kind FROM ticket_event WHERE actor_id = :a ORDER BY id"), params={"a": amy}).all()
        assert [k for (k,) in kinds] == ["assigned", "status_changed", "agent_reply", "internal_note",
                                         "priority_changed", "status_changed", "assigned", "status_changed",
                                         "escalated", "assigned"]
        breaches = s.exec(text("SELECT count(*) FROM ticket_event WHERE kind = 'sla_breached'")).scalar()
        assert breaches == 8
        assert {row.actor for row in audit_rows(s) if row.entity == "ticket" and row.at == LATER} == {team.login("agent")}
    from store.rollups.rebuild import check

    with team.owner.engine.begin() as conn:
        assert check(conn).ok  # the clocks, facts and counters the agent's login wrote are a rebuild's


def test_leads_reassign_and_hand_over_as_themselves(team: Team) -> None:
    lin_db, ivy_db = _as(team, "lead"), _as(team, "lead2")
    lin, ivy, amy = team.ids["lin"], team.ids["ivy"], team.ids["amy"]
    try:
        with lin_db.write() as s:
            ctx = Context.open(s, T0)
            assign(ctx, team.tickets["bob"], lin, amy)  # between people: a lead's right
            set_status(ctx, team.tickets["bob"], lin, "on_hold")
            lead = find_agent(s, team.login("lead"))
            ending, incoming = handover_windows(s, T0)
            draft = open_draft(s, T0, lead, ending, incoming)
            submitted = submit(s, T0, draft.id, draft.content, draft.version, lead)
        with ivy_db.write() as s:
            acknowledge(s, T0, submitted.id, find_agent(s, f"{team.prefix}_ivy"), "收到")
        # A submitted handover is fixed, also for plain SQL; an acknowledgement is not re-done.
        _refused(lin_db, f"UPDATE handover SET content = '{{}}' WHERE id = {submitted.id}", "corrections are addenda")
        _refused(lin_db, f"UPDATE handover SET status = 'draft' WHERE id = {submitted.id}", "back to draft")
        _refused(lin_db, f"UPDATE handover SET acknowledged_by = {lin} WHERE id = {submitted.id}", "acknowledged once")
        _refused(lin_db, "INSERT INTO handover_addendum (handover_id, author_id, at, body) "
                         f"VALUES ({submitted.id}, {ivy}, now(), 'ivy said so')", "as another agent")
    finally:
        lin_db.dispose()
        ivy_db.dispose()
    with team.owner.read() as s:
        ticket = s.get(Ticket, team.tickets["bob"])
        assert (ticket.assignee_id, ticket.status) == (amy, "on_hold")
        events = s.exec(text("SELECT actor_id FROM ticket_event WHERE kind = 'assigned' ORDER BY id DESC LIMIT 1"))
        assert events.scalar() == lin


def test_a_supervisor_login_edits_policies_and_agents(team: Team) -> None:
    db = _as(team, "supervisor")
    chou = team.ids["chou"]
    try:
        with db.write() as s:
            set_policy(s, T0, chou, "default", PolicyChange(position=5))
            add_agent(s, T0, f"{team.prefix}_new", actor_id=chou)
        # Even a supervisor records only their own actions.
        _refused(db, "INSERT INTO ticket_event (ticket_id, kind, at, actor_id, public, body, data) "
                     f"VALUES ({team.tickets['free']}, 'internal_note', now(), {team.ids['boss']}, false, 'x', '{{}}')",
                 "as another agent")
    finally:
        db.dispose()
    with team.owner.read() as s:
        trail = [(row.actor, row.entity, row.action) for row in audit_rows(s) if row.at == T0 and row.actor_id == chou]
        assert trail == [(team.login("supervisor"), "sla_policy", "update"), (team.login("supervisor"), "agent", "create")]


def test_a_supervisor_login_changes_the_repeat_window_and_every_fact_follows(team: Team) -> None:
    """The recompute rewrites facts and rollups of every customer with no ticket action in the
    transaction: the guard must let a supervisor's audited window change through, and refuse it to
    the other roles (the store refuses them first, with a sentence)."""
    from store.errors import PermissionDenied
    from store.rollups.rebuild import change_repeat_window, check

    for role in ("agent", "lead"):
        db = _as(team, role)
        try:
            with pytest.raises(PermissionDenied), db.write() as s:
                change_repeat_window(s, T0, team.ids[{"agent": "amy", "lead": "lin"}[role]], 3 * 86400)
        finally:
            db.dispose()
    db = _as(team, "supervisor")
    try:
        with db.write() as s:
            change_repeat_window(s, T0, team.ids["chou"], 3 * 86400)
    finally:
        db.dispose()
    with team.owner.engine.connect() as conn:
        result = check(conn)  # a rebuild in place with the new window: rolled back below
        conn.rollback()
    assert result.ok and result.facts_live > 0, result.differences[:3]
    with team.owner.read() as s:
        trail = [(row.actor, row.entity) for row in audit_rows(s) if row.at == T0 and row.actor_id == team.ids["chou"]]
    assert (team.login("supervisor"), "team_setting") in trail


def test_a_login_that_is_no_agent_writes_nothing(team: Team, pg_schema) -> None:
    stranger = f"{team.prefix}_stranger"
    pg_schema.admin.execute(f"CREATE ROLE {stranger} LOGIN PASSWORD 'pw' IN ROLE {team.prefix}_agent")
    url = make_url(team.urls["agent"]).set(username=stranger).render_as_string(hide_password=False)
    db = open_database(url, migrate=False)
    try:
        _refused(db, "INSERT INTO audit (at, actor_id, entity, entity_id, action, before, after) "
                     "VALUES (now(), NULL, 'ticket', 1, 'x', '{}', '{}')", "no active Shiftdesk agent")
    finally:
        db.dispose()
        pg_schema.admin.execute(f"DROP ROLE {stranger}")


def test_an_owner_without_createrole_runs_the_grants(pg_schema) -> None:
    """README: an administrator creates the group roles once (`db grants --roles`); the owner of the
    tables, with no CREATEROLE, then runs `db grants` after every upgrade."""
    import psycopg

    admin, prefix = pg_schema.admin, f"{pg_schema.name}o"
    owner, schema = f"{prefix}_owner", f"{prefix}_s"
    admin.execute(f"CREATE ROLE {owner} LOGIN PASSWORD 'pw' NOCREATEROLE NOSUPERUSER")
    admin.execute(f"CREATE SCHEMA {schema} AUTHORIZATION {owner}")
    base = make_url(pg_schema.base_url)
    url = base.set(username=owner, password="pw").update_query_dict(
        {"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False)
    conninfo = base.set(drivername="postgresql", username=owner, password="pw").render_as_string(hide_password=False)
    try:
        open_database(url).dispose()  # the owner migrates its schema
        with psycopg.connect(conninfo, autocommit=True) as as_owner:
            with pytest.raises(psycopg.errors.RaiseException, match="may not create roles"):
                as_owner.execute(grant_sql(schema=schema, prefix=prefix))
            admin.execute(roles_sql(prefix=prefix, owner=owner))
            as_owner.execute(grant_sql(schema=schema, prefix=prefix))
            as_owner.execute(grant_sql(schema=schema, prefix=prefix))  # again after an upgrade: still fine
            as_owner.execute(f"GRANT {prefix}_agent TO {owner}")  # ADMIN OPTION lets the owner grant groups
        admin.execute(f"CREATE ROLE {prefix}_amy LOGIN PASSWORD 'pw' IN ROLE {prefix}_agent")
        db = open_database(url)
        with db.write() as s:
            ensure_defaults(s, T0)
            add_agent(s, T0, f"{prefix}_amy")
            s.add(Customer(name="c", created_at=T0))
            s.flush()
            create_ticket(Context.open(s, T0), subject="s", customer_id=1)
        db.dispose()
        amy = open_database(make_url(url).set(username=f"{prefix}_amy").render_as_string(hide_password=False),
                            migrate=False)
        with amy.write() as s:
            assert claim(Context.open(s, T0), 1, 1).assignee_id == 1
        _refused(amy, "INSERT INTO audit (at, actor_id, entity, entity_id, action, before, after) "
                      "VALUES (now(), 99, 'ticket', 1, 'x', '{}', '{}')", "as another agent")
        amy.dispose()
    finally:
        admin.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        for role in (f"{prefix}_amy", *role_names(prefix).values(), owner):
            admin.execute(f"DROP ROLE IF EXISTS {role}")


def test_as_someone_else_on_a_personal_login_is_refused_in_plain_words(team: Team) -> None:
    from typer.testing import CliRunner

    from console.cli import app

    result = CliRunner().invoke(app, ["--db", team.urls["agent"], "--as", team.login("supervisor"), "agents", "add",
                                      f"{team.prefix}_zed"], env={"SHIFTDESK_LANG": "en"})
    assert result.exit_code == 1
    amy, chou = team.login("agent"), team.login("supervisor")
    assert result.stderr.strip() == (f"you are logged in to the database as {amy}; only {chou}'s own login acts "
                                     f"as {chou} (drop --as, or connect as {chou})")
    assert "own login role" not in result.output


# -- the derived tables (sla_clock, figure_fact, customer, rollup_*) and actor-less events ------------


def _in_one_transaction(db: Database, *statements: str, match: str) -> None:
    """Run statements together and expect the commit (or a statement) to be refused."""
    with pytest.raises(ProgrammingError, match=match), db.write() as s:
        for sql in statements:
            s.exec(text(sql))


def _note(ticket_id: int, actor_id: int) -> str:
    return ("INSERT INTO ticket_event (ticket_id, kind, at, actor_id, public, body, data) "
            f"VALUES ({ticket_id}, 'internal_note', now(), {actor_id}, false, '合法的備註', '{{}}')")


def _derived_state(team: Team) -> tuple:
    with team.owner.read() as s:
        return tuple(s.exec(text(sql)).all() for sql in (
            "SELECT id, state, outcome, breached_at, breach_agent_id, agent_id, due_at FROM sla_clock ORDER BY id",
            "SELECT ticket_id, kind, at, agent, value, flag FROM figure_fact ORDER BY id",
            "SELECT id, name, tier FROM customer ORDER BY id",
            "SELECT * FROM rollup_count ORDER BY grain, dim, bucket, key",
            "SELECT * FROM rollup_hist ORDER BY grain, dim, kind, bucket, key, bin",
            "SELECT * FROM rollup_open ORDER BY priority, status"))


@pytest.mark.parametrize("role", ROLES)
def test_derived_rows_change_only_through_an_action(team: Team, role: str) -> None:
    """Clock outcomes, report facts and counters, customers: plain SQL rewriting them is refused, also
    when the same transaction legitimately writes an event on another ticket."""
    db = _as(team, role)
    ids, bob, free = team.ids, team.tickets["bob"], team.tickets["free"]
    me = ids[{"agent": "amy", "lead": "lin", "supervisor": "chou"}[role]]
    before = _derived_state(team)
    try:
        _refused(db, f"UPDATE sla_clock SET outcome = 'met', state = 'stopped' WHERE ticket_id = {bob}",
                 "SLA clocks of ticket")
        _refused(db, f"UPDATE sla_clock SET due_at = due_at + interval '30 days' WHERE ticket_id = {free}",
                 "SLA clocks of ticket")
        _refused(db, "UPDATE rollup_count SET received = 0", "report counters")
        _refused(db, "UPDATE rollup_open SET n = n + 100", "report counters")
        _refused(db, "INSERT INTO rollup_hist (grain, dim, kind, bucket, key, bin, n) VALUES (0, 0, 0, 0, '', 0, 5)",
                 "report counters")
        _refused(db, f"DELETE FROM figure_fact WHERE ticket_id = {bob}", "report facts")
        _refused(db, "INSERT INTO figure_fact (ticket_id, kind, at, value, flag, bin) "
                     f"SELECT ticket_id, kind, at, value, flag, bin FROM figure_fact WHERE ticket_id = {bob}",
                 "report facts")
        _refused(db, "UPDATE customer SET tier = 'vip'", "customer #")
        _refused(db, "INSERT INTO customer (name, contact, tier, language, created_at) "
                     "VALUES ('假客戶', '', 'vip', 'zh-TW', now())", "customer #")
        # Vouchers are the guard's own: no login writes one, directly or through its function.
        _refused(db, f"INSERT INTO sd_vouch VALUES (txid_current(), 't', {bob})", "permission denied")
        _refused(db, f"SELECT sd_vouch_for('t', {bob})", "permission denied")
        # A legitimate note on the free ticket vouches for that ticket only, not for bob's clocks.
        _in_one_transaction(db, _note(free, me),
                            f"UPDATE sla_clock SET outcome = 'met' WHERE ticket_id = {bob}", match="SLA clocks of ticket")
        # A breach "from the sweep" on a clock that did not breach, or blaming someone else, or none at all.
        breach = ("INSERT INTO ticket_event (ticket_id, kind, at, actor_id, public, body, data) "
                  f"SELECT ticket_id, 'sla_breached', due_at, NULL, false, '', '{{\"metric\": \"first_reply\"}}' "
                  f"FROM sla_clock WHERE ticket_id = {bob} AND metric = 'first_reply'")
        _in_one_transaction(db, breach, f"UPDATE sla_clock SET outcome = 'met' WHERE ticket_id = {bob}",
                            match="SLA clocks of ticket|matches no clock breached")
        _in_one_transaction(db, breach, "UPDATE sla_clock SET outcome = 'breached', breached_at = due_at, "
                            f"ended_at = due_at, breach_agent_id = {ids['amy']}, agent_id = {ids['amy']} "
                            f"WHERE ticket_id = {bob} AND metric = 'first_reply'", match="SLA clocks of ticket")
        _in_one_transaction(db, breach, match="matches no clock breached")
        # An event with no actor is the system's own: the sweep's breaches, an import's customer events.
        for kind in ("status_changed", "priority_changed", "assigned", "tier_changed"):
            if role == "supervisor" and kind == "status_changed":
                continue
            _refused(db, "INSERT INTO ticket_event (ticket_id, kind, at, actor_id, public, body, data) "
                         f"VALUES ({free}, '{kind}', now(), NULL, false, '', '{{}}')", "without an actor")
        if role != "supervisor":
            _refused(db, "INSERT INTO ticket_event (ticket_id, kind, at, actor_id, public, body, data) "
                         f"VALUES ({free}, 'customer_message', now(), NULL, true, '假客人', '{{}}')",
                     "without an actor")
    finally:
        db.dispose()
    assert _derived_state(team) == before


@pytest.mark.parametrize("role", ROLES)
def test_a_recorded_breach_is_final(team: Team, role: str) -> None:
    with team.owner.write() as s:
        assert record_breaches(s, LATER) == 8
    db = _as(team, role)
    me = team.ids[{"agent": "amy", "lead": "lin", "supervisor": "chou"}[role]]
    free = team.tickets["free"]
    try:
        _in_one_transaction(db, _note(free, me), "UPDATE sla_clock SET outcome = 'met', breached_at = NULL "
                            f"WHERE ticket_id = {free}", match="recorded and final")
        _refused(db, "INSERT INTO ticket_event (ticket_id, kind, at, actor_id, public, body, data) "
                     f"SELECT ticket_id, 'sla_breached', due_at, NULL, false, '', '{{\"metric\": \"first_reply\"}}' "
                     f"FROM sla_clock WHERE ticket_id = {free} AND metric = 'first_reply'", "or repeats one")
    finally:
        db.dispose()


def test_an_agent_login_sweeps_breaches_of_others_tickets_and_counts_stay_true(team: Team) -> None:
    """The breach sweep of any console covers tickets other agents hold; afterwards the counters equal
    a rebuild from history, and the owner's rebuild still runs."""
    from store.rollups.rebuild import check, rebuild

    db = _as(team, "agent")
    try:
        with db.write() as s:
            assert record_breaches(s, LATER) == 8
    finally:
        db.dispose()
    with team.owner.read() as s:
        held = s.exec(text("SELECT outcome, breach_agent_id FROM sla_clock WHERE ticket_id = :t ORDER BY id"),
                      params={"t": team.tickets["bob"]}).all()
        assert [tuple(r) for r in held] == [("breached", team.ids["bob"])] * 2
    with team.owner.engine.begin() as conn:
        assert check(conn).ok
        rebuild(conn)
        assert check(conn).ok


def test_a_supervisor_login_imports_customers_messages_statuses_and_surveys(team: Team, tmp_path) -> None:
    """An import by a supervisor's own login records the customer's side with no actor (SYSTEM_KINDS),
    creates customers and tickets, and leaves the counters equal to a rebuild."""
    import json
    from pathlib import Path

    from store.intake.formats.generic import Options
    from store.intake.parse import parse_path
    from store.intake.rules import load_rules
    from store.intake.writer import import_parsed
    from store.rollups.rebuild import check

    at = T0 - timedelta(hours=3)
    records = [
        {"type": "ticket", "external_id": "IMP-1", "created_at": at.isoformat(), "subject": "匯入的工單",
         "customer": {"name": "林小姐", "contact": "lin@example.com", "tier": "gold"}},
        {"type": "message", "external_id": "IMP-1", "at": (at + timedelta(minutes=5)).isoformat(), "body": "還在嗎?"},
        {"type": "status", "external_id": "IMP-1", "at": (at + timedelta(minutes=9)).isoformat(), "status": "solved"},
        {"type": "survey", "external_id": "IMP-1", "at": (at + timedelta(minutes=20)).isoformat(), "kind": "csat",
         "score": 4},
        {"type": "ticket", "external_id": "IMP-2", "created_at": at.isoformat(), "subject": "第二張",
         "customer": {"name": "王小明"}},
    ]
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    db = _as(team, "supervisor")
    try:
        parsed = parse_path(path, opts=Options(zone=None, now=T0))
        tally = import_parsed(db, parsed, rules=load_rules(Path("/nonexistent/rules.toml")), now=T0).tally
        assert (tally.created, tally.messages, tally.statuses, tally.surveys) == (2, 1, 1, 1)
    finally:
        db.dispose()
    with team.owner.read() as s:
        kinds = s.exec(text("SELECT kind FROM ticket_event e JOIN ticket t ON t.id = e.ticket_id "
                            "WHERE t.external_id = 'IMP-1' AND e.actor_id IS NULL ORDER BY e.id")).all()
        assert {k for (k,) in kinds} <= {"created", "customer_message", "status_changed", "survey"}
        assert s.exec(text("SELECT tier FROM customer WHERE contact = 'lin@example.com'")).scalar() == "gold"
    with team.owner.engine.begin() as conn:
        assert check(conn).ok


def test_a_supervisor_changes_a_customers_tier(team: Team) -> None:
    from store.tickets.actions import set_customer_tier

    db = _as(team, "supervisor")
    try:
        with db.write() as s:
            assert set_customer_tier(Context.open(s, T0), 1, "gold", team.ids["chou"]) == 4
    finally:
        db.dispose()
    with team.owner.read() as s:
        assert s.get(Customer, 1).tier == "gold"
