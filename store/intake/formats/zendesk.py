"""Zendesk ticket exports: the API's ticket objects (`via.channel`, `requester` or `requester_id`
with sideloaded `users`, `priority`, `status`, `created_at`, `updated_at`, `comments`).

The first comment is the ticket's description; later ones are customer messages (written
by the requester), agent replies (public) or internal notes (not public). Zendesk writes
times in UTC with a Z, so no zone has to be assumed. Ids are kept as `zendesk:<id>`.
"""

from __future__ import annotations

from store.intake.formats.generic import ID_LIMIT, NAME_LIMIT, Options, digest
from store.intake.records import CustomerIn, MessageIn, Record, TicketIn
from store.intake.values import FieldError, choice, kind_of, parse_time, repair, text
from store.models import PRIORITIES, STATUSES

CHANNELS = {
    "email": "email", "mail": "email",
    "web": "web", "web_form": "web", "web_widget": "web", "help_center": "web", "api": "web",
    "mobile": "web", "mobile_sdk": "web", "sample_ticket": "web",
    "chat": "chat", "chat_transcript": "chat", "native_messaging": "chat", "messaging": "chat", "sms": "chat",
    "voice": "phone", "phone": "phone",
    "twitter": "social", "facebook": "social", "instagram_dm": "social", "whatsapp": "social",
    "line": "social", "wechat": "social", "any_channel": "social",
}
STATUS_ALIASES = {"hold": "on_hold", "on-hold": "on_hold"}
SUBJECT_FALLBACK = 150


def looks_like(data: object) -> bool:
    return isinstance(data, dict) and ("via" in data or "requester_id" in data or "requester" in data) \
        and data.get("type") not in ("ticket", "message", "status", "survey")


def users_by_id(others: dict) -> dict[str, dict]:
    users = others.get("users")
    if not isinstance(users, list):
        return {}
    return {str(u["id"]): u for u in users if isinstance(u, dict) and "id" in u}


def _id(value: object, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, int | str) or str(value).strip() == "":
        raise FieldError("field_missing" if value in (None, "") else "field_type", field=field, expected="an id",
                         found=kind_of(value))
    return str(value).strip()


def _customer(data: dict, users: dict[str, dict], repairs: list[str]) -> tuple[CustomerIn, str | None]:
    person = data.get("requester")
    requester_id = data.get("requester_id")
    if isinstance(person, dict):
        requester_id = person.get("id", requester_id)
    elif requester_id is not None:
        person = users.get(str(requester_id))
    if requester_id is None and not isinstance(person, dict):
        raise FieldError("field_missing", field="requester_id")
    person = person if isinstance(person, dict) else {}
    name = text(person, "name", limit=NAME_LIMIT, label="requester.name", repairs=repairs)
    email = text(person, "email", limit=NAME_LIMIT, label="requester.email", repairs=repairs)
    ext = f"zendesk:user:{requester_id}" if requester_id is not None else None
    if ext and len(ext) > ID_LIMIT:
        raise FieldError("field_too_long", field="requester_id", length=len(ext), limit=ID_LIMIT)
    return CustomerIn(name=name or email or f"#{requester_id}", contact=email or "", external_id=ext), \
        (str(requester_id) if requester_id is not None else None)


def _comments(data: dict, ext: str, requester: str | None, users: dict[str, dict], line: int,
              opts: Options) -> list[MessageIn]:
    raw = data.get("comments") or []
    if not isinstance(raw, list):
        raise FieldError("field_type", field="comments", expected="a list", found=kind_of(raw))
    out: list[MessageIn] = []
    for i, comment in enumerate(raw):
        where = f"comments[{i}]"
        if not isinstance(comment, dict):
            raise FieldError("field_type", field=where, expected="an object", found=kind_of(comment))
        repairs: list[str] = []
        at = parse_time(comment.get("created_at"), f"{where}.created_at", zone=opts.zone, now=opts.now)
        body = None
        for name in ("plain_body", "body", "html_body"):
            if comment.get(name) not in (None, ""):
                body = text(comment, name, label=f"{where}.{name}", repairs=repairs)
                break
        author = str(comment.get("author_id")) if comment.get("author_id") is not None else None
        if author is not None and author == requester:
            kind = "customer"
        else:
            kind = "agent" if comment.get("public", True) is not False else "note"
        agent_name = None
        if kind != "customer" and author is not None:
            agent_name = str(users.get(author, {}).get("name") or f"zendesk:user:{author}")
        key = f"zendesk:comment:{comment['id']}" if comment.get("id") is not None else \
            f"m#{digest(at.isoformat(), kind, body or '')}"
        out.append(MessageIn(line, ext, at, body or "", author=kind, agent=agent_name, key=key, repairs=repairs))
    out.sort(key=lambda m: m.at)
    return out


def ticket(data: object, line: int, opts: Options, users: dict[str, dict]) -> list[Record]:
    """One Zendesk ticket object: the ticket, then its later comments as messages."""
    if not isinstance(data, dict):
        raise FieldError("field_type", field="ticket", expected="an object", found=kind_of(data))
    repairs: list[str] = []
    ext = f"zendesk:{_id(data.get('id'), 'id')}"
    if len(ext) > ID_LIMIT:
        raise FieldError("field_too_long", field="id", length=len(ext), limit=ID_LIMIT)
    created = parse_time(data.get("created_at"), "created_at", zone=opts.zone, now=opts.now)
    updated_raw = data.get("updated_at")
    updated = parse_time(updated_raw, "updated_at", zone=opts.zone, now=opts.now) if updated_raw else created
    if updated < created:
        raise FieldError("before_created", field="updated_at", value=updated.isoformat(), created=created.isoformat())
    customer, requester = _customer(data, users, repairs)
    comments = _comments(data, ext, requester, users, line, opts)
    for i, message in enumerate(comments):
        if message.at < created:
            raise FieldError("before_created", field=f"comments[{i}].created_at", value=message.at.isoformat(),
                             created=created.isoformat())
    description = text(data, "description", label="description", repairs=repairs, allow_blank=True) or ""
    body = description
    if comments:
        first = comments.pop(0)
        body = first.body or description
        repairs.extend(first.repairs)
    # Replies (public or not) need words; an empty one cannot be recorded, so it is dropped here.
    comments = [m for m in comments if m.body.strip()]
    subject = text(data, "subject", repairs=repairs) or text(data, "raw_subject", repairs=repairs)
    if not subject:
        first_line = body.strip().split("\n", 1)[0] if body.strip() else ""
        subject = first_line[:SUBJECT_FALLBACK] or ext
    via = data.get("via") if isinstance(data.get("via"), dict) else {}
    source_channel = str(via.get("channel") or "").strip().lower()
    fields: dict = {}
    channel = CHANNELS.get(source_channel)
    if channel is None:
        channel = "web"
        if source_channel:
            fields["via_channel"] = source_channel
    priority = data.get("priority")
    status = data.get("status")
    _keep(data, fields, repairs)
    ticket_in = TicketIn(
        line=line, external_id=ext, created_at=created, updated_at=updated, subject=subject, customer=customer,
        body=body, channel=channel,
        priority=choice(priority, "priority", PRIORITIES) if priority not in (None, "") else None,
        status=choice(status, "status", STATUSES, STATUS_ALIASES) if status not in (None, "") else None,
        fields=fields, source="zendesk", repairs=repairs,
    )
    return [ticket_in, *comments]


def _keep(data: dict, fields: dict, repairs: list[str]) -> None:
    """Zendesk facts Shiftdesk has no column for, kept on the ticket so nothing is lost."""
    tags = data.get("tags")
    if isinstance(tags, list) and tags:
        fields["tags"] = repair(", ".join(str(t) for t in tags), "tags", repairs)
    for name, key in (("type", "zendesk_type"), ("external_id", "zendesk_external_id"),
                      ("assignee_id", "zendesk_assignee_id"), ("group_id", "zendesk_group_id"),
                      ("organization_id", "zendesk_organization_id")):
        value = data.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool) and value != "":
            fields[key] = repair(value, key, repairs) if isinstance(value, str) else value
    rating = data.get("satisfaction_rating")
    if isinstance(rating, dict) and rating.get("score") not in (None, "unoffered", "offered"):
        fields["satisfaction"] = str(rating.get("score"))
        if isinstance(rating.get("comment"), str) and rating["comment"]:
            fields["satisfaction_comment"] = repair(rating["comment"], "satisfaction_comment", repairs)
