"""presence: who has a ticket open and who is writing a reply

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "presence",
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=True),
        sa.Column("activity", sa.String(length=12), nullable=False),
        sa.Column("seen_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["agent_id"], ["agent.id"]),
        sa.ForeignKeyConstraint(["ticket_id"], ["ticket.id"]),
        sa.PrimaryKeyConstraint("agent_id"),
    )
    op.create_index("ix_presence_ticket", "presence", ["ticket_id", "seen_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_presence_ticket", table_name="presence")
    op.drop_table("presence")
