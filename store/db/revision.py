"""Is the schema current? Answered without importing Alembic (a third of a second at start-up).

The migration files name their revision and the one before it on lines of their own; the head
is the revision no other file names as its predecessor. A database whose `alembic_version`
holds that head needs no upgrade, so a command opening it skips Alembic altogether; any other
answer (older, newer, several heads, no table yet) goes through store.db.migrate as before.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine

VERSIONS = Path(__file__).parent.parent / "migrations" / "versions"
_LINE = re.compile(r"""^(revision|down_revision)\s*=\s*(?:["']([^"']*)["']|None)\s*$""", re.MULTILINE)


@cache
def head_of_files() -> str | None:
    """The single head revision of the migration files (None: none, or several)."""
    revisions, parents = set(), set()
    for path in VERSIONS.glob("*.py"):
        for name, value in _LINE.findall(path.read_text(encoding="utf-8")):
            if value:
                (revisions if name == "revision" else parents).add(value)
    heads = revisions - parents
    return next(iter(heads)) if len(heads) == 1 else None


def is_current(engine: Engine) -> bool:
    """True when the database's recorded revision is the head of the migration files."""
    head = head_of_files()
    if head is None:
        return False
    try:
        with engine.connect() as conn:
            found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except Exception:  # no table yet, or the database says no: the full path explains
        return False
    return found == [head]
