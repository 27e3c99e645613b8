"""Known answers for the facts behind every figure: values at the instant, breaches at their due
time, periods to the minute, the resolution rate as of the period's end, CSAT on both scales,
the repeat window, and the 1% bound of the duration sketch."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.history import NOW, WEEK, History, at, build_history

from store.db.engine import open_database
from store.defaults import ensure_defaults
from store.models import Agent, Customer
from store.reports.figures import figures, settle, split
from store.reports.scan import scan
from store.rollups.facts import customer_facts
from store.rollups.history import load
from store.rollups.metrics import HIGHS, LOWS, REPS, Figures, bin_of, exact_percentile, percentile
from store.rollups.rebuild import check
from store.tickets.actions import (
    Context,
    add_reply,
    claim,
    create_ticket,
    record_survey,
    set_priority,
)


def t(hour: int, minute: int = 0, second: int = 0, micro: int = 0) -> datetime:
    return datetime(2026, 5, 4, hour, minute, second, micro, tzinfo=UTC)


@pytest.fixture
def small(db_url: str):
    """Two agents and two customers on the default 24x7 policies (normal first reply 8 h, urgent 30 min)."""
    db = open_database(db_url)
    with db.write() as s:
        ensure_defaults(s, t(0))
        for name, role in (("amy", "agent"), ("ben", "agent"), ("lee", "lead")):
            s.add(Agent(name=name, display_name=name, role=role, created_at=t(0)))
        for name in ("c1", "c2"):
            s.add(Customer(name=name, contact=f"{name}@example.com", created_at=t(0)))
    yield db
    db.dispose()


def do(db, when: datetime, action, *args, **kwargs):
    with db.write() as s:
        return action(Context.open(s, when), *args, **kwargs)


def new(db, when: datetime, customer: int = 1, priority: str = "normal", category: str = "訂單服務/訂單狀態") -> int:
    return do(db, when, create_ticket, subject="s", customer_id=customer, priority=priority, category=category).id


def total(db, start: datetime, end: datetime, dim: str = "all") -> dict[str, Figures]:
    with db.read() as s:
        return figures(s, start, end, dim)


def test_a_retroactive_breach_counts_under_the_priority_and_holder_at_its_due_time(small):
    """Created normal at 00:00 (first reply due 08:00); amy holds it from 00:10; ben takes over at 01:00;
    raised to urgent at 02:00, its first-reply target ran out at 00:30: breached at 00:30, amy's, normal."""
    db = small
    tid = new(db, t(0))
    do(db, t(0, 10), claim, tid, 1)
    with db.write() as s:
        from store.tickets.ownership import assign

        assign(Context.open(s, t(1)), tid, 3, 2)
    do(db, t(2), set_priority, tid, 2, "urgent")
    settle(db, t(2, 1))
    prio = total(db, t(0), t(3), "priority")
    assert prio["normal"].breached("first_reply") == 1
    assert prio.get("urgent", Figures()).breached("first_reply") == 0
    agents = total(db, t(0), t(3), "agent")
    assert agents["1"].breached("first_reply") == 1 and agents.get("2", Figures()).breached("first_reply") == 0
    assert total(db, t(0, 30), t(0, 31))[""].breached("first_reply") == 1  # at its due time, to the minute
    assert total(db, t(0, 31), t(3)).get("", Figures()).breached("first_reply") == 0
    with db.engine.connect() as conn:
        tr = conn.begin()
        assert check(conn).ok
        tr.rollback()


def test_an_instant_just_before_the_hour_stays_in_that_hour_live_and_rebuilt(small):
    db = small
    tid = new(db, t(10))
    do(db, t(10, 59, 59, 999800), add_reply, tid, 1, "hi")
    assert total(db, t(10), t(11))[""].frt_n == 1
    assert total(db, t(11), t(12)).get("", Figures()).frt_n == 0
    with db.engine.connect() as conn:
        tr = conn.begin()
        result = check(conn)  # the rebuild's SQL sums whole seconds: 10:59:59.9998 is in 10:00
        tr.rollback()
    assert result.ok, result.differences[:3]


def test_resolution_rate_is_as_of_the_periods_end(db_url: str):
    h: History = build_history(db_url)
    # Received 03-02 00:00-02:00: T2, T3, T4. At 02:00 none was solved yet (T3's solve is at 02:00 itself).
    f = h.total(at(2, 0), at(2, 2))
    assert (f.received, f.received_solved, f.resolution_rate) == (3, 0, 0.0)
    with h.db.read() as s:
        f = figures(s, at(2, 0), at(2, 3, 30))[""]  # T2..T5; T3 solved 02:00 but reopened 03:00: 0 of 4
        assert (f.received, f.received_solved) == (4, 0)
        f = figures(s, at(2, 0), at(2, 4, 30))[""]  # T2 and T3 solved at 04:00: 2 of 4
        assert (f.received, f.received_solved, f.resolution_rate) == (4, 2, 0.5)
        by = figures(s, at(2, 0), at(2, 4, 30), "priority")
        assert (by["high"].received, by["high"].received_solved) == (2, 1)  # T2 solved, T5 not
    h.db.dispose()


def test_any_period_is_the_sum_of_its_parts_to_the_minute(db_url: str):
    h: History = build_history(db_url)
    cuts = [WEEK, at(1, 0, 10), at(1, 23, 30), at(2, 1, 45), at(2, 3, 7), at(2, 7, 30), at(2, 9, 15), NOW]
    with h.db.read() as s:
        for dim in ("all", "agent", "channel", "priority", "category"):
            whole = figures(s, WEEK, NOW, dim)
            summed: dict[str, Figures] = {}
            for a, b in pairwise(cuts):
                for key, f in figures(s, a, b, dim).items():
                    summed.setdefault(key, Figures()).merge(f)
            plain = scan(s, WEEK, NOW, dim).figures
            for key in set(whole) | set(summed):
                w, p = whole.get(key, Figures()), summed.get(key, Figures())
                counts = {k: v for k, v in w.counts.items() if k != "received_solved"}
                assert counts == {k: v for k, v in p.counts.items() if k != "received_solved"}, (dim, key)
                assert (w.frt_hist, w.res_hist) == (p.frt_hist, p.res_hist), (dim, key)
                assert w.counts == plain[key].counts and w.res_hist == plain[key].res_hist, (dim, key)
    h.db.dispose()


def test_split_reads_quarters_and_facts_only_at_the_edges():
    lo, hi = int(at(1, 10, 37).timestamp()), int(at(3, 2, 5).timestamp())
    pieces, fragments = split(lo, hi)
    assert fragments == [(lo, int(at(1, 10, 45).timestamp())), (int(at(3, 2).timestamp()), hi)]
    covered = sorted([(a, b) for _g, a, b in pieces] + fragments)
    assert covered[0][0] == lo and covered[-1][1] == hi
    assert all(x[1] == y[0] for x, y in pairwise(covered))


def test_csat_share_and_mean_on_both_scales(small):
    db = small
    tid = new(db, t(1))
    for score, scale in ((5, 5), (3, 5), (10, 10), (7, 10), (8, 10)):
        do(db, t(2), record_survey, tid, "csat", score, scale=scale)
    f = total(db, t(0), t(3))[""]
    # satisfied: 5 (of 1-5), 10 and 8 (of 1-10): 3 of 5; means 4.0 on 1-5 and 25/3 on 1-10.
    assert (f.csat_responses, f.csat, f.csat_mean, f.csat10_mean) == (5, 0.6, 4.0, pytest.approx(25 / 3))
    with pytest.raises(ValueError, match="1-5"):
        do(db, t(2), record_survey, tid, "csat", 7)
    with pytest.raises(ValueError, match="scale"):
        do(db, t(2), record_survey, tid, "csat", 3, scale=7)


def test_repeat_contacts_and_fcr_follow_the_window(small):
    """c1 solved T1 at 01:00 (one reply); T2 from c1, same top-level category, 3 days later; T3 from c1 in
    another category; T4 from c2. With a 7-day window T2 is a repeat and T1 is no first-contact
    resolution; with a 1-day window neither."""
    db = small
    t1 = new(db, t(0))
    do(db, t(0, 30), add_reply, t1, 1, "done", set_status="solved")
    new(db, t(0) + timedelta(days=3), category="訂單服務/退款")
    new(db, t(0) + timedelta(days=3, hours=1), category="售後支援/退換貨")
    new(db, t(0) + timedelta(days=3, hours=2), customer=2)
    f = total(db, t(0), t(0) + timedelta(days=4))[""]
    assert (f.contacts, f.repeat_contacts, f.solved, f.solved_fcr) == (4, 1, 1, 0)
    with db.engine.connect() as conn:
        facts = customer_facts(load(conn, range(1, 5)), window=86400)
    repeats = sum(x.flag for found in facts.values() for x in found if x.kind == 1)
    fcr = [x.flag for found in facts.values() for x in found if x.kind == 8]
    assert (repeats, fcr) == (0, [1])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=90 * 86400), min_size=1, max_size=300),
       st.sampled_from([50, 90, 10, 99]))
def test_sketch_percentiles_are_within_one_percent(values: list[int], p: int):
    hist: dict[int, int] = {}
    for v in values:
        hist[bin_of(v)] = hist.get(bin_of(v), 0) + 1
    exact = exact_percentile(values, p)
    got = percentile(hist, p)
    assert exact is not None and got is not None
    assert abs(got - exact) <= 0.01 * exact


def test_every_bucket_holds_its_error_bound():
    assert LOWS[0] == HIGHS[0] == REPS[0] == 0
    for lo, hi, rep in zip(LOWS[1:], HIGHS[1:], REPS[1:], strict=True):
        assert lo <= rep <= hi and rep - lo <= 0.01 * lo and hi - rep <= 0.01 * hi
    assert all(b == a + 1 for a, b in zip(HIGHS, LOWS[1:], strict=False))  # no gaps, no overlaps
    assert [bin_of(v) for v in (0, 1, 98)] == [0, 1, 98]  # one second per bucket below 99 s
