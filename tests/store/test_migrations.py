"""Migrations: the models and the revisions agree, and an old database upgrades with every row intact."""

from __future__ import annotations

import sqlite3

from alembic.script import ScriptDirectory
from support.schema import model_diff

import store.models  # noqa: F401
from store.db.engine import Database, open_database
from store.db.migrate import alembic_config, current_revision, head_revision, upgrade

TS = "2026-01-05 08:00:00.000000"

# Rows written with the schema of the FIRST revision, through plain SQL, so that later
# revisions can change the models freely and this test still describes the old file.
FIRST_REVISION_ROWS = [
    "INSERT INTO agent (id, name, display_name, role, team, active, created_at) VALUES "
    f"(1, 'amy', 'Amy', 'agent', 'default', 1, '{TS}'), (2, 'lin', 'Lin', 'lead', 'default', 1, '{TS}')",
    "INSERT INTO customer (id, name, contact, tier, language, external_id, created_at) VALUES "
    f"(1, '王小明', 'w@example.com', 'gold', 'zh-TW', 'zd-1', '{TS}'), (2, 'Ann', '', 'standard', 'en', NULL, '{TS}')",
    "INSERT INTO calendar (id, name, config) VALUES (1, '24x7', '{\"tz\": \"UTC\", \"hours\": {}}')",
    "INSERT INTO sla_policy (id, name, position, active, priorities, tiers, channels, category_prefix, targets, "
    "calendar_id, warn_share, pause_statuses) VALUES (1, 'default', 100, 1, '[]', '[]', '[]', '', "
    "'{\"high\": {\"first_reply\": 120}}', 1, 0.25, '[\"pending\"]')",
    "INSERT INTO ticket (id, external_id, subject, channel, category, priority, priority_rank, status, is_open, "
    "language, customer_id, assignee_id, policy_id, escalated, created_at, updated_at, solved_at, first_reply_at, "
    "reply_count, customer_message_count, reopen_count, due_key, risk_key, fields, version) VALUES "
    f"(1, 'zd-10', '訂單延遲', 'email', '訂單服務/訂單狀態', 'high', 1, 'open', 1, 'zh-TW', 1, 1, 1, 0, '{TS}', "
    f"'{TS}', NULL, NULL, 0, 1, 0, 100, 90, '{{}}', 1), "
    f"(2, NULL, 'Refund', 'chat', '', 'normal', 2, 'solved', 0, 'en', 2, NULL, 1, 0, '{TS}', '{TS}', '{TS}', "
    f"'{TS}', 1, 1, 0, 4611686018427387904, 4611686018427387904, '{{\"order_id\": \"A1\"}}', 3)",
    "INSERT INTO ticket_event (id, ticket_id, kind, at, actor_id, public, body, data) VALUES "
    f"(1, 1, 'created', '{TS}', NULL, 1, '還沒收到', '{{}}'), (2, 2, 'agent_reply', '{TS}', 1, 1, 'Done', '{{}}')",
    "INSERT INTO sla_clock (id, ticket_id, metric, policy_id, state, target_seconds, started_at, consumed_seconds, "
    "segment_start, due_at, paused_at, stopped_at, outcome, ended_at, breached_at, breach_agent_id, agent_id) VALUES "
    f"(1, 1, 'first_reply', 1, 'running', 7200, '{TS}', 0, '{TS}', '{TS}', NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
    f"INSERT INTO survey (id, ticket_id, kind, score, at, comment) VALUES (1, 2, 'csat', 5, '{TS}', '很好')",
    "INSERT INTO shift (id, team, name, start, end, tz, position) VALUES (1, 'default', '早班', '07:00', '15:00', "
    "'Asia/Taipei', 0)",
    "INSERT INTO handover (id, team, shift_date, from_shift, to_shift, author_id, status, content, created_at, "
    f"updated_at, submitted_at, acknowledged_by, acknowledged_at, ack_reply, version) VALUES (1, 'default', "
    f"'2026-01-05', '早班', '晚班', 2, 'submitted', '{{\"notes\": \"物流系統異常\"}}', '{TS}', '{TS}', '{TS}', NULL, "
    "NULL, '', 2)",
    f"INSERT INTO handover_addendum (id, handover_id, author_id, at, body) VALUES (1, 1, 2, '{TS}', '補充')",
    "INSERT INTO audit (id, at, actor_id, entity, entity_id, action, before, after) VALUES "
    f"(1, '{TS}', 1, 'ticket', 1, 'claim', '{{}}', '{{\"assignee_id\": 1}}')",
    "INSERT INTO reply_template (id, key, title, language, category, tags, opening, body, closing, updated_at) "
    f"VALUES (1, 'mine', 'Mine', 'en', '', '[]', 'Hi', 'Body', 'Bye', '{TS}')",
    f"INSERT INTO template_usage (id, template_key, agent_id, ticket_id, at) VALUES (1, 'mine', 1, 1, '{TS}')",
    "INSERT INTO reply_draft (id, agent_id, ticket_id, template_key, body, template_text, updated_at) VALUES "
    f"(1, 1, 1, 'mine', '草稿', 'Hi', '{TS}')",
]


def _revisions(db: Database) -> list[str]:
    script = ScriptDirectory.from_config(alembic_config(db))
    return [rev.revision for rev in reversed(list(script.walk_revisions()))]


def _dump(path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name != 'alembic_version'")]
        return {t: sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        conn.close()


def test_models_and_migrations_agree(tmp_path):
    db = open_database(tmp_path / "head.db")
    with db.engine.connect() as conn:
        diff = model_diff(conn)
    assert diff == [], "the models changed without a migration (or the other way round)"


def test_revision_history_is_linear(tmp_path):
    db = Database(str(tmp_path / "x.db"))
    script = ScriptDirectory.from_config(alembic_config(db))
    assert len(script.get_heads()) == 1, f"several heads: {script.get_heads()}"
    assert len(_revisions(db)) >= 2


def test_first_revision_database_upgrades_with_every_row_intact(tmp_path):
    path = tmp_path / "old.db"
    db = Database(str(path))
    first = _revisions(db)[0]
    upgrade(db, revision=first, backup=False)
    assert current_revision(db) == first
    conn = sqlite3.connect(path)
    for statement in FIRST_REVISION_ROWS:
        conn.execute(statement)
    conn.commit()
    conn.close()
    before = _dump(path)
    assert all(before[t] for t in before), f"the test left a table empty: {[t for t in before if not before[t]]}"
    db.dispose()

    reopened = open_database(str(path))  # start-up path: migrates to head, copying the file aside first
    assert current_revision(reopened) == head_revision(reopened)
    after = _dump(path)
    for table, rows in before.items():
        assert len(after[table]) == len(rows), table
        for old, new in zip(rows, after[table], strict=True):
            assert new[: len(old)] == old, table  # later revisions may only add columns at the end
    copies = list(tmp_path.glob("old.pre-*.db"))
    assert len(copies) == 1
    assert _dump(copies[0]) == before
    reopened.dispose()


def test_fresh_database_is_not_copied_aside(tmp_path):
    open_database(tmp_path / "fresh.db").dispose()
    assert not list(tmp_path.glob("fresh.pre-*"))


def test_the_quick_head_is_alembics_head(tmp_path):
    """store.db.revision reads the head off the files without Alembic: it must agree with it."""
    from store.db.revision import head_of_files

    assert head_of_files() == head_revision(Database(str(tmp_path / "x.db")))


def test_opening_a_current_database_does_not_import_alembic(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "current.db"
    open_database(path).dispose()
    code = (f"import sys; from store.db.engine import open_database; open_database({str(path)!r}).dispose(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'alembic'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_an_old_database_is_still_upgraded_on_open(tmp_path):
    path = tmp_path / "old.db"
    db = Database(str(path))
    upgrade(db, revision=_revisions(db)[-2], backup=False)
    db.dispose()
    reopened = open_database(path, backup=False)
    assert current_revision(reopened) == head_revision(reopened)
    reopened.dispose()
