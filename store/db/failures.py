"""What went wrong with the database or a file, in words a user can act on.

The command line and the console must not show a traceback for a failure the user can fix (the
file is locked, read-only, not a database, unreachable; a value too long for its column). They
hold no SQL and may not import SQLAlchemy, so the driver's exceptions are read here, once, and
turned into a `Trouble`: a kind the interface has words for, and the detail to name.
"""

from __future__ import annotations

from dataclasses import dataclass

# sqlite3's message (lower case) -> kind.
_SQLITE = (
    ("database is locked", "locked"),
    ("database table is locked", "locked"),
    ("readonly", "readonly"),
    ("read-only", "readonly"),
    ("file is not a database", "not_database"),
    ("database disk image is malformed", "not_database"),
    ("unable to open database file", "cannot_open"),
    ("disk i/o error", "io"),
    ("database or disk is full", "disk_full"),
)
# psycopg's message (lower case) -> kind, for connection failures.
_CONNECT = (
    ("password authentication failed", "pg_auth"),
    ("no password supplied", "pg_auth"),
    ("role \"", "pg_auth"),  # role "x" does not exist
    ("does not exist", "pg_no_database"),
    ("connection refused", "pg_unreachable"),
    ("could not translate host name", "pg_unreachable"),
    ("timeout expired", "pg_unreachable"),
    ("could not connect", "pg_unreachable"),
    ("server closed the connection", "pg_lost"),
    ("terminating connection", "pg_lost"),
    ("connection is closed", "pg_lost"),
    ("the connection is lost", "pg_lost"),
)
# SQLSTATE -> kind (PostgreSQL).
_SQLSTATE = {
    "42501": "pg_denied",  # insufficient_privilege: table privileges and store/db/pg_guard.py
    "22001": "too_long",  # string_data_right_truncation
    "22003": "out_of_range",  # numeric_value_out_of_range
    "55P03": "locked",  # lock_not_available
    "57014": "locked",  # query_canceled (statement or lock timeout)
    "40P01": "deadlock",
    "53100": "disk_full",
    "25006": "readonly",  # read_only_sql_transaction (a standby)
}


@dataclass(frozen=True)
class Trouble:
    """kind: locked, readonly, not_database, cannot_open, io, disk_full, deadlock, too_long,
    out_of_range, pg_auth, pg_no_database, pg_unreachable, pg_lost, pg_denied, no_schema,
    permission, missing, is_directory, not_a_folder, os_error; detail: the driver's or system's first line."""

    kind: str
    detail: str
    path: str = ""


def _first_line(value: object) -> str:
    text = str(value).strip()
    return text.splitlines()[0] if text else ""


def _driver_error(exc: BaseException) -> BaseException:
    """The DBAPI exception inside SQLAlchemy's wrapper (or the exception itself)."""
    orig = getattr(exc, "orig", None)
    return orig if isinstance(orig, BaseException) else exc


def _from_driver(exc: BaseException) -> Trouble | None:
    driver = _driver_error(exc)
    module = type(driver).__module__.split(".")[0]
    message = _first_line(driver)
    lowered = message.lower()
    if module == "sqlite3":
        if "no such table" in lowered:
            return Trouble("no_schema", message)
        for needle, kind in _SQLITE:
            if needle in lowered:
                return Trouble(kind, message)
        return None
    if module == "psycopg":
        state = getattr(driver, "sqlstate", None)
        if state in _SQLSTATE:
            return Trouble(_SQLSTATE[state], message)
        if state == "42P01":
            return Trouble("no_schema", message)
        if type(driver).__name__ in ("OperationalError", "InterfaceError") or state is None:
            for needle, kind in _CONNECT:
                if needle in lowered:
                    return Trouble(kind, message)
            if type(driver).__name__ == "OperationalError":
                return Trouble("pg_unreachable", message)
    return None


def _from_os(exc: OSError) -> Trouble:
    path = exc.filename if isinstance(exc.filename, str) else ""
    detail = exc.strerror or _first_line(exc)
    if isinstance(exc, PermissionError):
        return Trouble("permission", detail, path)
    if isinstance(exc, FileNotFoundError):
        return Trouble("missing", detail, path)
    if isinstance(exc, IsADirectoryError):
        return Trouble("is_directory", detail, path)
    if isinstance(exc, NotADirectoryError | FileExistsError):
        return Trouble("not_a_folder", detail, path)
    if exc.errno == 30:  # EROFS
        return Trouble("readonly", detail, path)
    return Trouble("os_error", detail, path)


def diagnose(exc: BaseException) -> Trouble | None:
    """The Trouble behind `exc` (or anything it was raised from), or None for a bug."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        found = _from_driver(current)
        if found is not None:
            return found
        if isinstance(current, OverflowError):
            return Trouble("out_of_range", _first_line(current))
        if isinstance(current, OSError) and type(current).__module__ == "builtins":
            return _from_os(current)
        current = current.__cause__ or current.__context__
    return None


def database_label(url: str | None) -> str:
    """The database as a user would name it: a SQLite file's path, a server URL without password."""
    from sqlalchemy.engine import make_url

    from store.db.engine import resolve_url

    try:
        parsed = make_url(resolve_url(url))
    except Exception:  # an unparsable URL is shown as given
        return url or ""
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.set(drivername=parsed.get_backend_name(), query={}).render_as_string(hide_password=True)


def sqlite_error() -> type[Exception]:
    """sqlite3.Error, for an `except` in code that may not import sqlite3 itself."""
    import sqlite3

    return sqlite3.Error
