"""The repeat-contact window is the team's, stored in the database (issue 11 item 5, seed 003).

Known answers on the hand-built history (tests/support/history.py): c1's T1 was solved 03-01 01:00
and c1 wrote T3 in the same top-level category at 03-02 01:00, exactly 24 hours later.
- 7 days (the default) or 1 day: T3 is a repeat contact (the window is inclusive), so the week
  has 8 contacts and 2 repeats (T3 and T3's reopen), and T1 is no first-contact resolution:
  FCR is T2 and T7 only.
- 23 hours: T3 is no repeat (1 repeat, the reopen), and T1, one reply and never reopened, now
  counts as solved at first contact: 3 of 5.
"""

from __future__ import annotations

import pytest
from sqlmodel import select
from support.history import NOW, WEEK, History, build_history

from store.errors import PermissionDenied
from store.models import Audit, TeamSetting
from store.rollups.rebuild import change_repeat_window, check
from store.team.team_settings import format_window, parse_window, repeat_window

HOUR, DAY = 3600, 86400


@pytest.fixture
def history(db_url: str):
    h = build_history(db_url)
    yield h
    h.db.dispose()


def _set(history: History, seconds: int, actor: str = "chief", progress=None) -> int | None:
    with history.db.write() as session:
        return change_repeat_window(session, NOW, history.agents[actor], seconds, progress)


def _week(history: History) -> tuple[int, int, int]:
    f = history.total(WEEK)
    return f.contacts, f.repeat_contacts, f.solved_fcr


def _agrees(history: History) -> bool:
    with history.db.engine.connect() as conn:
        transaction = conn.begin()
        try:
            return check(conn).ok
        finally:
            transaction.rollback()


def test_the_window_decides_repeats_and_fcr_as_worked_out_by_hand(history: History):
    with history.db.read() as session:
        assert repeat_window(session.connection()) == 7 * DAY  # no row: the default
    assert _week(history) == (8, 2, 2)
    phases: list[tuple[str, int, int]] = []
    facts = _set(history, 23 * HOUR, progress=lambda *p: phases.append(p))
    assert facts and phases[-1] == ("rollups", 1, 1) and any(p[0] == "facts" for p in phases)
    assert _week(history) == (8, 1, 3)
    assert _agrees(history)  # the facts were recomputed with the new window, not mixed with the old
    _set(history, DAY)
    assert _week(history) == (8, 2, 2)
    assert _agrees(history)
    with history.db.read() as session:
        assert session.exec(select(TeamSetting.value)).all() == [str(DAY)]
        trail = session.exec(select(Audit).where(Audit.entity == "team_setting").order_by(Audit.id)).all()
    assert [(a.before, a.after) for a in trail] == [
        ({"repeat_window": "7d"}, {"repeat_window": "23h"}), ({"repeat_window": "23h"}, {"repeat_window": "1d"})]


def test_live_writes_after_a_change_use_the_teams_window(history: History):
    """A write recomputes the touched customer's facts with the stored window, so `db check` agrees."""
    from store.tickets.actions import set_status
    from store.tickets.base import Context

    _set(history, 23 * HOUR)
    with history.db.write() as session:  # T3 reopened by its agent and solved again: c1's facts recomputed
        set_status(Context.open(session, NOW), history.tickets["T3"], history.agents["amy"], "open")
    assert _agrees(history)


def test_only_a_supervisor_may_change_it_and_bad_values_change_nothing(history: History):
    with pytest.raises(PermissionDenied):
        _set(history, DAY, actor="amy")
    for seconds in (HOUR - 1, 90 * DAY + 1, 0):
        with pytest.raises(ValueError, match="outside 1 hour to 90 days"):
            _set(history, seconds)
    assert _set(history, 7 * DAY) is None  # the same window: nothing recomputed
    with history.db.read() as session:
        assert session.exec(select(TeamSetting)).all() == []
        assert repeat_window(session.connection()) == 7 * DAY
    assert _week(history) == (8, 2, 2)


@pytest.mark.parametrize(("text", "seconds"), [("7d", 7 * DAY), ("36h", 36 * HOUR), ("90m", 5400), ("1h", HOUR),
                                               ("90d", 90 * DAY), (" 2 d ", 2 * DAY), ("60min", HOUR)])
def test_parse_window(text: str, seconds: int):
    assert parse_window(text) == seconds


@pytest.mark.parametrize("text", ["7", "59m", "91d", "1w", "", "-1d", "7 days", "1.5d"])
def test_parse_window_refuses(text: str):
    with pytest.raises(ValueError, match="repeat window"):
        parse_window(text)


def test_format_window():
    assert [format_window(s) for s in (7 * DAY, 36 * HOUR, 5400, 61)] == ["7d", "36h", "90m", "61s"]


def test_the_panel_names_the_window_its_repeat_tile_counted_with(history: History):
    from console.i18n import get_language, set_language
    from console.screens.panel import view
    from store.reports.live import panel_refresh

    _set(history, 36 * HOUR)
    snapshot = panel_refresh(history.db, NOW, dim=None)
    assert snapshot.repeat_window == 36 * HOUR
    was = get_language()
    set_language("en")
    try:
        tile = next(t for t in view.tiles(snapshot.totals["week"], snapshot.repeat_window) if t.key == "repeat")
    finally:
        set_language(was)
    assert tile.detail.endswith("from customers back within 36 hours")
