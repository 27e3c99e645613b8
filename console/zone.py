"""The one time zone every screen and export shows times in.

Precedence: the `timezone` setting (settings.toml), then the team's zone (its shifts' calendar
zone, `shiftdesk shifts`), then the machine's (`TZ`). The setting is read at start-up
(`prefer`), the team's zone once the acting agent is known (`settle`); from then on the queue,
thread, composer, handover, panel, audit and exports all turn instants into this zone, and the
header names it once. Countdowns ("in 3h12m") are relative and need no zone.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["choose", "display_zone", "local", "prefer", "settle", "zone_name"]

_preferred: str | None = None  # the settings file's `timezone`
_zone: tzinfo | None = None
_name: str = ""


def _machine() -> tuple[tzinfo, str]:
    here = datetime.now().astimezone().tzinfo
    assert here is not None
    return here, datetime.now().astimezone().tzname() or "local"


def choose(setting: str | None, team: str | None) -> str | None:
    """The zone name by precedence (setting, then team), or None for the machine's zone."""
    for name in (setting, team):
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    return None


def prefer(setting: str | None) -> None:
    """Remember the settings file's zone (it beats the team's when `settle` runs)."""
    global _preferred
    _preferred = setting
    settle(None)


def settle(team: str | None) -> str:
    """Fix the display zone now the team's zone is known (None: not known); its name."""
    global _zone, _name
    name = choose(_preferred, team)
    if name is None:
        _zone, _name = _machine()
    else:
        _zone, _name = ZoneInfo(name), name
    return _name


def display_zone() -> tzinfo:
    if _zone is None:
        settle(None)
    assert _zone is not None
    return _zone


def zone_name() -> str:
    """How the header names the zone (`Asia/Taipei`; the machine's abbreviation when it is used)."""
    display_zone()
    return _name


def local(at: datetime | str | None, fmt: str = "%Y/%m/%d %H:%M") -> str:
    """An instant (or its ISO text) in the display zone; "" for none."""
    if at is None or at == "":
        return ""
    moment = datetime.fromisoformat(at) if isinstance(at, str) else at
    return moment.astimezone(display_zone()).strftime(fmt)
