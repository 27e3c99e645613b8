"""One injectable source of "now": everything asks here so tests can freeze and move time."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

__all__ = ["Clock", "FrozenClock", "FuncClock", "SystemClock", "ensure_utc", "get_clock", "now", "set_clock"]


def ensure_utc(value: datetime, *, field: str = "datetime") -> datetime:
    """Refuse naive datetimes and normalise aware ones to UTC."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        raise ValueError(f"{field}: naive datetime {value.isoformat()} refused; give a timezone-aware value")
    return value.astimezone(UTC)


class Clock(ABC):
    """Base clock; subclasses return aware UTC datetimes."""

    @abstractmethod
    def now(self) -> datetime:
        """The current instant, aware and in UTC."""


class SystemClock(Clock):
    """The wall clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock(Clock):
    """A clock that only moves when told to (tests, demos, snapshots)."""

    def __init__(self, at: datetime) -> None:
        self._at = ensure_utc(at, field="FrozenClock")
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = ensure_utc(at, field="FrozenClock.set")

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        step = delta if delta is not None else timedelta(**kwargs)
        with self._lock:
            self._at = self._at + step
            return self._at


class FuncClock(Clock):
    """Adapter for a plain callable returning an aware datetime."""

    def __init__(self, func: Callable[[], datetime]) -> None:
        self._func = func

    def now(self) -> datetime:
        return ensure_utc(self._func(), field="clock")


_clock: Clock = SystemClock()


def get_clock() -> Clock:
    return _clock


def set_clock(clock: Clock) -> Clock:
    """Install a clock process-wide; returns the previous one so callers can restore it."""
    global _clock
    previous, _clock = _clock, clock
    return previous


def now() -> datetime:
    return _clock.now()
