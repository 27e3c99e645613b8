"""store/db/failures.py: which failure a driver or system error is (the words are the console's)."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest
from sqlalchemy.exc import DataError, OperationalError, ProgrammingError

from console.commands.common import explain
from console.i18n import get_language, set_language
from store.db.failures import database_label, diagnose


def _wrapped(kind, driver: BaseException):
    return kind("SELECT 1", {}, driver)


@pytest.mark.parametrize("exc,kind", [
    (_wrapped(OperationalError, sqlite3.OperationalError("database is locked")), "locked"),
    (_wrapped(OperationalError, sqlite3.OperationalError("attempt to write a readonly database")), "readonly"),
    (_wrapped(OperationalError, sqlite3.DatabaseError("file is not a database")), "not_database"),
    (_wrapped(OperationalError, sqlite3.OperationalError("unable to open database file")), "cannot_open"),
    (_wrapped(OperationalError, sqlite3.OperationalError("no such table: agent")), "no_schema"),
    (_wrapped(ProgrammingError, psycopg.errors.InsufficientPrivilege("permission denied: amy may not")), "pg_denied"),
    (_wrapped(DataError, psycopg.errors.StringDataRightTruncation("value too long")), "too_long"),
    (_wrapped(DataError, psycopg.errors.NumericValueOutOfRange("integer out of range")), "out_of_range"),
    (_wrapped(OperationalError, psycopg.OperationalError("connection refused")), "pg_unreachable"),
    (_wrapped(OperationalError, psycopg.OperationalError('FATAL: role "x" does not exist')), "pg_auth"),
    (OverflowError("Python int too large to convert to SQLite INTEGER"), "out_of_range"),
    (PermissionError(13, "Permission denied", "/srv/team.db"), "permission"),
    (FileNotFoundError(2, "No such file or directory", "/srv/x.csv"), "missing"),
    (IsADirectoryError(21, "Is a directory", "/srv"), "is_directory"),
    (NotADirectoryError(20, "Not a directory", "/etc/passwd/x"), "not_a_folder"),
    (OSError(30, "Read-only file system", "/mnt/ro/x.db"), "readonly"),
])
def test_each_failure_is_recognised(exc, kind) -> None:
    trouble = diagnose(exc)
    assert trouble is not None and trouble.kind == kind


def test_a_failure_raised_from_another_is_found_through_the_chain() -> None:
    try:
        try:
            raise sqlite3.OperationalError("database is locked")
        except sqlite3.OperationalError as inner:
            raise RuntimeError("while saving") from inner
    except RuntimeError as outer:
        assert diagnose(outer).kind == "locked"


def test_a_bug_is_not_dressed_up() -> None:
    assert diagnose(KeyError("x")) is None and explain(KeyError("x")) is None


def test_the_sentences_name_the_database_and_hide_the_password() -> None:
    before = get_language()
    set_language("en")
    try:
        locked = explain(_wrapped(OperationalError, sqlite3.OperationalError("database is locked")), "/srv/team.db")
        assert locked == ("the database /srv/team.db is locked by another process that is writing to it; "
                          "run the command again in a moment.")
        denied = explain(PermissionError(13, "Permission denied", "/srv/out.csv"))
        assert denied == "no permission to use /srv/out.csv (Permission denied); choose another place or change the file's permissions."
        set_language("zh-TW")
        assert "鎖住" in explain(_wrapped(OperationalError, sqlite3.OperationalError("database is locked")), "x.db")
    finally:
        set_language(before)
    assert database_label("postgresql://amy:secret@db.example:5432/shiftdesk?sslmode=require") == \
        "postgresql://amy:***@db.example:5432/shiftdesk"
    assert database_label("/srv/team.db") == "/srv/team.db"
