"""Migration 0008: at_risk_at filled in business time, and the default targets converted only if untouched."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from store.db.engine import Database, open_database
from store.db.migrate import upgrade

TPE = ZoneInfo("Asia/Taipei")
TS = "2026-01-05 08:00:00.000000"
OLD_DEFAULTS = {p: {"first_reply": m, "next_reply": m, "resolution": r}
                for p, m, r in (("urgent", 30, 240), ("high", 120, 1440), ("normal", 480, 4320), ("low", 1440, 7200))}
OFFICE = {"tz": "Asia/Taipei", "hours": {d: [["09:00", "12:00"], ["13:00", "18:00"]]
                                         for d in ("mon", "tue", "wed", "thu", "fri")}, "country": "TW",
          "years": [2025, 2026, 2027]}


def utc_text(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S.%f")


def _old_database(path, targets: dict) -> None:
    """A database at revision 0006 (before at_risk_at) with one urgent ticket on the office calendar."""
    db = Database(str(path))
    upgrade(db, revision="0006", backup=False)
    db.dispose()
    due = datetime(2026, 11, 23, 9, 5, tzinfo=TPE)  # urgent first reply of a ticket from Fri 17:35
    old_risk = int(due.timestamp()) - 450  # the wall-time key of before: Monday 08:57:30
    conn = sqlite3.connect(path)
    conn.executescript(f"""
        INSERT INTO agent (id, name, display_name, role, team, active, created_at)
            VALUES (1, 'amy', 'Amy', 'agent', 'default', 1, '{TS}');
        INSERT INTO customer (id, name, contact, tier, language, external_id, created_at)
            VALUES (1, 'c', '', 'standard', 'zh-TW', NULL, '{TS}');
        INSERT INTO calendar (id, name, config) VALUES (1, 'taipei-office', '{json.dumps(OFFICE)}');
        INSERT INTO sla_policy (id, name, position, active, priorities, tiers, channels, category_prefix, targets,
            calendar_id, warn_share, pause_statuses)
            VALUES (1, 'default', 100, 1, '[]', '[]', '[]', '', '{json.dumps(targets)}', 1, 0.25, '["pending"]');
        INSERT INTO ticket (id, external_id, subject, channel, category, priority, priority_rank, status, is_open,
            language, customer_id, assignee_id, policy_id, escalated, created_at, updated_at, solved_at,
            first_reply_at, reply_count, customer_message_count, reopen_count, due_key, risk_key, fields, version)
            VALUES (1, NULL, 'x', 'email', '', 'urgent', 0, 'new', 1, 'zh-TW', 1, NULL, 1, 0, '{TS}', '{TS}',
            NULL, NULL, 0, 1, 0, {int(due.timestamp())}, {old_risk}, '{{}}', 1);
        INSERT INTO sla_clock (id, ticket_id, metric, policy_id, state, target_seconds, started_at, consumed_seconds,
            segment_start, due_at, paused_at, stopped_at, outcome, ended_at, breached_at, breach_agent_id, agent_id)
            VALUES (1, 1, 'first_reply', 1, 'running', 1800, '{TS}', 0, '{TS}', '{utc_text(due)}', NULL, NULL,
            NULL, NULL, NULL, NULL, NULL),
            (2, 1, 'resolution', 1, 'stopped', 14400, '{TS}', 0, NULL, '{utc_text(due)}', NULL, '{TS}', 'met',
            '{TS}', NULL, NULL, 1);
    """)
    conn.commit()
    conn.close()


def _read(path, sql: str):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_running_clocks_get_their_business_time_risk_and_untouched_defaults_become_business_days(tmp_path):
    path = tmp_path / "old.db"
    _old_database(path, OLD_DEFAULTS)
    open_database(str(path)).dispose()  # start-up migrates to head
    risk = datetime(2026, 11, 20, 17, 57, 30, tzinfo=TPE)  # 5 min on Monday, 2:30 before Friday 18:00
    assert _read(path, "SELECT id, at_risk_at FROM sla_clock ORDER BY id") == [(1, utc_text(risk)), (2, None)]
    assert _read(path, "SELECT risk_key FROM ticket") == [(int(risk.timestamp()),)]
    targets = json.loads(_read(path, "SELECT targets FROM sla_policy")[0][0])
    assert [targets[p]["resolution"] for p in ("urgent", "high", "normal", "low")] == [240, "1bd", "3bd", "5bd"]
    assert targets["high"]["first_reply"] == 120


@pytest.mark.parametrize("tuned", [
    {**OLD_DEFAULTS, "high": {**OLD_DEFAULTS["high"], "first_reply": 90}},
    {"normal": {"first_reply": 480, "resolution": 4320}},
])
def test_a_default_policy_a_team_tuned_keeps_its_targets(tmp_path, tuned):
    path = tmp_path / "tuned.db"
    _old_database(path, tuned)
    open_database(str(path)).dispose()
    assert json.loads(_read(path, "SELECT targets FROM sla_policy")[0][0]) == tuned
