"""Shifts per team, in the team's time zone: which window holds an instant, and editing them.

Rules (checked by `validate`):

- Times are ``HH:MM`` on the 24-hour clock, 00:00-23:59; a shift whose end is not after its
  start runs past midnight (大夜 23:00-07:00).
- A team's shifts tile the local day: ordered by start, each one ends exactly where the next
  begins, so every instant belongs to exactly one shift. A single shift with start == end
  covers the whole day.
- All shifts of a team share one IANA time zone.

Windows come from local wall times. A wall time the zone skips (spring forward) resolves to
the instant the clocks jump; a repeated one (fall back) resolves to its first occurrence. So
windows stay back to back and in order across DST, a shift that spans a change is an hour
shorter or longer, and a shift that lies wholly inside a skipped hour is empty and skipped.

Editing keeps the day tiled by moving shared boundaries: changing a shift's start moves the
end of the shift before it, changing its end moves the start of the one after it; a new shift
is carved from one end of the shift it falls inside; a removed shift's hours go to the shift
before it. Any edit that would still leave a gap, an overlap or an empty shift is refused.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, select

from store.audit import record_audit
from store.clock import ensure_utc
from store.errors import NotFound, ShiftdeskError
from store.limits import SHIFT_NAME_MAX, check_team, check_text
from store.models import Shift

DAY_MINUTES = 24 * 60
_HHMM = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


class ShiftConfigError(ShiftdeskError, ValueError):
    """An edit that would leave the shifts malformed; the message says what and where."""


@dataclass(frozen=True)
class ShiftSpec:
    """One configured shift as plain values."""

    name: str
    start: str
    end: str
    tz: str = "Asia/Taipei"

    @property
    def start_minute(self) -> int:
        return parse_hhmm(self.start)

    @property
    def end_minute(self) -> int:
        return parse_hhmm(self.end)

    @property
    def overnight(self) -> bool:
        return self.end_minute <= self.start_minute

    @property
    def length_minutes(self) -> int:
        return (self.end_minute - self.start_minute) % DAY_MINUTES or DAY_MINUTES


@dataclass(frozen=True)
class ShiftWindow:
    """One occurrence of a shift: aware UTC instants [start, end), local_date = the day it starts."""

    name: str
    start: datetime
    end: datetime
    local_date: date
    tz: str

    def contains(self, at: datetime) -> bool:
        return self.start <= at < self.end

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.tz))

    @property
    def local_end(self) -> datetime:
        return self.end.astimezone(ZoneInfo(self.tz))


# -- validation ---------------------------------------------------------------------------------


def parse_hhmm(value: str) -> int:
    match = _HHMM.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ShiftConfigError(f"time {value!r}: use HH:MM on the 24-hour clock, 00:00-23:59")
    return int(match.group(1)) * 60 + int(match.group(2))


def _format(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ShiftConfigError(f"time zone {name!r} is not an IANA zone such as Asia/Taipei") from None


def validate(specs: Sequence[ShiftSpec]) -> list[ShiftSpec]:
    """The shifts ordered by start time, or ShiftConfigError naming the first problem."""
    if not specs:
        raise ShiftConfigError("a team needs at least one shift")
    names = [s.name for s in specs]
    for spec in specs:
        if not spec.name.strip() or len(spec.name) > SHIFT_NAME_MAX or spec.name != spec.name.strip():
            raise ShiftConfigError(f"shift name {spec.name!r}: 1-{SHIFT_NAME_MAX} characters, no surrounding spaces")
        try:
            check_text("shift name", spec.name, limit=SHIFT_NAME_MAX)
        except ValueError as exc:
            raise ShiftConfigError(str(exc)) from None
        parse_hhmm(spec.start), parse_hhmm(spec.end)
    if len(set(names)) != len(names):
        raise ShiftConfigError(f"shift names must be unique: {', '.join(names)}")
    zones = {s.tz for s in specs}
    if len(zones) != 1:
        raise ShiftConfigError(f"all shifts of a team share one time zone, not {', '.join(sorted(zones))}")
    _zone(specs[0].tz)
    ordered = sorted(specs, key=lambda s: s.start_minute)
    if len(ordered) == 1:
        if ordered[0].start_minute != ordered[0].end_minute:
            raise ShiftConfigError(
                f"a single shift must cover the whole day: {ordered[0].name} ends at "
                f"{ordered[0].end}, so set its end to its start {ordered[0].start}")
        return ordered
    for here, after in zip(ordered, ordered[1:] + ordered[:1], strict=True):
        if here.start_minute == here.end_minute:
            raise ShiftConfigError(f"shift {here.name} starts and ends at {here.start}")
        if here.start_minute == after.start_minute:
            raise ShiftConfigError(f"shifts {here.name} and {after.name} both start at {here.start}")
        if here.end_minute != after.start_minute:
            kind = "gap" if (after.start_minute - here.end_minute) % DAY_MINUTES < (
                after.start_minute - here.start_minute) % DAY_MINUTES else "overlap"
            raise ShiftConfigError(
                f"shifts must tile the day: {here.name} ends at {here.end} but the next shift, "
                f"{after.name}, starts at {after.start} ({kind})")
    return ordered


# -- window arithmetic (pure) ---------------------------------------------------------------------


def resolve_local(day: date, minute: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time: skipped times go to the jump, repeated ones to the first."""
    wall = datetime.combine(day, time(minute // 60, minute % 60))
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # Inside a gap: fold=1 lands before the jump, fold=0 after it; find the jump itself.
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    high = first
    if low > high:
        low, high = high, low
    before = low.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        mid = low + (high - low) / 2
        mid = mid.replace(microsecond=0)
        if mid <= low:
            break
        if mid.astimezone(zone).utcoffset() == before:
            low = mid
        else:
            high = mid
    return high


def window_for(spec: ShiftSpec, local_date: date) -> ShiftWindow:
    """The occurrence of `spec` that starts on `local_date` (local to the shift's zone)."""
    zone = ZoneInfo(spec.tz)
    end_day = local_date + timedelta(days=1) if spec.overnight else local_date
    return ShiftWindow(spec.name, resolve_local(local_date, spec.start_minute, zone),
                       resolve_local(end_day, spec.end_minute, zone), local_date, spec.tz)


def windows_on(specs: Sequence[ShiftSpec], local_date: date) -> list[ShiftWindow]:
    """Every shift starting on a local date, in day order (may include empty DST windows)."""
    return [window_for(s, local_date) for s in sorted(specs, key=lambda s: s.start_minute)]


def window_at(specs: Sequence[ShiftSpec], at: datetime) -> ShiftWindow:
    """The window holding instant `at`."""
    at = ensure_utc(at, field="at")
    day = at.astimezone(ZoneInfo(specs[0].tz)).date()
    for offset in (0, -1, 1, -2):
        for window in windows_on(specs, day + timedelta(days=offset)):
            if window.contains(at):
                return window
    raise ShiftConfigError("the shifts do not cover this instant; check that they tile the day")


def following(specs: Sequence[ShiftSpec], window: ShiftWindow) -> ShiftWindow:
    """The non-empty window that starts where `window` ends."""
    return window_at(specs, window.end)


def preceding(specs: Sequence[ShiftSpec], window: ShiftWindow) -> ShiftWindow:
    """The non-empty window that ends where `window` starts."""
    return window_at(specs, window.start - timedelta(microseconds=1))


def windows_between(specs: Sequence[ShiftSpec], start: datetime, end: datetime) -> list[ShiftWindow]:
    """Non-empty windows overlapping [start, end), oldest first."""
    out: list[ShiftWindow] = []
    window = window_at(specs, start)
    while window.start < end:
        out.append(window)
        window = following(specs, window)
    return out


# -- reading from the database --------------------------------------------------------------------


def _spec(row: Shift) -> ShiftSpec:
    return ShiftSpec(row.name, row.start, row.end, row.tz)


def _rows(session: Session, team: str) -> list[Shift]:
    return list(session.exec(select(Shift).where(Shift.team == team).order_by(Shift.position, Shift.id)).all())


def list_shifts(session: Session, team: str = "default") -> list[ShiftSpec]:
    """A team's shifts in day order; a team with none of its own uses the default team's."""
    rows = _rows(session, team) or (_rows(session, "default") if team != "default" else [])
    if not rows:
        raise NotFound(f"no shifts configured for team {team!r}; run `shiftdesk init` first")
    return sorted((_spec(r) for r in rows), key=lambda s: s.start_minute)


def team_timezone(session: Session, team: str = "default") -> str:
    return list_shifts(session, team)[0].tz


def current_shift(session: Session, now: datetime, team: str = "default") -> ShiftWindow:
    return window_at(list_shifts(session, team), now)


def previous_shift(session: Session, now: datetime, team: str = "default") -> ShiftWindow:
    specs = list_shifts(session, team)
    return preceding(specs, window_at(specs, now))


def next_shift(session: Session, now: datetime, team: str = "default") -> ShiftWindow:
    specs = list_shifts(session, team)
    return following(specs, window_at(specs, now))


def shift_window(session: Session, name: str, local_date: date, team: str = "default") -> ShiftWindow:
    """The occurrence of shift `name` that starts on `local_date`."""
    for spec in list_shifts(session, team):
        if spec.name == name:
            return window_for(spec, local_date)
    raise NotFound(f"no shift named {name!r} in team {team!r}")


# -- editing --------------------------------------------------------------------------------------


def _store(session: Session, at: datetime, team: str, before: list[ShiftSpec], after: list[ShiftSpec],
           actor_id: int | None, action: str) -> list[ShiftSpec]:
    ordered = validate(after)
    rows = {r.name: r for r in _rows(session, team)}
    for position, spec in enumerate(ordered):
        row = rows.pop(spec.name, None) or Shift(team=team, name=spec.name, start=spec.start, end=spec.end)
        row.start, row.end, row.tz, row.position = spec.start, spec.end, spec.tz, position
        session.add(row)
    for row in rows.values():
        session.delete(row)
    session.flush()
    record_audit(session, at, actor_id, "shift", None, action,
                 {"team": team, "shifts": [[s.name, s.start, s.end, s.tz] for s in before]},
                 {"team": team, "shifts": [[s.name, s.start, s.end, s.tz] for s in ordered]})
    return ordered


def _own(session: Session, team: str) -> list[ShiftSpec]:
    """The team's own shifts; a team still on the default team's shifts starts from a copy.
    Every edit starts here, so a bad team name is refused before anything is planned."""
    try:
        check_team("team", team)
    except ValueError as exc:
        raise ShiftConfigError(str(exc)) from None
    return list_shifts(session, team)


def _index(specs: list[ShiftSpec], name: str) -> int:
    for i, spec in enumerate(specs):
        if spec.name == name:
            return i
    raise NotFound(f"no shift named {name!r}; shifts are {', '.join(s.name for s in specs)}")


def plan_update(specs: Sequence[ShiftSpec], name: str, *, start: str | None = None,
                end: str | None = None) -> list[ShiftSpec]:
    """The shifts after moving `name`'s start and/or end, with the neighbours' shared boundaries."""
    current = validate(specs)
    i = _index(current, name)
    shifts = list(current)
    n = len(shifts)
    if start is not None:
        start = _format(parse_hhmm(start))
        shifts[i] = replace(shifts[i], start=start)
        if n > 1:
            shifts[(i - 1) % n] = replace(shifts[(i - 1) % n], end=start)
        elif end is None:
            shifts[i] = replace(shifts[i], end=start)
    if end is not None:
        end = _format(parse_hhmm(end))
        shifts[i] = replace(shifts[i], end=end)
        if n > 1:
            shifts[(i + 1) % n] = replace(shifts[(i + 1) % n], start=end)
    return validate(shifts)


def plan_add(specs: Sequence[ShiftSpec], name: str, start: str, end: str) -> list[ShiftSpec]:
    """The shifts after carving a new one from one end of the shift it falls inside."""
    current = validate(specs)
    if any(s.name == name for s in current):
        raise ShiftConfigError(f"a shift named {name!r} already exists")
    new = ShiftSpec(name, _format(parse_hhmm(start)), _format(parse_hhmm(end)), current[0].tz)
    if new.start_minute == new.end_minute:
        raise ShiftConfigError(f"shift {name} starts and ends at {new.start}")
    for i, host in enumerate(current):
        offset = (new.start_minute - host.start_minute) % DAY_MINUTES
        if offset + new.length_minutes > host.length_minutes:
            continue
        if new.length_minutes == host.length_minutes:
            raise ShiftConfigError(f"{name} would replace {host.name} entirely; remove or edit {host.name}")
        shifts = list(current)
        if offset == 0:
            shifts[i] = replace(host, start=new.end)
        elif offset + new.length_minutes == host.length_minutes:
            shifts[i] = replace(host, end=new.start)
        else:
            raise ShiftConfigError(
                f"{name} ({new.start}-{new.end}) would split {host.name} ({host.start}-{host.end}) in two; "
                f"start it at {host.start} or end it at {host.end}")
        return validate([*shifts, new])
    raise ShiftConfigError(f"{name} ({new.start}-{new.end}) must lie within one existing shift")


def plan_remove(specs: Sequence[ShiftSpec], name: str) -> list[ShiftSpec]:
    """The shifts after removing `name`; the shift before it takes over its hours."""
    current = validate(specs)
    i = _index(current, name)
    if len(current) == 1:
        raise ShiftConfigError("a team needs at least one shift")
    gone = current[i]
    shifts = list(current)
    before = (i - 1) % len(shifts)
    shifts[before] = replace(shifts[before], end=gone.end)
    del shifts[i]
    return validate(shifts)


def update_shift(session: Session, at: datetime, name: str, *, start: str | None = None,
                 end: str | None = None, team: str = "default", actor_id: int | None = None) -> list[ShiftSpec]:
    before = _own(session, team)
    return _store(session, at, team, before, plan_update(before, name, start=start, end=end), actor_id, "update")


def add_shift(session: Session, at: datetime, name: str, start: str, end: str, *, team: str = "default",
              actor_id: int | None = None) -> list[ShiftSpec]:
    before = _own(session, team)
    return _store(session, at, team, before, plan_add(before, name.strip(), start, end), actor_id, "add")


def remove_shift(session: Session, at: datetime, name: str, *, team: str = "default",
                 actor_id: int | None = None) -> list[ShiftSpec]:
    before = _own(session, team)
    return _store(session, at, team, before, plan_remove(before, name), actor_id, "remove")


def set_timezone(session: Session, at: datetime, tz: str, *, team: str = "default",
                 actor_id: int | None = None) -> list[ShiftSpec]:
    _zone(tz)
    before = _own(session, team)
    return _store(session, at, team, before, [replace(s, tz=tz) for s in before], actor_id, "timezone")
