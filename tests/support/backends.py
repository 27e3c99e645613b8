"""Store tests on both databases: `db_url` and `backend_db`, parametrized over SQLite and PostgreSQL.

PostgreSQL comes from SHIFTDESK_TEST_PG_URL (a database the tests may create schemas in;
`.ci/run` starts a throwaway server and sets it). Each test session migrates its own schema
once and every test starts from empty tables, so a PostgreSQL test costs milliseconds.

- SHIFTDESK_REQUIRE_PG=1 (set by .ci/run): a missing or unreachable server FAILS those tests.
- Neither variable set: the PostgreSQL variants are deselected, and the report says why.
- `--backend sqlite|postgres|all` (or SHIFTDESK_TEST_BACKEND) chooses which variants run.

Loaded by tests/conftest.py (`pytest_plugins`), so its hooks never clash with the conftest's.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

PG_URL_ENV = "SHIFTDESK_TEST_PG_URL"
REQUIRE_ENV = "SHIFTDESK_REQUIRE_PG"
BACKEND_ENV = "SHIFTDESK_TEST_BACKEND"
BACKENDS = ("sqlite", "postgres")
_DESELECTED = pytest.StashKey[int]()

__all__ = ["BACKENDS", "PgSchema", "backend", "backend_db", "db_url", "pg_required", "pg_schema", "pg_url"]


def pg_required() -> bool:
    return os.environ.get(REQUIRE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def _pg_env_url() -> str | None:
    return os.environ.get(PG_URL_ENV) or None


def _chosen(config: pytest.Config) -> tuple[str, ...]:
    value = config.getoption("--backend", default=None) or os.environ.get(BACKEND_ENV) or "all"
    return BACKENDS if value == "all" else (value,)


# -- hooks ---------------------------------------------------------------------------------------


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.getgroup("shiftdesk").addoption(
        "--backend", choices=("all", *BACKENDS), default=None,
        help="Run the database tests on sqlite, postgres or all (default: all; env SHIFTDESK_TEST_BACKEND).",
    )


def _item_backend(item: pytest.Item) -> str:
    callspec = getattr(item, "callspec", None)
    if callspec is not None and callspec.params.get("backend") in BACKENDS:
        return callspec.params["backend"]
    return "postgres" if item.get_closest_marker("postgres") else "sqlite"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop the variants not chosen; without a server (and not required) drop PostgreSQL's."""
    chosen = _chosen(config)
    pg_absent = _pg_env_url() is None and not pg_required() and _explicit(config) != ("postgres",)
    keep, drop = [], []
    for item in items:
        backend = _item_backend(item)
        wanted = backend in chosen and not (backend == "postgres" and pg_absent)
        (keep if wanted else drop).append(item)
    config.stash[_DESELECTED] = sum(1 for item in drop if _item_backend(item) == "postgres")
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _explicit(config: pytest.Config) -> tuple[str, ...]:
    value = config.getoption("--backend", default=None) or os.environ.get(BACKEND_ENV)
    return (value,) if value in BACKENDS else ()


def pytest_report_header(config: pytest.Config) -> str:
    if _pg_env_url():
        return f"databases: {', '.join(_chosen(config))} (PostgreSQL from ${PG_URL_ENV})"
    if pg_required():
        return f"databases: PostgreSQL REQUIRED (${REQUIRE_ENV}) but ${PG_URL_ENV} is not set"
    return f"databases: sqlite only (${PG_URL_ENV} is not set)"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    del exitstatus
    if _pg_env_url() is not None or pg_required():
        return
    count = config.stash.get(_DESELECTED, 0)  # 0 on an xdist controller: its workers collected
    what = f"{count} PostgreSQL test variants" if count else "The PostgreSQL test variants were"
    terminalreporter.write_line(
        f"{what} deselected: ${PG_URL_ENV} is not set "
        "(.ci/run starts a throwaway server and runs them)", yellow=True)


# -- PostgreSQL: one schema per session, empty tables per test ------------------------------------


@dataclass
class PgSchema:
    """A migrated schema of its own in the test server; `url` points every connection at it."""

    base_url: str
    name: str
    url: str
    admin: object  # a psycopg connection in autocommit mode
    tables: tuple[str, ...]

    def reset(self) -> None:
        """Empty every table and restart the ids, ending connections a previous test leaked."""
        import psycopg

        listed = ", ".join(f'"{self.name}"."{t}"' for t in self.tables)
        for attempt in range(2):
            try:
                self.admin.execute("SET lock_timeout = '3s'")
                self.admin.execute(f"TRUNCATE {listed} RESTART IDENTITY CASCADE")
                return
            except psycopg.errors.LockNotAvailable:
                if attempt:
                    raise
                self.terminate_others()

    def terminate_others(self) -> None:
        self.admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE application_name = %s AND pid <> pg_backend_pid()", (self.name,))


def _open_pg_schema(raw_url: str) -> PgSchema:
    import psycopg
    from sqlalchemy.engine import make_url
    from sqlmodel import SQLModel

    import store.models  # noqa: F401  (registers the tables)
    from store.db.engine import open_database, resolve_url

    base = resolve_url(raw_url)
    name = f"sdt_{os.getpid()}_{secrets.token_hex(3)}"
    conninfo = make_url(base).set(drivername="postgresql").render_as_string(hide_password=False)
    try:
        admin = psycopg.connect(conninfo, autocommit=True, application_name=name, connect_timeout=10)
    except psycopg.OperationalError as exc:
        pytest.fail(f"{PG_URL_ENV}={make_url(base).render_as_string()} is not reachable: {exc}", pytrace=False)
    admin.execute(f'CREATE SCHEMA "{name}"')
    url = make_url(base).update_query_dict(
        {"options": f"-csearch_path={name}", "application_name": name}).render_as_string(hide_password=False)
    db = open_database(url)
    db.dispose()
    # The filter's text index is kept by row triggers, which TRUNCATE does not fire: empty it too.
    tables = (*(t.name for t in SQLModel.metadata.sorted_tables), "ticket_search")
    return PgSchema(base_url=base, name=name, url=url, admin=admin, tables=tables)


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[PgSchema]:
    raw = _pg_env_url()
    if raw is None:
        why = f"{REQUIRE_ENV}=1" if pg_required() else "--backend postgres"
        pytest.fail(f"{why} asks for PostgreSQL but {PG_URL_ENV} is not set", pytrace=False)
    schema = _open_pg_schema(raw)
    try:
        yield schema
    finally:
        schema.terminate_others()
        schema.admin.execute(f'DROP SCHEMA "{schema.name}" CASCADE')
        schema.admin.close()


@pytest.fixture
def pg_url(pg_schema: PgSchema) -> str:
    """A migrated, empty PostgreSQL schema for this test."""
    pg_schema.reset()
    return pg_schema.url


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"),
                        pytest.param("postgres", id="postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def db_url(backend: str, request: pytest.FixtureRequest, tmp_path) -> str:
    """A fresh database on each backend; `open_database(db_url)` migrates it (a no-op on PostgreSQL)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def backend_db(db_url: str):
    """An open, migrated Database on each backend."""
    from store.db.engine import open_database

    db = open_database(db_url)
    yield db
    db.dispose()
