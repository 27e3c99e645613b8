"""`shiftdesk demo` on PostgreSQL is atomic (store/demo/pg_atomic.py): built in a scratch schema and
swapped in by one transaction, so a kill -9 at any moment leaves no Shiftdesk tables or complete
ones (every ticket, every index a migrated schema has, a report that counts every ticket), and the
next demo clears the scratch schema the killed one left."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

pytestmark = pytest.mark.postgres

SHIFTDESK = Path(sys.executable).with_name("shiftdesk")
TICKETS, HISTORY, DAYS = 400, 600, 7
KILLS = 3


@dataclass
class Target:
    schema: str
    url: str
    admin: object

    def one(self, sql: str):
        return self.admin.execute(sql).fetchone()[0]

    def indexes(self, schema: str | None = None) -> int:
        return self.one(f"SELECT count(*) FROM pg_indexes WHERE schemaname = '{schema or self.schema}'")

    def tables(self) -> int:
        return self.one(f"SELECT count(*) FROM pg_tables WHERE schemaname = '{self.schema}'")

    def scratch_left(self) -> bool:
        return self.one(f"SELECT count(*) FROM pg_namespace WHERE nspname = 'sd_demo_{self.schema}'") > 0

    def wipe(self) -> None:
        self.admin.execute(f'DROP SCHEMA "{self.schema}" CASCADE')
        self.admin.execute(f'CREATE SCHEMA "{self.schema}"')


@pytest.fixture
def target(pg_schema) -> Iterator[Target]:
    schema = f"{pg_schema.name}_d"
    pg_schema.admin.execute(f'CREATE SCHEMA "{schema}"')
    url = make_url(pg_schema.base_url).update_query_dict({"options": f"-csearch_path={schema}"})
    yield Target(schema, url.render_as_string(hide_password=False), pg_schema.admin)
    pg_schema.admin.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    pg_schema.admin.execute(f'DROP SCHEMA IF EXISTS "sd_demo_{schema}" CASCADE')


def demo(target: Target) -> subprocess.Popen:
    return subprocess.Popen([str(SHIFTDESK), "--as", "chief", "demo", "--db", target.url, "--no-open",
                             "--tickets", str(TICKETS), "--history", str(HISTORY), "--days", str(DAYS)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "SHIFTDESK_LANG": "en"})


def received(target: Target) -> int:
    since = (date.today() - timedelta(days=DAYS + 3)).isoformat()
    out = subprocess.run([str(SHIFTDESK), "--db", target.url, "--as", "chief", "report", "--format", "json",
                          "--from", since], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)["totals"]["received"]


def assert_complete(target: Target, migrated_indexes: int) -> None:
    s = target.schema
    assert target.one(f'SELECT count(*) FROM "{s}".ticket') == TICKETS + HISTORY
    assert target.one(f'SELECT count(*) FROM "{s}".ticket WHERE is_open') == TICKETS
    assert target.indexes() == migrated_indexes
    assert received(target) == TICKETS + HISTORY


def test_a_finished_pg_demo_is_complete_and_leaves_no_scratch_schema(target, pg_schema):
    proc = demo(target)
    assert proc.wait(300) == 0, proc.stderr.read() if proc.stderr else ""
    assert_complete(target, target.indexes(pg_schema.name))
    assert not target.scratch_left()
    # An ordinary write after the swap gets a fresh id (the sequences moved with their tables).
    target.admin.execute(f'INSERT INTO "{target.schema}".customer (name, contact, tier, language, created_at) '
                         "VALUES ('x', '', 'standard', 'en', now())")
    assert target.one(f'SELECT max(id) FROM "{target.schema}".customer') > 1000


@pytest.mark.slow
def test_pg_demo_killed_at_random_moments_leaves_no_tables_or_complete_ones(target, pg_schema):
    migrated = target.indexes(pg_schema.name)
    started = time.monotonic()
    first = demo(target)
    assert first.wait(300) == 0
    full = time.monotonic() - started
    rng = random.Random()
    seed = rng.randrange(1 << 30)
    rng.seed(seed)
    for attempt in range(KILLS):
        target.wipe()
        proc = demo(target)
        moment = rng.uniform(0.5, full)
        time.sleep(moment)
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
        if target.tables():
            assert_complete(target, migrated)
        else:
            assert target.tables() == 0, f"kill {attempt} at {moment:.1f} s (seed {seed})"
    target.wipe()
    proc = demo(target)
    time.sleep(full / 2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(30)
    assert target.tables() == 0 and target.scratch_left()  # killed mid-build: only the scratch schema
    proc = demo(target)
    assert proc.wait(300) == 0
    assert_complete(target, migrated)
    assert not target.scratch_left()
