"""Every case from Zendesk biz's and Zammad's suites (shared/conformance) must hold here."""

from __future__ import annotations

import json
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from store.sla.calendar import BusinessCalendar

EXPECTED_CASES = 89
DEFAULT_PATH = (
    Path(__file__).resolve().parents[2].parent / "shared" / "conformance" / "business_time.jsonl"
)
# A copy kept in the repository, for a checkout that has no shared/ beside it.
VENDORED_PATH = Path(__file__).resolve().parents[1] / "data" / "conformance" / "business_time.jsonl"
UNITS = {"seconds": "seconds", "minutes": "minutes", "hours": "hours"}


def _case_path() -> Path:
    """SHIFTDESK_CONFORMANCE, else the shared case file, else the copy in tests/data."""
    override = os.environ.get("SHIFTDESK_CONFORMANCE")
    if override:
        return Path(override)
    return DEFAULT_PATH if DEFAULT_PATH.exists() else VENDORED_PATH


def test_vendored_copy_matches_shared_file():
    """The copy in tests/data must not drift from shared/conformance."""
    assert VENDORED_PATH.read_bytes(), "the vendored conformance file is empty"
    if DEFAULT_PATH.exists():
        assert VENDORED_PATH.read_bytes() == DEFAULT_PATH.read_bytes()


def _load() -> tuple[list[dict[str, Any]], str | None]:
    """Read the cases at collection time; an unreadable file becomes an error the tests report."""
    path = _case_path()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        return [], f"conformance file not readable: {path} ({exc})"
    cases = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            cases.append(json.loads(line))
        except json.JSONDecodeError as exc:
            return [], f"{path}:{number}: not JSON ({exc})"
    return cases, None


CASES, LOAD_ERROR = _load()


def _calendar(schedule: dict[str, Any]) -> BusinessCalendar:
    """Map a case schedule onto our constructor (`shifts` are our `date_hours`)."""
    return BusinessCalendar(
        schedule["tz"],
        schedule["hours"],
        holidays=[date.fromisoformat(d) for d in schedule.get("holidays", [])],
        breaks={date.fromisoformat(d): s for d, s in schedule.get("breaks", {}).items()},
        date_hours={date.fromisoformat(d): s for d, s in schedule.get("shifts", {}).items()},
    )


def _moment(text: str, tz: str) -> datetime:
    """A time without an offset is wall time in the schedule's zone."""
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(tz))


def _run(case: dict[str, Any]) -> object:
    """Ask the calendar the case's question."""
    cal = _calendar(case["schedule"])
    tz = case["schedule"]["tz"]
    start = _moment(case["start"], tz)
    kind = case["kind"]
    if kind == "in_hours":
        return cal.in_hours(start)
    if kind == "within":
        return cal.within(start, _moment(case["end"], tz))
    if case["unit"] == "days":
        method = cal.after_days if kind == "after" else cal.before_days
        return method(start, case["amount"])
    amount = timedelta(**{UNITS[case["unit"]]: case["amount"]})
    method = cal.after if kind == "after" else cal.before
    return method(start, amount)


def _expected(case: dict[str, Any]) -> object:
    """Expected value in the type our API returns."""
    if case["kind"] == "in_hours":
        return case["expected"]
    if case["kind"] == "within":
        return timedelta(seconds=case["expected"])
    return _moment(case["expected"], case["schedule"]["tz"])


def test_case_file_is_complete() -> None:
    assert LOAD_ERROR is None, LOAD_ERROR
    assert len(CASES) == EXPECTED_CASES, f"{_case_path()} has {len(CASES)} cases"
    assert len({case["id"] for case in CASES}) == EXPECTED_CASES, "case ids must be unique"


@pytest.mark.parametrize(
    "case",
    CASES or [pytest.param(None, id="conformance-file-missing")],
    ids=[case["id"] for case in CASES] or None,
)
def test_conformance(case: dict[str, Any] | None) -> None:
    if case is None:
        pytest.fail(LOAD_ERROR or "conformance file has no cases")
    got = _run(case)
    expected = _expected(case)
    assert got == expected, f"{case['id']} ({case['source']}): got {got!r}, expected {expected!r}"
    if isinstance(got, datetime):
        assert got.tzinfo is not None
