"""rollups: hourly and daily counters and response-time histograms for the SLA panel and reports

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

Creates rollup_count, rollup_hist and rollup_open and an index for "at risk now", (revision 0009 replaces the counters and
fills them from the existing history, so an upgraded database reports the same figures as one
that recorded every event through the rollup hooks).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def _counter(name: str) -> sa.Column:
    return sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)


COUNTERS = ("received", "repeat_contact", "received_solved", "assigned", "replied", "solved", "solved_fcr",
            "res_sum", "frt_n", "frt_sum", "fr_met", "fr_breached", "nr_met", "nr_breached", "rs_met",
            "rs_breached", "csat_n", "csat_pos", "nps_n", "nps_pro", "nps_det")


def upgrade() -> None:
    op.create_table(
        "rollup_count",
        sa.Column("grain", sa.Integer(), nullable=False),
        sa.Column("dim", sa.Integer(), nullable=False),
        sa.Column("bucket", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        *[_counter(name) for name in COUNTERS],
        sa.PrimaryKeyConstraint("grain", "dim", "bucket", "key"),
        sqlite_with_rowid=False,
    )
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
    op.create_table(
        "rollup_open",
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        _counter("n"),
        sa.PrimaryKeyConstraint("priority", "status"),
    )
    op.create_index("ix_ticket_open_due_risk", "ticket", ["is_open", "due_key", "risk_key", "priority_rank"])
    # Filled from history by 0009, which rebuilds every rollup from the facts.


def downgrade() -> None:
    op.drop_index("ix_ticket_open_due_risk", table_name="ticket")
    op.drop_table("rollup_open")
    op.drop_table("rollup_hist")
    op.drop_table("rollup_count")
