"""store/limits.py: the bounds every boundary checks, and the store refusing to save past them."""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store.db.engine import open_database
from store.errors import NotFound
from store.limits import (
    DISPLAY_MAX,
    LOGIN_MAX,
    MAX_ID,
    check_display,
    check_id,
    check_login,
    check_position,
    check_text,
)
from store.models import Agent, Customer
from store.sla.policy_admin import PolicyChange, set_policy
from store.team.agents import add_agent, list_agents
from store.team.shifts import ShiftConfigError, add_shift
from store.tickets.actions import Context, create_ticket, set_status

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
FORBIDDEN = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}


def test_id_bounds_are_inclusive() -> None:
    assert check_id("id", 1) == 1 and check_id("id", MAX_ID) == 2**63 - 1 and check_id("id", " 42 ") == 42
    for bad in (0, -1, 2**63, True):
        with pytest.raises(ValueError, match="id: "):
            check_id("id", bad)
    with pytest.raises(ValueError, match="not a whole number"):
        check_id("id", "12a")
    assert check_position("position", 0) == 0 and check_position("position", 2**31 - 1) == 2**31 - 1
    with pytest.raises(ValueError, match="between 0 and 2147483647"):
        check_position("position", 2**31)


@pytest.mark.parametrize("name", ["amy", "lead.lin", "a-b_c@example", "陳雅婷", "x" * LOGIN_MAX, "Root9"])
def test_login_names_that_pass(name: str) -> None:
    assert check_login("agent name", f"  {name} ") == name


@pytest.mark.parametrize("name,needle", [
    ("", "must not be empty"),
    ("ev\x1b[31mil", "U+001B"),
    ("zero\u200bwidth", "U+200B"),
    ("rtl\u202eevil", "U+202E"),
    ("tab\there", "U+0009"),
    ("two words", "only letters"),
    (".hidden", "starts with a letter"),
    ("x" * (LOGIN_MAX + 1), "at most 64"),
    ("a" + "\u0301" * 5, "combining marks"),
])
def test_login_names_that_are_refused(name: str, needle: str) -> None:
    with pytest.raises(ValueError, match="agent name") as caught:
        check_login("agent name", name)
    assert needle in str(caught.value)
    assert not any(unicodedata.category(c) in FORBIDDEN for c in str(caught.value))  # the message is inert


def test_display_names_allow_spaces_and_cjk_but_not_controls() -> None:
    assert check_display("display name", " 陳 雅婷　(Amy) ") == "陳 雅婷　(Amy)"
    assert check_display("display name", "") == ""
    with pytest.raises(ValueError, match="at most 100"):
        check_display("display name", "名" * (DISPLAY_MAX + 1))
    with pytest.raises(ValueError, match=r"U\+000A"):
        check_display("display name", "two\nlines")


@given(st.text(max_size=80))
def test_check_text_returns_only_clean_bounded_text(value: str) -> None:
    try:
        cleaned = check_text("name", value, limit=40)
    except ValueError as exc:
        assert str(exc).startswith("name: ")
        return
    assert cleaned == value.strip() and 0 < len(cleaned) <= 40
    assert not any(unicodedata.category(c) in FORBIDDEN for c in cleaned)


@pytest.fixture
def db(db_url):
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.mark.parametrize("kwargs,needle", [
    ({"name": "ev\x1bil"}, "agent name"),
    ({"name": "amy", "display_name": "x" * 300}, "display name"),
    ({"name": "amy", "team": "x" * 300}, "team"),
    ({"name": "amy", "team": "ops\u2028night"}, "team"),
])
def test_the_store_saves_no_agent_past_the_limits(db, kwargs, needle) -> None:
    """On PostgreSQL an over-long display name was a traceback from the driver; now it is a
    ValueError naming the field, before anything is written, on both databases."""
    with pytest.raises(ValueError, match=needle), db.write() as s:
        add_agent(s, T0, **kwargs)
    with db.read() as s:
        assert list_agents(s, include_inactive=True) == []


def test_positions_and_team_names_are_checked_in_the_store(db) -> None:
    with db.write() as s:
        from store.defaults import ensure_defaults

        ensure_defaults(s, T0)
        boss = add_agent(s, T0, "boss", role="supervisor")
    with pytest.raises(ValueError, match="position"), db.write() as s:
        set_policy(s, T0, boss.id, "default", PolicyChange(position=2**63))
    with pytest.raises(ShiftConfigError, match="team"), db.write() as s:
        add_shift(s, T0, "午班", "11:00", "13:00", team="t" * 65, actor_id=boss.id)
    with pytest.raises(ValueError, match="policy name"), db.write() as s:
        set_policy(s, T0, boss.id, "fast\x07", PolicyChange(position=1), create=True)


def test_a_ticket_id_no_row_can_have_is_not_found_without_a_query(db) -> None:
    """SQLite cannot bind 2**63; PostgreSQL's ids stop at 2**31 - 1: either way, no such ticket."""
    with db.write() as s:
        s.add_all([Agent(name="amy", created_at=T0), Customer(name="c", created_at=T0)])
        s.flush()
        create_ticket(Context.open(s, T0), subject="s", customer_id=1)
    for ticket_id in (0, 2**31, 2**63, 10**30):
        with pytest.raises(NotFound, match="does not exist"), db.write() as s:
            set_status(Context.open(s, T0), ticket_id, 1, "pending")
