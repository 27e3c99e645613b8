"""Schema upgrades through Alembic, with the SQLite file copied aside first."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

if TYPE_CHECKING:  # engine.open_database calls upgrade: a runtime import back would be a circle
    from store.db.engine import Database

MIGRATIONS_DIR = Path(__file__).parent.parent / "migrations"


def alembic_config(db: Database) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", db.url.replace("%", "%%"))
    return cfg


def head_revision(db: Database) -> str:
    return ScriptDirectory.from_config(alembic_config(db)).get_current_head() or ""


def current_revision(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def backup_sqlite(db: Database, *, label: str = "backup", dest: Path | None = None,
                  progress: Callable[[int, int], None] | None = None) -> Path:
    """Copy a live SQLite file consistently (the backup API copes with WAL and open readers).

    With `progress`, the copy goes in steps of 64 MiB (at 4 KiB pages), reporting (pages done,
    pages in all) after each.
    """
    path = db.sqlite_path
    if path is None:
        raise ValueError(f"backup needs a SQLite file; {db.url!r} is not one (use pg_dump for PostgreSQL)")
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = dest or path.with_name(f"{path.stem}.{label}-{stamp}{path.suffix}")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(path)
    try:
        out = sqlite3.connect(target)
        try:
            if progress is None:
                src.backup(out)
            else:
                src.backup(out, pages=16384,
                           progress=lambda _status, remaining, total: progress(total - remaining, total))
        finally:
            out.close()
    finally:
        src.close()
    return target


def upgrade(db: Database, *, revision: str = "head", backup: bool = True) -> Path | None:
    """Bring the schema to `revision`; returns the path of the copy taken aside, if any."""
    cfg = alembic_config(db)
    target = head_revision(db) if revision == "head" else revision
    current = current_revision(db)
    if current == target:
        return None
    saved: Path | None = None
    path = db.sqlite_path
    if backup and path is not None and path.exists() and path.stat().st_size > 0 and current is not None:
        saved = backup_sqlite(db, label=f"pre-{target}")
    with db.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
    return saved
