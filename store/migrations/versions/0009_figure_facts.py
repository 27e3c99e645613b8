"""figure facts: every counted thing with its values at the time; rollups rebuilt from them

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04

Adds `figure_fact` (store/rollups/facts.py), the survey's scale (CSAT 1-5 or 1-10), quarter-hour
rollups and the counters of report schema shiftdesk.report/2 (contacts, repeat contacts, reopens,
CSAT sums), with duration buckets of at most 1% relative error. The rollups are derived data: they
are dropped, recreated and rebuilt from the history.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

COUNTERS = ("received", "contacts", "repeat_contacts", "reopened", "received_solved", "assigned", "replied",
            "solved", "solved_fcr", "res_sum", "frt_n", "frt_sum", "fr_met", "fr_breached", "nr_met",
            "nr_breached", "rs_met", "rs_breached", "csat_n", "csat_pos", "csat_sum", "csat10_n", "csat10_pos",
            "csat10_sum", "nps_n", "nps_pro", "nps_det")
OLD_COUNTERS = ("received", "repeat_contact", "received_solved", "assigned", "replied", "solved", "solved_fcr",
                "res_sum", "frt_n", "frt_sum", "fr_met", "fr_breached", "nr_met", "nr_breached", "rs_met",
                "rs_breached", "csat_n", "csat_pos", "nps_n", "nps_pro", "nps_det")


def _counter(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)


def _rollup_count(counters: tuple[str, ...]) -> None:
    op.create_table(
        "rollup_count",
        sa.Column("grain", sa.Integer(), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        *[_counter(name) for name in counters],
        sa.PrimaryKeyConstraint("grain", "dim", "bucket", "key"),
        sqlite_with_rowid=False,
    )


def _rollup_hist() -> None:
    op.create_table(
        "rollup_hist",
        sa.Column("grain", sa.Integer(), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        _counter("n"),
        sa.PrimaryKeyConstraint("grain", "dim", "kind", "bucket", "key", "bin"),
        sqlite_with_rowid=False,
    )


def upgrade() -> None:
    op.add_column("survey", sa.Column("scale", sa.Integer(), server_default="5", nullable=False))
    op.drop_table("rollup_count")
    op.drop_table("rollup_hist")
    _rollup_count(COUNTERS)
    _rollup_hist()
    op.create_table(
        "figure_fact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.Integer(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("agent", sa.BigInteger(), nullable=True),
        sa.Column("channel", sa.String(length=16), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=True),
        sa.Column("category", sa.String(length=128), nullable=True),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("flag", sa.Integer(), nullable=False),
        sa.Column("bin", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_fact_ticket", "figure_fact", ["ticket_id"])
    op.create_index("ix_fact_at", "figure_fact", ["at"])
    op.create_index("ix_fact_kind_at", "figure_fact", ["kind", "at", "value", "flag"])
    from store.rollups.metrics import REPEAT_WINDOW_SECONDS
    from store.rollups.rebuild import rebuild

    rebuild(op.get_bind(), window=REPEAT_WINDOW_SECONDS)  # no team setting yet: the default window


def downgrade() -> None:
    op.drop_table("figure_fact")
    op.drop_table("rollup_count")
    op.drop_table("rollup_hist")
    _rollup_count(OLD_COUNTERS)
    _rollup_hist()  # empty: revision 0006's figures would need its own rebuild
    with op.batch_alter_table("survey") as batch:
        batch.drop_column("scale")
