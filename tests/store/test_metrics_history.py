"""Known answers for the hand-built history of tests/support/history.py: every figure worked out on paper."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.history import (
    NOW,
    ORDERS,
    RETURNS,
    SHIFT,
    SPECS,
    SYSTEM,
    TODAY,
    WEEK,
    History,
    at,
    build_history,
)

from store.reports.figures import figures, hour_end


@pytest.fixture
def history(db_url: str):
    h = build_history(db_url)
    yield h
    h.db.dispose()


MIN, HOUR = 60, 3600


def near(value: int | None, exact: int) -> bool:
    """A sketch percentile: within 1% of the exact one (README, "Report JSON")."""
    return value is not None and abs(value - exact) <= 0.01 * exact


def test_week_totals(history: History):
    f = history.total(WEEK)
    # Contacts: 7 new tickets and T3's reopen. Repeats: T3 (c1 again in 訂單服務, within 7 days of T1's
    # solve) and T3's reopen; T5 is c2's but in 訂單服務, while c2's T2 was 售後支援: not a repeat.
    assert (f.received, f.contacts, f.repeat_contacts, f.reopened, f.received_solved) == (7, 8, 2, 1, 5)
    assert f.resolution_rate == pytest.approx(5 / 7)
    assert f.repeat_rate == pytest.approx(2 / 8)
    # FCR: T2 and T7. T1 had one reply and no reopen, but c1 came back about 訂單服務 (T3) within 7 days.
    assert (f.solved, f.solved_fcr, f.fcr) == (5, 2, pytest.approx(0.4))
    assert (f.met("first_reply"), f.breached("first_reply")) == (3, 3)
    assert (f.met("next_reply"), f.breached("next_reply")) == (1, 1)
    assert (f.met("resolution"), f.breached("resolution")) == (5, 0)
    assert f.attainment("first_reply") == 0.5 and f.attainment("resolution") == 1.0
    assert f.attainment() == pytest.approx(9 / 13)
    # First replies: 20 min, 3 h 15, 30 min, 1 h, 40 min.
    assert near(f.frt(50), 40 * MIN) and near(f.frt(90), 195 * MIN)
    assert f.frt_mean == pytest.approx((20 + 195 + 30 + 60 + 40) * MIN / 5)
    # Resolutions: 1 h, 4 h, 3 h (T3 counts once, at its last solve), 8 h, 1 h 30.
    assert near(f.res(50), 3 * HOUR) and near(f.res(90), 8 * HOUR)
    assert f.res_mean == pytest.approx(210 * MIN)
    assert (f.csat_n, f.csat_pos, f.csat) == (3, 2, pytest.approx(2 / 3))
    assert (f.csat_sum, f.csat_mean) == (11, pytest.approx(11 / 3))  # 5, 2 and 4
    assert (f.nps_n, f.nps_pro, f.nps_det, f.nps) == (2, 1, 1, 0.0)
    assert (f.assigned, f.replied) == (6, 7)


def test_today_leaves_out_yesterday(history: History):
    f = history.total(TODAY)
    assert (f.received, f.contacts, f.repeat_contacts, f.received_solved) == (6, 7, 2, 4)
    assert (f.solved, f.solved_fcr) == (4, 2)
    assert (f.met("first_reply"), f.breached("first_reply")) == (2, 3)
    assert near(f.frt(50), 40 * MIN) and near(f.frt(90), 195 * MIN)
    assert near(f.res(50), 3 * HOUR) and near(f.res(90), 8 * HOUR)
    assert (f.csat_n, f.csat_pos) == (2, 1)
    assert f.nps == -100.0


def test_shift_counts_the_clock_paused_across_the_boundary_where_it_ended(history: History):
    f = history.total(SHIFT)
    assert f.received == 0
    assert f.solved == 2  # T7 at 07:30 and T4 at 09:00
    assert (f.met("resolution"), f.breached("resolution")) == (2, 0)  # T4 paused in 早班, met in 晚班
    assert (f.met("next_reply"), f.breached("next_reply")) == (0, 1)  # T4's, at 08:30
    assert f.attainment("first_reply") is None
    assert (f.csat_n, f.csat_pos) == (1, 1)
    morning = history.total(at(1, 23), at(2, 7))
    assert (morning.met("resolution"), morning.breached("resolution")) == (2, 0)  # T2, T3
    assert (morning.met("first_reply"), morning.breached("first_reply")) == (2, 3)


def test_per_agent_with_breaches_while_unassigned(history: History):
    rows = history.figures(WEEK, dim="agent")
    amy, ben = (rows[str(history.agents[n])] for n in ("amy", "ben"))
    nobody = rows[""]
    assert (amy.assigned, amy.replied, amy.solved) == (4, 4, 3)
    assert (sum(amy.met(m) for m in ("first_reply", "next_reply", "resolution")), amy.attainment()) == (7, 1.0)
    assert near(amy.frt(50), 30 * MIN)
    assert (ben.assigned, ben.replied, ben.solved) == (2, 3, 2)
    assert ben.attainment() == 0.5
    assert near(ben.frt(50), 60 * MIN)
    assert (nobody.breached("first_reply"), nobody.attainment(), nobody.solved) == (2, 0.0, 0)
    assert (amy.csat_n, ben.csat_n, amy.nps_n) == (2, 1, 2)


def test_per_channel_priority_category(history: History):
    channels = history.figures(WEEK, dim="channel")
    assert {k: f.received for k, f in channels.items()} == {"email": 3, "chat": 1, "phone": 1, "web": 1,
                                                            "social": 1}
    priorities = history.figures(WEEK, dim="priority")
    assert {k: f.received for k, f in priorities.items()} == {"normal": 3, "high": 3, "urgent": 1}
    assert priorities["urgent"].breached("next_reply") == 1
    categories = history.figures(WEEK, dim="category")
    assert {k: f.received for k, f in categories.items()} == {ORDERS: 3, RETURNS: 2, SYSTEM: 1, SPECS: 1}
    assert categories[SYSTEM].res_mean == 8 * HOUR
    assert categories[RETURNS].res_mean == pytest.approx(2.75 * HOUR)


def test_rollups_match_the_plain_scan_and_a_rebuild(history: History):
    from store.reports.scan import scan, scan_open
    from store.rollups.rebuild import rebuild

    dims = ("all", "agent", "channel", "priority", "category")
    with history.db.read() as s:
        live = {d: figures(s, WEEK, hour_end(NOW), d) for d in dims}
        scanned = {d: scan(s, WEEK, hour_end(NOW), d).figures for d in dims}
        open_rows = dict(s.execute(__import__("sqlalchemy").text(
            "SELECT priority || '/' || status, n FROM rollup_open WHERE n != 0")).all())
        assert {f"{p}/{st}": n for (p, st), n in scan_open(s).items()} == open_rows == {"high/new": 1,
                                                                                        "normal/open": 1}
    for d in dims:
        assert {k: (f.counts, f.frt_hist, f.res_hist) for k, f in live[d].items()} == {
            k: (f.counts, f.frt_hist, f.res_hist) for k, f in scanned[d].items()}, d
    with history.db.engine.begin() as conn:
        rebuild(conn)
    with history.db.read() as s:
        for d in dims:
            rebuilt = figures(s, WEEK, hour_end(NOW), d)
            assert {k: f.counts for k, f in rebuilt.items()} == {k: f.counts for k, f in live[d].items()}, d


def test_a_period_off_the_hour_is_exact(history: History):
    f = history.total(at(2, 3, 10), at(2, 4, 0) - timedelta(seconds=1))
    # 03:15 T2 first reply; 03:20 T3's next reply met; nothing solved before 04:00.
    assert (f.frt_n, f.met("next_reply"), f.solved, f.replied) == (1, 1, 0, 2)


def test_migration_backfills_a_filled_database(tmp_path):
    """A database from before the rollups (revision 0003) upgrades to the same figures."""
    from alembic import command

    from store.db.migrate import alembic_config, upgrade

    h = build_history(f"sqlite:///{tmp_path / 'old.db'}")
    dims = ("all", "agent", "channel", "priority", "category")
    before = {d: {k: f.counts for k, f in h.figures(WEEK, dim=d).items()} for d in dims}
    cfg = alembic_config(h.db)
    with h.db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0003")
    upgrade(h.db, backup=False)
    after = {d: {k: f.counts for k, f in h.figures(WEEK, dim=d).items()} for d in dims}
    assert after == before
    assert near(h.total(WEEK).frt(50), 40 * MIN)
    h.db.dispose()
