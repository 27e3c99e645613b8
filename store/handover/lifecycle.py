"""A handover's life: drafted, saved (version-checked), submitted, amended, acknowledged.

One handover per team, shift and local date. Leads write and acknowledge; every write is
one conditional UPDATE, so two consoles never silently overwrite each other: a save that
finds another version refuses with HandoverConflict carrying what is stored now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from store.audit import record_audit
from store.db.reader import session_unit
from store.errors import NotFound, ShiftdeskError
from store.handover.content import HandoverContent
from store.handover.draft import build
from store.models import Handover, HandoverAddendum
from store.team.agents import AgentView, require_role
from store.team.names import person_labels
from store.team.shifts import (
    ShiftWindow,
    following,
    list_shifts,
    preceding,
    shift_window,
    window_at,
)

# A lead who opens the console this soon after a shift began still writes the previous
# shift's handover if it was not submitted yet.
GRACE = timedelta(minutes=30)
STATUSES = ("draft", "submitted", "acknowledged")


class HandoverConflict(ShiftdeskError):
    """Someone saved (or submitted) this handover since it was loaded; `current` is what is stored."""

    def __init__(self, current: HandoverView, expected: int) -> None:
        who = current.content.saved_by or current.author or "?"
        super().__init__(f"handover #{current.id} was changed by {who} (version {expected}, now "
                         f"{current.version}); reload and merge")
        self.current, self.expected = current, expected


class HandoverStateError(ShiftdeskError):
    """The action does not fit the handover's status (e.g. editing a submitted one)."""


@dataclass(frozen=True)
class AddendumView:
    id: int
    author: str
    at: datetime
    body: str


@dataclass(frozen=True)
class HandoverView:
    id: int
    team: str
    shift_date: date
    from_shift: str
    to_shift: str
    status: str
    version: int
    content: HandoverContent
    author: str
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    acknowledged_by: str
    acknowledged_at: datetime | None
    ack_reply: str
    author_id: int | None = None
    addenda: tuple[AddendumView, ...] = ()

    @property
    def editable(self) -> bool:
        return self.status == "draft"


@dataclass(frozen=True)
class HandoverRow:
    """One line of the history list."""

    id: int
    shift_date: date
    from_shift: str
    to_shift: str
    status: str
    author: str
    submitted_at: datetime | None
    acknowledged_by: str
    acknowledged_at: datetime | None


# -- reading -------------------------------------------------------------------------------------


def _names(session: Session) -> dict[int, str]:
    """People as every screen names them (display name, login beside a shared one)."""
    return person_labels(session_unit(session))


def _view(session: Session, row: Handover) -> HandoverView:
    addenda = session.exec(select(HandoverAddendum).where(HandoverAddendum.handover_id == row.id)
                           .order_by(col(HandoverAddendum.at), col(HandoverAddendum.id))).all()
    names = _names(session)
    return HandoverView(
        id=row.id or 0, team=row.team, shift_date=date.fromisoformat(row.shift_date), from_shift=row.from_shift,
        to_shift=row.to_shift, status=row.status, version=row.version,
        content=HandoverContent.from_json(row.content), author=names.get(row.author_id or 0, ""),
        created_at=row.created_at, updated_at=row.updated_at, submitted_at=row.submitted_at,
        acknowledged_by=names.get(row.acknowledged_by or 0, ""), acknowledged_at=row.acknowledged_at,
        ack_reply=row.ack_reply, author_id=row.author_id,
        addenda=tuple(AddendumView(a.id or 0, names.get(a.author_id or 0, ""), a.at, a.body) for a in addenda),
    )


def _row(session: Session, handover_id: int) -> Handover:
    row = session.get(Handover, handover_id)
    if row is None:
        raise NotFound(f"handover #{handover_id} does not exist")
    session.refresh(row)
    return row


def get_handover(session: Session, handover_id: int) -> HandoverView:
    return _view(session, _row(session, handover_id))


def find_handover(session: Session, window: ShiftWindow, team: str = "default") -> HandoverView | None:
    row = session.exec(select(Handover).where(Handover.team == team, Handover.shift_date == window.local_date.isoformat(),
                                              Handover.from_shift == window.name)).first()
    return None if row is None else _view(session, row)


def latest_handover(session: Session, team: str = "default", *, submitted_only: bool = True) -> HandoverView | None:
    query = select(Handover).where(Handover.team == team)
    if submitted_only:
        query = query.where(Handover.status != "draft")
    row = session.exec(query.order_by(col(Handover.shift_date).desc(), col(Handover.created_at).desc(),
                                      col(Handover.id).desc()).limit(1)).first()
    return None if row is None else _view(session, row)


def list_handovers(session: Session, team: str = "default", *, search: str = "", limit: int = 200,
                   offset: int = 0) -> list[HandoverRow]:
    """Newest first; `search` matches the handover's text and addenda, case-insensitively."""
    query = (
        select(Handover.id, Handover.shift_date, Handover.from_shift, Handover.to_shift, Handover.status,
               Handover.author_id, Handover.submitted_at, Handover.acknowledged_by, Handover.acknowledged_at)
        .where(Handover.team == team)
    )
    needle = search.strip()
    if needle:
        escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(col(Handover.search_text).ilike(f"%{escaped}%", escape="\\"))
    query = query.order_by(col(Handover.shift_date).desc(), col(Handover.created_at).desc(), col(Handover.id).desc())
    rows = session.exec(query.offset(offset).limit(limit)).all()
    names = _names(session) if rows else {}
    return [HandoverRow(r[0], date.fromisoformat(r[1]), r[2], r[3], r[4], names.get(r[5], ""), r[6],
                        names.get(r[7], ""), r[8]) for r in rows]


# -- which shift is handing over -------------------------------------------------------------------


def handover_windows(session: Session, now: datetime, team: str = "default") -> tuple[ShiftWindow, ShiftWindow]:
    """(ending shift, incoming shift) for a handover written now.

    Normally the current shift hands over to the next; in the first GRACE of a shift, the
    previous shift's handover is still the one to write if it was not submitted.
    """
    specs = list_shifts(session, team)
    current = window_at(specs, now)
    before = preceding(specs, current)
    if now - current.start < GRACE:
        existing = find_handover(session, before, team)
        if existing is None or existing.status == "draft":
            return before, current
    return current, following(specs, current)


def awaiting_acknowledgement(session: Session, now: datetime, agent: AgentView,
                             team: str = "default") -> HandoverView | None:
    """A submitted handover to the agent's shift (just begun or about to) that nobody acknowledged."""
    if agent.role not in ("lead", "supervisor"):
        return None
    specs = list_shifts(session, team)
    current = window_at(specs, now)
    for window in (current, preceding(specs, current)):
        found = find_handover(session, window, team)
        if found is not None and found.status == "submitted" and found.author_id != agent.id:
            return found
    return None


# -- writing ---------------------------------------------------------------------------------------


def _search_text(row: Handover, content: HandoverContent, addenda: list[str]) -> str:
    head = f"{row.shift_date} {row.shift_date.replace('-', '/')} {row.from_shift} {row.to_shift}"
    return "\n".join([head, content.plain_text(), *addenda])


def open_draft(session: Session, at: datetime, agent: AgentView, ending: ShiftWindow, incoming: ShiftWindow,
               team: str = "default") -> HandoverView:
    """The handover for `ending`, drafted from live data if it does not exist yet."""
    require_role(agent, "lead", "handover")
    existing = find_handover(session, ending, team)
    if existing is not None:
        return existing
    content = build(session, ending, at, saved_by=agent.name)
    row = Handover(team=team, shift_date=ending.local_date.isoformat(), from_shift=ending.name,
                   to_shift=incoming.name, author_id=agent.id, status="draft", content=content.to_json(),
                   created_at=at, updated_at=at)
    row.search_text = _search_text(row, content, [])
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # another console drafted it a moment ago
        found = find_handover(session, ending, team)
        if found is None:
            raise
        return found
    record_audit(session, at, agent.id, "handover", row.id, "draft", {}, {"shift": ending.name,
                                                                         "date": row.shift_date})
    return _view(session, row)


def drafted_window(session: Session, view: HandoverView) -> ShiftWindow:
    """The shift window a handover covers, as drafted (shift edits later do not move it)."""
    content = view.content
    if content.window_start and content.window_end:
        return ShiftWindow(view.from_shift, datetime.fromisoformat(content.window_start),
                           datetime.fromisoformat(content.window_end), view.shift_date, content.tz)
    return shift_window(session, view.from_shift, view.shift_date, view.team)


def fresh_content(session: Session, at: datetime, view: HandoverView) -> HandoverContent:
    """Live data for the handover's shift as of `at` (to fold into the draft with `refreshed`)."""
    return build(session, drafted_window(session, view), at)


def _conditional(session: Session, handover_id: int, expected_version: int, values: dict) -> None:
    result = session.execute(
        update(Handover)
        .where(col(Handover.id) == handover_id, col(Handover.version) == expected_version,
               col(Handover.status) == "draft")
        .values(version=Handover.version + 1, **values)
    )
    if result.rowcount != 1:
        current = _view(session, _row(session, handover_id))
        raise HandoverConflict(current, expected_version)


def save_draft(session: Session, at: datetime, handover_id: int, content: HandoverContent, expected_version: int,
               agent: AgentView) -> HandoverView:
    """Store an edited draft if nobody saved since `expected_version`; else HandoverConflict."""
    require_role(agent, "lead", "handover edit")
    row = _row(session, handover_id)
    stamped = HandoverContent.from_json({**content.to_json(), "saved_by": agent.name})
    _conditional(session, handover_id, expected_version, {
        "content": stamped.to_json(), "updated_at": at, "search_text": _search_text(row, stamped, []),
    })
    return get_handover(session, handover_id)


def keep_refused(session: Session, at: datetime, handover_id: int, content: HandoverContent, agent: AgentView) -> None:
    """Put a refused save's text in the audit trail, so nothing a lead wrote is lost."""
    record_audit(session, at, agent.id, "handover", handover_id, "refused_save", {}, {"content": content.to_json()})


def submit(session: Session, at: datetime, handover_id: int, content: HandoverContent, expected_version: int,
           agent: AgentView) -> HandoverView:
    """Save and fix the handover in one step; from now on corrections are addenda."""
    require_role(agent, "lead", "handover submit")
    row = _row(session, handover_id)
    stamped = HandoverContent.from_json({**content.to_json(), "saved_by": agent.name})
    _conditional(session, handover_id, expected_version, {
        "content": stamped.to_json(), "updated_at": at, "status": "submitted", "submitted_at": at,
        "author_id": agent.id, "search_text": _search_text(row, stamped, []),
    })
    record_audit(session, at, agent.id, "handover", handover_id, "submit", {"status": "draft"},
                 {"status": "submitted", "version": expected_version + 1})
    return get_handover(session, handover_id)


def add_addendum(session: Session, at: datetime, handover_id: int, agent: AgentView, body: str) -> HandoverView:
    """A correction to a submitted handover, kept with its author and time."""
    require_role(agent, "lead", "handover addendum")
    body = body.strip()
    if not body:
        raise ValueError("addendum: the text is empty")
    row = _row(session, handover_id)
    if row.status == "draft":
        raise HandoverStateError(f"handover #{handover_id} is still a draft; edit it instead of adding an addendum")
    session.add(HandoverAddendum(handover_id=handover_id, author_id=agent.id, at=at, body=body))
    session.execute(update(Handover).where(col(Handover.id) == handover_id)
                    .values(search_text=Handover.search_text + "\n" + body))
    record_audit(session, at, agent.id, "handover", handover_id, "addendum", {}, {"length": len(body)})
    session.flush()
    return get_handover(session, handover_id)


def acknowledge(session: Session, at: datetime, handover_id: int, agent: AgentView, reply: str = "") -> HandoverView:
    """The incoming lead confirms they read it (once; the author cannot acknowledge their own)."""
    require_role(agent, "lead", "handover acknowledge")
    row = _row(session, handover_id)
    if row.status == "draft":
        raise HandoverStateError(f"handover #{handover_id} is not submitted yet")
    if row.author_id == agent.id:
        raise HandoverStateError("the incoming lead acknowledges a handover, not its author")
    result = session.execute(
        update(Handover).where(col(Handover.id) == handover_id, col(Handover.status) == "submitted")
        .values(status="acknowledged", acknowledged_by=agent.id, acknowledged_at=at, ack_reply=reply.strip(),
                search_text=Handover.search_text + "\n" + reply.strip())
    )
    if result.rowcount != 1:
        current = get_handover(session, handover_id)
        raise HandoverStateError(f"handover #{handover_id} was already acknowledged by {current.acknowledged_by} "
                                 f"at {current.acknowledged_at:%Y-%m-%d %H:%M} UTC")
    record_audit(session, at, agent.id, "handover", handover_id, "acknowledge", {"status": "submitted"},
                 {"status": "acknowledged"})
    return get_handover(session, handover_id)
