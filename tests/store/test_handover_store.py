"""Handover store: drafting matches the database, version-checked saves, submit, addenda, ack, search."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, select
from support.handover_seed import END_OF_MORNING, seed, tpe

from store.errors import PermissionDenied
from store.handover.draft import WAITING_ON_US, WORK_KINDS
from store.handover.lifecycle import (
    HandoverConflict,
    HandoverStateError,
    acknowledge,
    add_addendum,
    awaiting_acknowledgement,
    find_handover,
    handover_windows,
    keep_refused,
    list_handovers,
    open_draft,
    save_draft,
    submit,
)
from store.models import VIP_TIERS, Audit, Customer, Handover, SlaClock, Ticket, TicketEvent
from store.team.agents import find_agent


@pytest.fixture
def seeded(db_url):
    """The seeded day on SQLite and on PostgreSQL (when SHIFTDESK_TEST_PG_URL is set)."""
    db, ids = seed(db_url)
    yield db, ids
    db.dispose()


def draft(db, who="lead.lin", at=END_OF_MORNING):
    with db.write() as s:
        lead = find_agent(s, who)
        ending, incoming = handover_windows(s, at)
        return open_draft(s, at, lead, ending, incoming), lead


def test_windows_at_end_of_morning_and_in_grace(seeded) -> None:
    db, _ = seeded
    with db.read() as s:
        ending, incoming = handover_windows(s, END_OF_MORNING)
        assert (ending.name, incoming.name, str(ending.local_date)) == ("早班", "晚班", "2024-01-15")
        # 15:10: the morning handover is not submitted yet, so it is still the one to write.
        ending, incoming = handover_windows(s, tpe(2024, 1, 15, 15, 10))
        assert (ending.name, incoming.name) == ("早班", "晚班")
        ending, _ = handover_windows(s, tpe(2024, 1, 15, 15, 40))
        assert ending.name == "晚班"


def test_draft_lists_match_the_database(seeded) -> None:
    db, ids = seeded
    view, _ = draft(db)
    c = view.content
    with db.read() as s:
        ending, _ = handover_windows(s, END_OF_MORNING)
        events = s.exec(select(TicketEvent)).all()
        tickets = {t.id: t for t in s.exec(select(Ticket)).all()}
        tiers = {c.id: c.tier for c in s.exec(select(Customer)).all()}
        clocks = s.exec(select(SlaClock)).all()
    in_window = [e for e in events if ending.start <= e.at < ending.end]
    worked = {e.ticket_id for e in in_window if e.kind in WORK_KINDS and e.actor_id is not None}
    order = lambda t: (t.priority_rank, t.due_key, t.id)  # noqa: E731
    expect_pending = sorted((t for t in tickets.values() if t.is_open and t.status in WAITING_ON_US
                             and t.id not in worked), key=order)
    assert [i.ticket_id for i in c.pending] == [t.id for t in expect_pending] == [ids["t1"], ids["t3"], ids["t7"]]
    expect_progress = sorted((t for t in tickets.values() if t.is_open and t.id in worked), key=order)
    assert [i.ticket_id for i in c.in_progress] == [t.id for t in expect_progress]
    escalated = {e.ticket_id for e in in_window if e.kind == "escalated"}
    breached = {k.ticket_id for k in clocks if k.due_at and ending.start <= k.due_at < END_OF_MORNING
                and k.outcome in (None, "breached") and k.state in ("running", "stopped")}
    vip = {t.id for t in tickets.values() if t.is_open and tiers[t.customer_id] in VIP_TIERS}
    assert {i.ticket_id for i in c.special} == escalated | breached | vip == {ids["t1"], ids["t4"], ids["t5"]}
    reasons = {i.ticket_id: i.reasons for i in c.special}
    assert reasons[ids["t1"]] == ("breached",) and reasons[ids["t4"]] == ("vip",)
    assert reasons[ids["t5"]] == ("escalated",)
    note = next(i for i in c.in_progress if i.ticket_id == ids["t2"])
    assert (note.last, note.assignee, note.sla_state) == ("客戶等待報價,明早回電", "Amy", "ok")  # the display name, as the queue shows it
    assert next(i for i in c.pending if i.ticket_id == ids["t1"]).sla_state == "breached"
    summary = c.summary
    created = [t for t in tickets.values() if ending.start <= t.created_at < ending.end]
    assert summary.received == len(created) == 5
    assert (summary.replied, summary.solved) == (3, 1)
    by_metric = {a.metric: (a.met, a.breached) for a in summary.attainment}
    assert by_metric == {"first_reply": (3, 1), "next_reply": (0, 0), "resolution": (1, 1)}
    assert (summary.breaches, summary.breached_now, summary.open_now) == (2, 3, 6)


def test_second_open_returns_the_same_draft(seeded) -> None:
    db, _ = seeded
    first, _ = draft(db)
    second, _ = draft(db, "lead.wang")
    assert first.id == second.id and first.version == second.version


def test_agents_cannot_write_handovers(seeded) -> None:
    db, _ = seeded
    with pytest.raises(PermissionDenied), db.write() as s:
        ending, incoming = handover_windows(s, END_OF_MORNING)
        open_draft(s, END_OF_MORNING, find_agent(s, "amy"), ending, incoming)


def test_stale_save_is_refused_and_the_refused_text_kept(seeded) -> None:
    db, _ = seeded
    view, lin = draft(db)
    with db.write() as s:
        wang = find_agent(s, "lead.wang")
        saved = save_draft(s, END_OF_MORNING, view.id, view.content.with_text("next", "王:注意#0003"), view.version, wang)
    assert saved.version == view.version + 1 and saved.content.saved_by == "lead.wang"
    mine = view.content.with_text("next", "林:記得回電")
    with pytest.raises(HandoverConflict) as caught, db.write() as s:
        save_draft(s, END_OF_MORNING, view.id, mine, view.version, lin)
    assert caught.value.current.content.text("next") == "王:注意#0003"
    with db.write() as s:
        keep_refused(s, END_OF_MORNING, view.id, mine, lin)
    with db.read() as s:
        audit = s.exec(select(Audit).where(Audit.action == "refused_save")).one()
        assert audit.after["content"]["texts"]["next"] == "林:記得回電"
        assert find_handover(s, handover_windows(s, END_OF_MORNING)[0]).content.text("next") == "王:注意#0003"


def test_submit_fixes_then_addenda_and_acknowledgement(seeded) -> None:
    db, _ = seeded
    view, lin = draft(db)
    later = END_OF_MORNING + timedelta(minutes=5)
    with db.write() as s:
        done = submit(s, later, view.id, view.content.with_text("system", "金流商 14:00 維護"), view.version, lin)
    assert (done.status, done.author, done.submitted_at) == ("submitted", "林組長", later)
    with pytest.raises(HandoverConflict), db.write() as s:
        save_draft(s, later, view.id, view.content, done.version, lin)
    with db.write() as s:
        wang = find_agent(s, "lead.wang")
        assert awaiting_acknowledgement(s, tpe(2024, 1, 15, 15, 2), wang).id == view.id
        assert awaiting_acknowledgement(s, tpe(2024, 1, 15, 15, 2), lin) is None
        with pytest.raises(HandoverStateError, match="author"):
            acknowledge(s, later, view.id, lin)
        add_addendum(s, later, view.id, lin, "更正:#0003 已由 ben 接手")
        acked = acknowledge(s, tpe(2024, 1, 15, 15, 3), view.id, wang, "收到,謝謝")
    assert (acked.status, acked.acknowledged_by, acked.ack_reply) == ("acknowledged", "王組長", "收到,謝謝")
    assert [(a.author, a.body) for a in acked.addenda] == [("林組長", "更正:#0003 已由 ben 接手")]
    with db.write() as s:
        assert awaiting_acknowledgement(s, tpe(2024, 1, 15, 15, 4), wang) is None
        with pytest.raises(HandoverStateError, match="already acknowledged"):
            acknowledge(s, later, view.id, find_agent(s, "sup"))


def test_history_search_finds_text_ids_and_addenda(seeded) -> None:
    db, _ = seeded
    view, lin = draft(db)
    with db.write() as s:
        submit(s, END_OF_MORNING, view.id, view.content.with_text("next", "Printer DOWN 注意"), view.version, lin)
        add_addendum(s, END_OF_MORNING, view.id, lin, "補充 50%_off 活動")
    with db.read() as s:
        assert [r.id for r in list_handovers(s)] == [view.id]
        for needle in ("printer down", "注意", "#0003", "付款失敗", "50%_off", "2024/01/15 早班"[:10]):
            assert [r.id for r in list_handovers(s, search=needle)] == [view.id], needle
        assert list_handovers(s, search="100%") == []
        assert list_handovers(s, search="不存在的字") == []
    with db.read() as s:
        rows = s.exec(select(TicketEvent).where(col(TicketEvent.kind) == "escalated")).all()
        assert rows  # the seeded day has an escalation for the special list


def test_a_draft_created_meanwhile_is_returned_not_duplicated(seeded, monkeypatch) -> None:
    """Two consoles drafting at once: the unique index turns the loser's insert into a read."""
    import store.handover.lifecycle as handover

    db, _ = seeded
    first, _ = draft(db)
    real, calls = handover.find_handover, []

    def blind_once(*args, **kwargs):
        calls.append(1)
        return None if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(handover, "find_handover", blind_once)
    second, _ = draft(db, "lead.wang")
    assert second.id == first.id
    with db.read() as s:
        assert len(s.exec(select(Handover)).all()) == 1
