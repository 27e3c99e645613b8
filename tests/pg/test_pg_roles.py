"""A team on PostgreSQL: each person logs in as themselves, acts as their agent, and the database
itself refuses what their role may not write (README, "Teams on PostgreSQL")."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlmodel import SQLModel

import store.models  # noqa: F401
from console.context import CliState
from console.session import LoginMismatch, acting_name
from store.db.engine import open_database
from store.db.pg_guard import drop_sql
from store.db.pg_roles import AGENT_WRITES, LEAD_WRITES, SUPERVISOR_WRITES, grant_sql, role_names
from store.defaults import ensure_defaults
from store.errors import PermissionDenied
from store.models import Customer
from store.sla.policy_admin import PolicyChange, set_policy
from store.team.agents import add_agent
from store.tickets.actions import Context, add_reply, claim, create_ticket

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_every_table_has_its_writers():
    """A new table nobody may write would break its feature for every personal login."""
    granted = set(AGENT_WRITES) | set(LEAD_WRITES) | set(SUPERVISOR_WRITES)
    assert set(SQLModel.metadata.tables) - granted == set()


def test_names_are_checked():
    with pytest.raises(ValueError):
        grant_sql(schema="public; DROP TABLE ticket")


@pytest.fixture
def team_login(pg_url, pg_schema):
    """The grants applied to this test's schema, and a login `<schema>_amy` in the agent role."""
    prefix = pg_schema.name
    login = f"{prefix}_amy"
    admin = pg_schema.admin
    admin.execute(grant_sql(schema=pg_schema.name, prefix=prefix))
    admin.execute(f"CREATE ROLE {login} LOGIN PASSWORD 'pw' IN ROLE {role_names(prefix)['agent']}")
    owner = open_database(pg_url)
    with owner.write() as s:
        ensure_defaults(s, T0)
        add_agent(s, T0, login)
        add_agent(s, T0, "boss", role="supervisor")
        s.add(Customer(name="王小明", created_at=T0))
        s.flush()
        create_ticket(Context.open(s, T0), subject="訂單延遲", customer_id=1)
    owner.dispose()
    url = make_url(pg_url).set(username=login, password="pw").render_as_string(hide_password=False)
    yield login, url
    pg_schema.terminate_others()
    admin.execute(drop_sql(prefix))
    for role in (login, *role_names(prefix).values()):
        admin.execute(f"DROP OWNED BY {role}")
        admin.execute(f"DROP ROLE {role}")


@pytest.mark.postgres
def test_a_personal_login_acts_as_its_agent_and_cannot_rewrite_history(team_login):
    login, url = team_login
    db = open_database(url)  # already migrated: no DDL is needed (or allowed)
    try:
        with db.read() as s:
            assert acting_name(s, CliState()) == login  # --as defaults to the database login
            with pytest.raises(LoginMismatch, match="logged in to the database as"):
                acting_name(s, CliState(as_agent="boss"))
        with db.write() as s:
            ctx = Context.open(s, T0)
            agent_id = claim(ctx, 1, 1).assignee_id
            add_reply(ctx, 1, agent_id, "您好,已為您查詢。")
        with pytest.raises(PermissionDenied, match="supervisor"), db.write() as s:
            set_policy(s, T0, agent_id, "default", PolicyChange(position=1))
        for statement in ("UPDATE audit SET action = 'nothing'", "DELETE FROM ticket_event",
                          "UPDATE sla_policy SET position = 1", "UPDATE agent SET role = 'supervisor'"):
            with pytest.raises(ProgrammingError, match="permission denied"), db.write() as s:
                s.exec(text(statement))
    finally:
        db.dispose()
