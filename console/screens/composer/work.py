"""What the composer does off the UI thread: load the ticket and templates, save drafts, send.

Plain functions, called from `@work(thread=True)` workers; they touch no widget and return
frozen values (store views, drafts) that the screen turns into state on the UI thread.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from console import sanitize
from console.i18n import has, t
from console.services import Services
from store.replies.drafts import (
    Draft,
    SentReply,
    load_draft,
    save_draft,
    send_reply,
    ticket_language,
)
from store.replies.library import (
    PERSONAL_TARGET,
    LoadResult,
    ReplyTemplate,
    find_unfilled,
    load_templates,
    ticket_values,
    user_templates_path,
)
from store.views import EventView, TicketDetail

__all__ = [
    "PERSONAL_TARGET",
    "ComposerData",
    "Snapshot",
    "clean_body",
    "fill_values",
    "load_composer",
    "open_names",
    "reload_detail",
    "save_snapshot",
    "send_snapshot",
    "template_library",
]


@dataclass(frozen=True, slots=True)
class Snapshot:
    """What a draft holds: the text, and the template it began from with that template's filled text."""

    body: str = ""
    template_key: str = ""
    template_text: str = ""


@dataclass(frozen=True)
class ComposerData:
    """Everything the composer needs to open on a ticket."""

    detail: TicketDetail
    language: str  # the ticket's language: its templates come first
    draft: Draft | None
    templates: dict[str, ReplyTemplate] = field(default_factory=dict)
    template_problems: int = 0


_library: tuple[tuple[str, float], LoadResult] | None = None
_library_lock = threading.Lock()


def template_library() -> LoadResult:
    """Shipped and user templates, re-read only when the user's file changed."""
    global _library
    path = user_templates_path()
    try:
        stamp = (os.fspath(path), path.stat().st_mtime)
    except OSError:
        stamp = (os.fspath(path), -1.0)
    with _library_lock:
        if _library is None or _library[0] != stamp:
            _library = (stamp, load_templates(Path(path)))
        return _library[1]


# Text entering the editor: newlines kept, every other control made visible, nothing cut. The one
# sanitiser's editor form, the same as every SafeTextArea's.
clean_body = sanitize.clean_editable


def _reader(session):
    from store.db.reader import session_unit

    return session_unit(session)


def _detail(services: Services, ticket_id: int) -> tuple[TicketDetail | None, str | None, Draft | None]:
    from store.tickets.queue import ticket_detail

    with services.db.read() as session:
        detail = ticket_detail(ticket_id, conn=_reader(session), clean=sanitize)
        language = ticket_language(session, ticket_id)
        draft = load_draft(session, services.agent.id, ticket_id)
    return detail, language, draft


def load_composer(services: Services, ticket_id: int) -> ComposerData | None:
    """The ticket in full, its language, the agent's draft and the template library (None: no ticket)."""
    detail, language, draft = _detail(services, ticket_id)
    if detail is None:
        return None
    library = template_library()
    return ComposerData(detail=detail, language=language or detail.customer.language or "zh-TW", draft=draft,
                        templates=dict(library.templates), template_problems=len(library.errors))


def reload_detail(services: Services, ticket_id: int) -> TicketDetail | None:
    return _detail(services, ticket_id)[0]


def _label(group: str, value: str, language: str) -> str:
    key = f"{group}.{value}"
    return t(key, lang=language) if has(key) else value


def fill_values(detail: TicketDetail, language: str, agent: str) -> dict[str, str]:
    """Values for the template's placeholders, every one a cleaned single line.

    Status and tier are worded in the template's language, not the screen's.
    """
    fields = {sanitize.clean_line(k, limit=64): sanitize.clean_line(v) for k, v in detail.fields}
    return ticket_values(
        customer=sanitize.clean_line(detail.customer.name),
        ticket_id=detail.id,
        agent=sanitize.clean_line(agent),
        status=_label("status", detail.row.status, language),
        tier=_label("tier", detail.customer.tier, language),
        fields=fields,
    )


def open_names(template: ReplyTemplate | None, values: Mapping[str, str], template_text: str) -> frozenset[str]:
    """Which `{name}`s are holes in a reply that began from this template.

    Filling again tells exactly which were left open; without the template (deleted since the
    draft was saved) every `{name}` in the saved text that no value fills counts.
    """
    if template is not None:
        return frozenset(p.name for p in template.fill(values).unfilled)
    return frozenset(p.name for p in find_unfilled(template_text) if p.name not in values)


def save_snapshot(services: Services, ticket_id: int, snapshot: Snapshot) -> None:
    with services.db.write() as session:
        save_draft(session, agent_id=services.agent.id, ticket_id=ticket_id, body=snapshot.body,
                   template_key=snapshot.template_key, template_text=snapshot.template_text, at=services.now())


def send_snapshot(services: Services, ticket_id: int, body: str, template_key: str, *, set_status: str | None,
                  expected_version: int) -> SentReply:
    with services.db.write() as session:
        return send_reply(session, services.now(), agent_id=services.agent.id, ticket_id=ticket_id, body=body,
                          set_status=set_status, expected_version=expected_version,
                          template_key=template_key or None)


def newer_events(detail: TicketDetail, last_event_id: int) -> list[EventView]:
    """Events after the last one the agent saw (what changed while they were writing)."""
    return [event for event in detail.events if event.id > last_event_id]


def mark_presence(services: Services, ticket_id: int, activity: str) -> None:
    """Tell other consoles this agent is writing a reply (or back to viewing); in a worker or thread.

    A courtesy: its failures are logged only (console/failures.py), never shown.
    """
    from store.tickets.presence import touch

    with services.db.write() as session:
        touch(session, services.agent.id, ticket_id, activity, services.clock.now())
