"""The models against a migrated schema, leaving out what lives outside the metadata on purpose."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

import store.models  # noqa: F401  (registers the tables)
from store.tickets.queue import TEXT_INDEX_TABLES


def _derived(diff: object) -> bool:
    """The filter's text index (migration 0011, kept by triggers): an FTS5 table and its shadow
    tables on SQLite, one table on PostgreSQL, none of them a model."""
    if not (isinstance(diff, tuple) and diff and diff[0] in ("remove_table", "remove_index")):
        return False
    name = diff[1].name if diff[0] == "remove_table" else diff[1].table.name
    return any(name == table or name.startswith(table + "_") for table in TEXT_INDEX_TABLES)


def model_diff(conn) -> list:
    """What alembic would change to make the schema match the models (empty: they agree)."""
    return [d for d in compare_metadata(MigrationContext.configure(conn), SQLModel.metadata) if not _derived(d)]
