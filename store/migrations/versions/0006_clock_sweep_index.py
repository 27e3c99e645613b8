"""clock index led by state and outcome, so the breach sweep reads only undecided running clocks

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_clock_running_due", table_name="sla_clock")
    op.create_index("ix_clock_undecided_due", "sla_clock", ["state", "outcome", "due_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_clock_undecided_due", table_name="sla_clock")
    op.create_index("ix_clock_running_due", "sla_clock", ["state", "due_at"], unique=False)
