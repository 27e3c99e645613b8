"""rollups: four-hour blocks beside hours and days

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23

A period of a day or less (today, a shift) now reads at most a few four-hour rows and a
few hourly ones instead of up to 23 hourly ones; the blocks (grain 2) are summed from the
hourly rows already there.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The blocks are summed by 0009's rebuild of every rollup.
    pass


def downgrade() -> None:
    op.execute("DELETE FROM rollup_hist WHERE grain = 2")
    op.execute("DELETE FROM rollup_count WHERE grain = 2")
