"""Roles on both databases: agents work tickets, leads also reassign, supervisors also edit
policies, calendars and agents. A refusal names the role needed, and every change is audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from store.audit import audit_for_ticket, audit_rows
from store.defaults import ensure_defaults
from store.errors import PermissionDenied
from store.models import Customer, SlaPolicy
from store.sla.policy_admin import (
    PolicyChange,
    get_policy,
    list_calendars,
    set_calendar,
    set_policy,
)
from store.team.agents import add_agent, set_active, set_role
from store.tickets.actions import Context, assign, claim, create_ticket, set_priority

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def team(backend_db):
    db = backend_db
    with db.write() as s:
        ensure_defaults(s, T0)
        ids = {name: add_agent(s, T0, name, role=role).id
               for name, role in (("boss", "supervisor"), ("lin", "lead"), ("amy", "agent"), ("ben", "agent"))}
        s.add(Customer(name="王小明", created_at=T0))
        s.flush()
        ids["ticket"] = create_ticket(Context.open(s, T0), subject="訂單延遲", customer_id=1).id
    return db, ids


def test_an_agent_is_refused_editing_a_policy_and_told_which_role(team):
    db, ids = team
    with pytest.raises(PermissionDenied, match="needs the supervisor role; you are agent"), db.write() as s:
        set_policy(s, T0, ids["amy"], "default", PolicyChange(targets={"high": {"first_reply": 60}}))
    with pytest.raises(PermissionDenied, match="supervisor"), db.write() as s:
        set_policy(s, T0, ids["lin"], "default", PolicyChange(position=1))
    with db.read() as s:
        assert get_policy(s, "default").targets["high"]["first_reply"] == 120  # untouched
        assert audit_rows(s, entity="sla_policy") == []


def test_a_supervisor_edits_a_policy_validated_and_audited(team):
    db, ids = team
    with db.write() as s:
        view = set_policy(s, T0, ids["boss"], "default", PolicyChange(
            targets={"high": {"first_reply": 60}, "low": {"next_reply": "off"}}, calendar="taipei-office",
            warn_share=0.2))
    assert view.targets["high"]["first_reply"] == 60 and "next_reply" not in view.targets["low"]
    assert view.calendar == "taipei-office"
    with db.read() as s:
        (row,) = audit_rows(s, entity="sla_policy")
    assert row.actor == "boss" and row.action == "update"
    assert row.before["calendar"] == "24x7" and row.after["calendar"] == "taipei-office"
    assert row.after["targets"]["high"]["first_reply"] == 60 and row.before["targets"]["high"]["first_reply"] == 120
    assert set(row.after) == {"targets", "calendar", "warn_share"}  # only what changed
    for bad in (PolicyChange(targets={"high": {"first_reply": 0}}), PolicyChange(targets={"asap": {"first_reply": 5}}),
                PolicyChange(tiers=("bronze",)), PolicyChange(warn_share=1.5), PolicyChange(calendar="nope"),
                PolicyChange(pause_statuses=("solved",))):
        with pytest.raises(Exception) as caught, db.write() as s:
            set_policy(s, T0, ids["boss"], "default", bad)
        assert not isinstance(caught.value, PermissionDenied)
    with db.write() as s:  # a new ticket now gets the new target on office hours
        set_policy(s, T0, ids["boss"], "fast-chat", PolicyChange(channels=("chat",), position=5,
                                                                 targets={"normal": {"first_reply": 10}}), create=True)
        assert [p.name for p in s.exec(select(SlaPolicy).order_by(SlaPolicy.position))][:2] == ["fast-chat", "vip"]


def test_calendars_are_supervisors_and_validated(team):
    db, ids = team
    config = {"tz": "Asia/Taipei", "hours": {"mon": [["09:00", "18:00"]]}, "holidays": ["2026-01-01"]}
    with pytest.raises(PermissionDenied, match="supervisor"), db.write() as s:
        set_calendar(s, T0, ids["lin"], "weekday", config, create=True)
    with pytest.raises(ValueError), db.write() as s:
        set_calendar(s, T0, ids["boss"], "weekday", {"tz": "Mars/Olympus", "hours": {}}, create=True)
    with db.write() as s:
        set_calendar(s, T0, ids["boss"], "weekday", config, create=True)
    with db.read() as s:
        cal = next(c for c in list_calendars(s) if c.name == "weekday")
        assert cal.config["tz"] == "Asia/Taipei" and cal.config["holidays"] == ["2026-01-01"]
        assert [r.action for r in audit_rows(s, entity="calendar")] == ["create"]


def test_leads_reassign_agents_only_take_or_release_their_own(team):
    db, ids = team
    tid = ids["ticket"]
    with db.write() as s:
        assign(Context.open(s, T0), tid, ids["amy"], ids["amy"])  # taking a free ticket
    with pytest.raises(PermissionDenied, match="reassign needs the lead role; you are agent"), db.write() as s:
        assign(Context.open(s, T0), tid, ids["ben"], ids["ben"])  # taking amy's
    with pytest.raises(PermissionDenied, match="lead"), db.write() as s:
        assign(Context.open(s, T0), tid, ids["amy"], ids["ben"])  # handing it on
    with db.write() as s:
        assign(Context.open(s, T0), tid, ids["lin"], ids["ben"])  # a lead may
    with db.write() as s:
        assign(Context.open(s, T0), tid, ids["ben"], None)  # releasing one's own
    with db.read() as s:
        trail = audit_for_ticket(s, tid)
    assert [(r.actor, r.action) for r in trail] == [
        ("system", "create"), ("amy", "assign"), ("lin", "assign"), ("ben", "assign")]
    assert trail[-1].before == {"assignee_id": ids["ben"]} and trail[-1].after == {"assignee_id": None}


def test_role_changes_hold_for_a_console_already_open(team):
    db, ids = team
    with db.write() as s:
        set_role(s, T0, "lin", "agent", actor_id=ids["boss"])
    with pytest.raises(PermissionDenied, match="lead"), db.write() as s:  # lin's console still says lead
        assign(Context.open(s, T0), ids["ticket"], ids["lin"], ids["amy"])
    with db.write() as s:
        set_active(s, T0, "amy", False, actor_id=ids["boss"])
    with pytest.raises(PermissionDenied, match="deactivated"), db.write() as s:
        claim(Context.open(s, T0), ids["ticket"], ids["amy"])
    with db.write() as s:  # agents still edit tickets; the version check is theirs too
        set_priority(Context.open(s, T0), ids["ticket"], ids["ben"], "urgent", expected_version=1)
    with db.read() as s:
        actions = [(r.actor, r.action, r.after) for r in audit_rows(s, entity="agent")]
    assert ("boss", "role", {"role": "agent"}) in actions and ("boss", "deactivate", {"active": False}) in actions


def test_only_supervisors_manage_agents_and_one_always_remains(team):
    db, ids = team
    with pytest.raises(PermissionDenied, match="supervisor"), db.write() as s:
        set_role(s, T0, "amy", "supervisor", actor_id=ids["lin"])
    with pytest.raises(PermissionDenied, match="supervisor"), db.write() as s:
        add_agent(s, T0, "eve", actor_id=ids["amy"])
    with pytest.raises(ValueError, match="last active supervisor"), db.write() as s:
        set_role(s, T0, "boss", "lead", actor_id=ids["boss"])
    with pytest.raises(ValueError, match="yourself"), db.write() as s:
        set_active(s, T0, "boss", False, actor_id=ids["boss"])
    with db.write() as s:
        set_role(s, T0, "lin", "supervisor", actor_id=ids["boss"])
        set_role(s, T0, "boss", "lead", actor_id=ids["boss"])  # now someone else can undo it


def test_an_agent_changes_only_their_own_or_unassigned_tickets(team):
    """The store refuses an agent's status, priority, note, escalation and reply on a ticket another
    agent holds, in one sentence on both backends, and writes nothing; a lead may."""
    from store.errors import HeldByOther
    from store.models import Ticket, TicketEvent
    from store.replies.drafts import send_reply
    from store.tickets.commands import Escalate, Note, SetPriority, SetStatus, run

    db, ids = team
    tid = ids["ticket"]
    with db.write() as s:
        claim(Context.open(s, T0), tid, ids["ben"])
    sentence = f"ticket #{tid} is held by ben; an agent changes only their own or unassigned tickets"
    for command in (SetStatus("pending"), SetPriority("urgent"), Note("插手"), Escalate("客訴")):
        with pytest.raises(HeldByOther) as refused, db.write() as s:
            run(s, T0, command, tid, ids["amy"])
        assert str(refused.value) == sentence
    with pytest.raises(HeldByOther, match=sentence), db.write() as s:
        send_reply(s, T0, agent_id=ids["amy"], ticket_id=tid, body="您好")
    with db.read() as s:
        ticket = s.get(Ticket, tid)
        assert (ticket.status, ticket.priority, ticket.escalated) == ("open", "normal", False)
        kinds = [e.kind for e in s.exec(select(TicketEvent).where(TicketEvent.ticket_id == tid))]
        assert kinds == ["created", "assigned", "status_changed"]
    with db.write() as s:  # ben himself, and a lead, may
        run(s, T0, SetStatus("pending"), tid, ids["ben"])
        run(s, T0, Note("組長備註"), tid, ids["lin"])
    with db.read() as s:
        assert s.get(Ticket, tid).status == "pending"
