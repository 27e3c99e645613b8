"""team settings: the repeat-contact window is the team's, stored in the database

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04

Adds `team_setting` (name, value, updated_at), read by every console and the CLI
(store/team/team_settings.py). No row means the default (a 7-day repeat-contact window, what the
facts of 0009 were computed with), so nothing is recomputed here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import store.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "team_setting",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=256), nullable=False),
        sa.Column("updated_at", store.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("team_setting")
