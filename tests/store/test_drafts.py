"""store.replies.drafts: one draft per agent and ticket, and a send that does everything or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select
from support.composer_seed import NOW, seed

from store.errors import HeldByOther, StaleVersion
from store.models import ReplyDraft, SlaClock, TemplateUsage, Ticket, TicketEvent
from store.replies.drafts import delete_draft, load_draft, save_draft, send_reply, ticket_language
from store.replies.library import usage_counts


@pytest.fixture
def desk(backend_db):
    return backend_db, seed(backend_db)


def _clock(db, ticket_id: int, metric: str) -> SlaClock:
    with db.read() as s:
        return s.exec(select(SlaClock).where(SlaClock.ticket_id == ticket_id, SlaClock.metric == metric)
                      .order_by(SlaClock.id.desc())).first()


def test_save_replaces_and_load_returns_the_latest(desk) -> None:
    db, d = desk
    with db.write() as s:
        assert save_draft(s, agent_id=d.amy, ticket_id=d.order, body="first", at=NOW)
    with db.write() as s:
        save_draft(s, agent_id=d.amy, ticket_id=d.order, body="second", template_key="order-delay.zh",
                   template_text="tmpl", at=NOW + timedelta(seconds=2))
    with db.write() as s:
        save_draft(s, agent_id=d.ben, ticket_id=d.order, body="ben's own", at=NOW)
    with db.read() as s:
        mine = load_draft(s, d.amy, d.order)
        assert mine is not None
        assert (mine.body, mine.template_key, mine.template_text) == ("second", "order-delay.zh", "tmpl")
        assert mine.updated_at == NOW + timedelta(seconds=2)
        assert load_draft(s, d.ben, d.order).body == "ben's own"
        assert load_draft(s, d.amy, d.english) is None
        assert len(s.exec(select(ReplyDraft)).all()) == 2


def test_an_empty_draft_without_template_is_removed(desk) -> None:
    db, d = desk
    with db.write() as s:
        save_draft(s, agent_id=d.amy, ticket_id=d.order, body="x", at=NOW)
    with db.write() as s:
        assert not save_draft(s, agent_id=d.amy, ticket_id=d.order, body="  \n", at=NOW)
    with db.read() as s:
        assert load_draft(s, d.amy, d.order) is None
    with db.write() as s:
        assert not delete_draft(s, d.amy, d.order)


def test_naive_time_is_refused(desk) -> None:
    db, d = desk
    with pytest.raises(ValueError), db.write() as s:
        save_draft(s, agent_id=d.amy, ticket_id=d.order, body="x", at=NOW.replace(tzinfo=None))


def test_send_stops_first_reply_records_usage_and_drops_the_draft(desk) -> None:
    db, d = desk
    with db.read() as s:
        version = s.get(Ticket, d.order).version
        assert ticket_language(s, d.english) == "en"
    with db.write() as s:
        save_draft(s, agent_id=d.amy, ticket_id=d.order, body="draft", at=NOW)
    with db.write() as s:
        sent = send_reply(s, NOW, agent_id=d.amy, ticket_id=d.order, body="您好,已為您查詢。",
                          expected_version=version, template_key="order-delay.zh")
    assert sent.stopped == (("first_reply", "met"),)
    assert (sent.status, sent.version) == ("open", version + 1)
    clock = _clock(db, d.order, "first_reply")
    assert (clock.state, clock.outcome, clock.stopped_at) == ("stopped", "met", NOW)
    with db.read() as s:
        assert load_draft(s, d.amy, d.order) is None
        event = s.get(TicketEvent, sent.event_id)
        assert (event.kind, event.public, event.actor_id, event.body) == ("agent_reply", True, d.amy,
                                                                         "您好,已為您查詢。")
        assert usage_counts(s) == {"order-delay.zh": (1, {d.amy: 1})}
        assert s.get(Ticket, d.order).first_reply_at == NOW


def test_send_and_solve_or_pending(desk) -> None:
    db, d = desk
    with db.write() as s:
        sent = send_reply(s, NOW, agent_id=d.amy, ticket_id=d.answered, body="done", set_status="solved")
    assert sent.status == "solved"
    assert sent.stopped == (("next_reply", "met"),)
    with db.write() as s:
        assert send_reply(s, NOW, agent_id=d.amy, ticket_id=d.english, body="?", set_status="pending").status \
            == "pending"
    with pytest.raises(ValueError), db.write() as s:
        send_reply(s, NOW, agent_id=d.amy, ticket_id=d.order, body="x", set_status="closed")


def _draft_kept_and_replies(db, d) -> list[str]:
    """After a refused send: Amy's draft is still there, no template use was counted; the replies."""
    with db.read() as s:
        assert load_draft(s, d.amy, d.order).body == "mine"
        assert s.exec(select(TemplateUsage)).all() == []
        replies = s.exec(select(TicketEvent).where(TicketEvent.ticket_id == d.order,
                                                   TicketEvent.kind == "agent_reply")).all()
    return [r.body for r in replies]


def test_stale_send_writes_nothing_and_keeps_the_draft(desk) -> None:
    """The agent's other console answered first: the send made from the older view is refused."""
    db, d = desk
    with db.write() as s:
        send_reply(s, NOW, agent_id=d.amy, ticket_id=d.order, body="first, from the other console")
    with db.read() as s:
        version = s.get(Ticket, d.order).version
    with db.write() as s:
        send_reply(s, NOW, agent_id=d.amy, ticket_id=d.order, body="and again, from the other console")
    with db.write() as s:
        save_draft(s, agent_id=d.amy, ticket_id=d.order, body="mine", at=NOW)
    with pytest.raises(StaleVersion), db.write() as s:
        send_reply(s, NOW, agent_id=d.amy, ticket_id=d.order, body="mine", expected_version=version,
                   template_key="order-delay.zh")
    assert _draft_kept_and_replies(db, d) == ["first, from the other console", "and again, from the other console"]


def test_a_send_after_a_colleague_answered_and_took_the_ticket_is_refused(desk) -> None:
    """Ben's reply claimed the free ticket for him, so Amy's is refused (held by another) and her
    draft is kept."""
    db, d = desk
    with db.read() as s:
        version = s.get(Ticket, d.order).version
    with db.write() as s:
        save_draft(s, agent_id=d.amy, ticket_id=d.order, body="mine", at=NOW)
    with db.write() as s:
        send_reply(s, NOW, agent_id=d.ben, ticket_id=d.order, body="ben was faster")
    with pytest.raises(HeldByOther), db.write() as s:
        send_reply(s, NOW, agent_id=d.amy, ticket_id=d.order, body="mine", expected_version=version,
                   template_key="order-delay.zh")
    assert _draft_kept_and_replies(db, d) == ["ben was faster"]


def test_late_first_reply_is_breached(desk) -> None:
    db, d = desk
    late = NOW + timedelta(hours=3)  # high priority: two hours
    with db.write() as s:
        sent = send_reply(s, late, agent_id=d.amy, ticket_id=d.order, body="sorry")
    assert sent.stopped == (("first_reply", "breached"),)
