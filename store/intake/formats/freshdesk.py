"""Freshdesk's ticket export (Tickets > Export, CSV): one row per ticket, labelled columns.

Freshdesk writes Status, Priority and Source as labels ("Resolved", "Medium", "Portal") or,
from API dumps, as their numeric codes; both are read. Its times carry no zone (they are
in the helpdesk's time zone), so `--tz` must say which. Columns Shiftdesk has no place for
are kept in the ticket's fields under their own names. Ids are kept as `freshdesk:<id>`.
"""

from __future__ import annotations

from store.intake.formats.generic import CATEGORY_LIMIT, ID_LIMIT, NAME_LIMIT, Options, digest
from store.intake.records import CustomerIn, Record, StatusIn, TicketIn
from store.intake.values import FieldError, Gather, choice, parse_time, repair, text
from store.models import CHANNELS, PRIORITIES, STATUSES

REQUIRED = ("Ticket ID", "Subject", "Status", "Priority", "Created time")
STATUS_ALIASES = {
    "2": "open", "3": "pending", "4": "solved", "5": "closed", "6": "pending", "7": "on_hold",
    "resolved": "solved", "waiting on customer": "pending", "waiting on third party": "on_hold",
}
PRIORITY_ALIASES = {"1": "low", "2": "normal", "3": "high", "4": "urgent", "medium": "normal"}
SOURCE_ALIASES = {
    "1": "email", "2": "web", "3": "phone", "7": "chat", "9": "web", "10": "email",
    "portal": "web", "feedback widget": "web", "feedback_widget": "web", "forum": "web", "outbound email": "email",
    "mobihelp": "chat", "bot": "chat", "twitter": "social", "facebook": "social", "whatsapp": "social",
    "instagram": "social", "line": "social",
}
# Columns read into Shiftdesk's own fields; every other non-empty column goes to ticket.fields.
CONSUMED = ("ticket id", "subject", "description", "status", "priority", "source", "created time",
            "last update time", "resolved time", "closed time", "full name", "requester name", "email",
            "requester email", "contact id", "category")


def looks_like(header: list[str]) -> bool:
    names = {h.casefold() for h in header}
    return "ticket id" in names and "created time" in names


def missing_columns(header: list[str]) -> list[str]:
    names = {h.casefold() for h in header}
    return [c for c in REQUIRED if c.casefold() not in names]


def needs_zone(first_row: dict[str, str], opts: Options) -> bool:
    """True when the export's times are naive and no --tz was given (say so once, not per row)."""
    if opts.zone is not None:
        return False
    value = _get(first_row, "created time")
    try:
        parse_time(value, "Created time", zone=None, now=opts.now)
    except FieldError as exc:
        return exc.code == "naive_time"
    return False


def _get(row: dict[str, str], name: str) -> str:
    for key, value in row.items():
        if key.casefold() == name:
            return value.strip() if name != "description" else value
    return ""


def _time(row: dict[str, str], name: str, label: str, opts: Options):
    value = _get(row, name)
    return parse_time(value, label, zone=opts.zone, now=opts.now) if value else None


def row(data: dict[str, str], line: int, opts: Options) -> list[Record]:
    """One exported ticket: the ticket, and its resolve and close as status changes; FieldError
    naming every column that is wrong."""
    g = Gather()
    repairs: list[str] = []
    ticket_id = _get(data, "ticket id")
    if not ticket_id:
        g.fail("field_missing", field="Ticket ID")
    ext = f"freshdesk:{ticket_id}"
    if len(ext) > ID_LIMIT:
        g.fail("field_too_long", field="Ticket ID", length=len(ext), limit=ID_LIMIT)
    created = g.take(lambda: _time(data, "created time", "Created time", opts))
    if created is None and not any(e.params.get("field") == "Created time" for e in g.errors):
        g.fail("field_missing", field="Created time")
    resolved = g.take(lambda: _time(data, "resolved time", "Resolved time", opts))
    closed = g.take(lambda: _time(data, "closed time", "Closed time", opts))
    updated = g.take(lambda: _time(data, "last update time", "Last update time", opts))
    for label, value in (("Resolved time", resolved), ("Closed time", closed), ("Last update time", updated)):
        if value is not None and created is not None and value < created:
            g.fail("before_created", field=label, value=value.isoformat(), created=created.isoformat())
    status = g.take(lambda: choice(_get(data, "status") or _missing("Status"), "Status", STATUSES, STATUS_ALIASES))
    priority = g.take(lambda: choice(_get(data, "priority") or _missing("Priority"), "Priority", PRIORITIES,
                                     PRIORITY_ALIASES))
    source = _get(data, "source")
    fields: dict = {}
    channel = "email"
    if source:
        key = source.lower()
        channel = SOURCE_ALIASES.get(key, key)
        if channel not in CHANNELS:
            channel = "web"
            fields["Source"] = repair(source, "Source", repairs)
    subject = g.take(lambda: text({"s": _get(data, "subject")}, "s", required=True, label="Subject", repairs=repairs))
    body = repair(_get(data, "description"), "Description", repairs)
    name = g.take(lambda: text({"v": _get(data, "full name") or _get(data, "requester name")}, "v",
                               limit=NAME_LIMIT, label="Full name", repairs=repairs))
    email = g.take(lambda: text({"v": _get(data, "email") or _get(data, "requester email")}, "v", limit=NAME_LIMIT,
                                label="Email", repairs=repairs))
    contact_id = _get(data, "contact id")
    if not (name or email or contact_id) and not any(e.params.get("field") in ("Full name", "Email") for e in g.errors):
        g.fail("field_missing", field="Full name")
    customer = CustomerIn(name=name or email or f"#{contact_id}", contact=email or "",
                          external_id=f"freshdesk:contact:{contact_id}" if contact_id else None)
    category = _get(data, "category") or None
    if category and len(category) > CATEGORY_LIMIT:
        g.fail("field_too_long", field="Category", length=len(category), limit=CATEGORY_LIMIT)
    for key, value in data.items():
        if key.casefold() not in CONSUMED and value.strip():
            fields[key] = repair(value, key, repairs)
    g.check()
    assert created is not None and status is not None and priority is not None
    latest = max(t for t in (created, resolved, closed, updated) if t is not None)
    records: list[Record] = []
    final_status: str | None = status
    if status in ("solved", "closed"):
        final_status = None
        solved_at = resolved or closed or latest
        records.append(StatusIn(line, ext, solved_at, "solved", key=f"s:{digest(ext, 'solved')}"))
        if status == "closed":
            records.append(StatusIn(line, ext, max(closed or latest, solved_at), "closed",
                                    key=f"s:{digest(ext, 'closed')}"))
    ticket_in = TicketIn(
        line=line, external_id=ext, created_at=created, updated_at=latest, subject=subject, customer=customer,
        body=body, channel=channel, priority=priority, status=final_status, category=category,
        fields=fields, source="freshdesk", repairs=repairs,
    )
    return [ticket_in, *records]


def _missing(name: str) -> str:
    raise FieldError("field_missing", field=name)
