"""The queue's filter on both databases: the open tickets' text index (migration 0011) finds
subject, first message, customer name and contact and the ticket number, Latin and CJK terms of
any length, follows every change to a ticket or customer, and answers count, window and
position in one round that agrees with the separate statements."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

import console.sanitize as clean
from store.db.reader import reader_for
from store.defaults import ensure_defaults
from store.models import Agent, Customer, Ticket
from store.tickets import queue
from store.tickets.actions import Context, create_ticket, set_status
from store.tickets.queue import QueueQuery

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def shop(backend_db):
    """Five open tickets and a solved one, in Traditional Chinese and English."""
    db = backend_db
    with db.write() as s:
        ensure_defaults(s, T0)
        s.add_all([Agent(name="amy", created_at=T0),
                   Customer(name="林美玲", contact="mei@example.com", created_at=T0),
                   Customer(name="Ben Carter", contact="+886 912 345 678", created_at=T0)])
        s.flush()
        ctx = Context.open(s, T0)
        made = {
            "refund": create_ticket(ctx, subject="退款申請", customer_id=1, body="訂單 A123 尚未收到退款"),
            "login": create_ticket(ctx, subject="Cannot LOGIN", customer_id=2, body="Password reset mail never came"),
            "ship": create_ticket(ctx, subject="出貨延遲", customer_id=1, body="包裹卡在海關", priority="high"),
            "quote": create_ticket(ctx, subject='He said "100% sure"', customer_id=2),
            "under": create_ticket(ctx, subject="snake_case names", customer_id=2),
            "closed": create_ticket(ctx, subject="退款已完成", customer_id=1, body="退款"),
        }
        ids = {k: v.id for k, v in made.items()}
        set_status(ctx, ids["closed"], None, "solved")
    reader = reader_for(db)
    yield db, reader, ids
    reader.close()


def found(reader, text: str, **query) -> set[int]:
    with reader.read() as conn:
        return set(queue.window_ids(QueueQuery(text=text, **query), 0, 100, conn=conn, now=T0))


def test_each_field_finds_its_ticket_and_closed_ones_never(shop):
    _db, reader, t = shop
    assert found(reader, "退款") == {t["refund"]}  # subject and body; the solved one is left out
    assert found(reader, "A123") == {t["refund"]}  # the first message
    assert found(reader, "海關") == {t["ship"]}
    assert found(reader, "login") == {t["login"]}  # case folded
    assert found(reader, "reset mail") == {t["login"]}
    assert found(reader, "林美玲") == {t["refund"], t["ship"]}  # customer name
    assert found(reader, "carter") == {t["login"], t["quote"], t["under"]}
    assert found(reader, "mei@example") == {t["refund"], t["ship"]}  # contact
    assert found(reader, "912 345") == {t["login"], t["quote"], t["under"]}
    assert found(reader, f"#{t['ship']}") == {t["ship"]}  # the number
    assert found(reader, f"#{t['closed']}") == set()  # a closed ticket's number is not in an open view


def test_cjk_terms_of_one_and_two_characters(shop):
    _db, reader, t = shop
    assert found(reader, "退") == {t["refund"]}
    assert found(reader, "出貨") == {t["ship"]}
    assert found(reader, "林") == {t["refund"], t["ship"]}
    assert found(reader, "美玲") == {t["refund"], t["ship"]}
    assert found(reader, "貨延遲") == {t["ship"]}


def test_short_latin_terms_and_literal_wildcards_and_quotes(shop):
    _db, reader, t = shop
    assert found(reader, "ca") == {t["login"], t["quote"], t["under"]}  # "Cannot", "Carter", "snake_case"
    assert found(reader, "%") == {t["quote"]}
    assert found(reader, "_") == {t["under"]}
    assert found(reader, "e_c") == {t["under"]}
    assert found(reader, '"100%') == {t["quote"]}
    assert found(reader, "100% sure") == {t["quote"]}
    assert found(reader, "%%") == set()
    assert found(reader, "zzz") == set()


def test_the_view_still_applies(shop):
    _db, reader, t = shop
    assert found(reader, "林美玲", view="channel:email") == {t["refund"], t["ship"]}
    assert found(reader, "林美玲", view="channel:chat") == set()
    assert found(reader, "林美玲", view="mine", agent_id=1) == set()


def test_the_index_follows_closing_reopening_and_renames(shop):
    db, reader, t = shop
    with db.write() as s:
        ctx = Context.open(s, T0)
        set_status(ctx, t["refund"], None, "solved")
        set_status(ctx, t["closed"], None, "open")  # reopened: searchable again
    assert found(reader, "退款") == {t["closed"]}
    with db.write() as s:
        customer = s.exec(select(Customer).where(Customer.id == 1)).one()
        customer.name, customer.contact = "林小姐", "lin@example.org"
        s.add(customer)
        ticket = s.exec(select(Ticket).where(Ticket.id == t["ship"])).one()
        ticket.subject = "物流查詢"
        s.add(ticket)
    assert found(reader, "林美玲") == set()
    assert found(reader, "林小姐") == {t["ship"], t["closed"]}
    assert found(reader, "lin@example.org") == {t["ship"], t["closed"]}
    assert found(reader, "出貨") == set()
    assert found(reader, "物流") == {t["ship"]}
    assert found(reader, "海關") == {t["ship"]}  # the first message stays with the new subject


def test_one_round_page_agrees_with_count_window_and_position(shop):
    _db, reader, t = shop
    for text in ("carter", "林", "e", "zzz"):
        for sort in queue.SORTS:
            q = QueueQuery(text=text, sort=sort)
            with reader.read() as conn:
                everything = queue.window_ids(q, 0, 100, conn=conn, now=T0)
                assert queue.count(q, conn=conn, now=T0) == len(everything)
                for index, ticket_id in enumerate(everything):
                    assert queue.position(q, ticket_id, conn=conn, now=T0) == index
                    got = queue.page(q, anchor=ticket_id, fallback=0, reach=1, block=1, conn=conn, now=T0,
                                     clean=clean)
                    assert (got.total, got.cursor, got.found) == (len(everything), index, True)
                    assert [r.id for r in got.rows] == everything[got.start:got.start + len(got.rows)]
                    assert got.start <= index < got.start + len(got.rows)
                missing = queue.page(q, anchor=t["closed"], fallback=1, reach=10, block=2, conn=conn, now=T0,
                                     clean=clean)
            assert missing.found is False and missing.total == len(everything)
            assert missing.cursor == min(1, max(0, len(everything) - 1))
            assert [r.id for r in missing.rows] == everything[:len(missing.rows)]


def test_filtered_reads_never_walk_the_whole_queue(tmp_path):
    """On SQLite the filter starts from the text index: no scan of the ticket table or its order
    indexes, for long and for short terms."""
    from store.db.engine import open_database
    from store.db.reader import SqliteReader

    db = open_database(tmp_path / "plan.db")
    reader = SqliteReader(db.sqlite_path)
    with reader.read() as conn:
        for text in ("退款申請", "退", "#12"):
            where, params = queue._where(QueueQuery(text=text), T0, "sqlite")
            plan = " ".join(str(step[-1]) for step in conn.all(
                f"EXPLAIN QUERY PLAN SELECT t.id FROM ticket t {queue._hint(QueueQuery(text=text), 'sqlite')} "
                f"WHERE {where} ORDER BY t.priority_rank", params))
            assert "SCAN t " not in plan + " " and "ix_ticket_" not in plan, (text, plan)
            assert "INTEGER PRIMARY KEY" in plan, (text, plan)
    reader.close()
    db.dispose()


WORDS = ["退款", "退", "Login", "海關", "ab", "%", "x_y", "林美玲", "mail"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(subjects=st.lists(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3).map(" ".join),
                         min_size=1, max_size=8),
       term=st.sampled_from([*WORDS, "gin", "退 L", "l"]))
def test_filter_is_a_case_folded_substring_match_over_open_tickets(tmp_path_factory, subjects, term):
    """Against Python's own substring test (ASCII case folded, as SQLite's LIKE and the trigram
    index both fold it), on SQLite, for terms shorter and longer than a trigram."""
    from store.db.engine import open_database

    db = open_database(tmp_path_factory.mktemp("prop") / "p.db")
    with db.write() as s:
        ensure_defaults(s, T0)
        s.add(Customer(name="-", created_at=T0))
        s.flush()
        ctx = Context.open(s, T0)
        ids = [create_ticket(ctx, subject=subject, customer_id=1).id for subject in subjects]
        set_status(ctx, ids[0], None, "closed")
    want = {i for i, subject in zip(ids[1:], subjects[1:], strict=True) if term.lower() in subject.lower()}
    reader = reader_for(db)
    try:
        assert found(reader, term) == want
    finally:
        reader.close()
        db.dispose()
