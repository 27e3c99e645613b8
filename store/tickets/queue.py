"""The agent's queue in SQL: views, filter, sort and windows, each served by an index.

Every function takes a read unit (`store.db.reader`), runs a few indexed statements and hands
back frozen views (`store.views`) whose text went through the given `Cleaner`. Nothing here
loads a whole view: the UI asks for the count, then for windows of rows by position, and for
a ticket's position when it wants to keep the cursor on it.

Sort orders and the indexes behind them (store.models.Ticket):

* ``priority``: urgent first, then the soonest running due time -> ix_ticket_queue
  (per-agent: ix_ticket_assignee_queue, per-channel: ix_ticket_channel_queue)
* ``breach``: "next breach first", breached first then soonest due, across priorities
  -> ix_ticket_breach_order
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from store.db.reader import ReadUnit, SqliteReader, in_params, parse_dt, parse_json
from store.replies.fill import fillable_fields
from store.views import (
    NO_DUE,
    Cleaner,
    ClockView,
    CustomerView,
    EventView,
    TicketDetail,
    TicketRow,
    epoch_to_datetime,
)
from store.vocab import CHANNELS

__all__ = [
    "CHANNEL_VIEWS",
    "SORTS",
    "TEXT_INDEX_TABLES",
    "VIEWS",
    "Page",
    "QueueQuery",
    "count",
    "first_window",
    "page",
    "position",
    "ticket_detail",
    "ticket_row",
    "ticket_rows",
    "ticket_status",
    "window",
    "window_ids",
]

CHANNEL_VIEWS = tuple(f"channel:{c}" for c in CHANNELS)
VIEWS = ("mine", "unassigned", "open", "risk", *CHANNEL_VIEWS)
SORTS = ("priority", "breach")
_ORDER = {"priority": ("t.priority_rank", "t.due_key", "t.id"), "breach": ("t.due_key", "t.id")}
MAX_EVENTS = 500
TRIGRAM = 3  # the shortest phrase the trigram index answers (SQLite); shorter terms read its vocabulary
# The filter's text index (migration 0011): derived from the tickets by triggers, outside the
# SQLModel metadata (an FTS5 table and its shadow tables on SQLite, one table on PostgreSQL).
TEXT_INDEX_TABLES = ("ticket_fts", "ticket_search")


@dataclass(frozen=True, slots=True)
class QueueQuery:
    """Which tickets, in what order: a view, a sort and the filter text."""

    view: str = "open"
    sort: str = "priority"
    text: str = ""
    agent_id: int | None = None  # whose tickets "mine" means

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise ValueError(f"view: {self.view!r} is not one of {', '.join(VIEWS)}")
        if self.sort not in SORTS:
            raise ValueError(f"sort: {self.sort!r} is not one of {', '.join(SORTS)}")

    def with_(self, **changes: object) -> QueueQuery:
        return replace(self, **changes)  # type: ignore[arg-type]


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _where(q: QueueQuery, now: datetime, dialect: str) -> tuple[str, dict[str, object]]:
    parts = ["t.is_open = :is_open"]
    params: dict[str, object] = {"is_open": True}
    if q.view == "mine":
        parts.append("t.assignee_id = :me")
        params["me"] = q.agent_id if q.agent_id is not None else -1
    elif q.view == "unassigned":
        parts.append("t.assignee_id IS NULL")
    elif q.view == "risk":
        parts.append("t.risk_key <= :now_key")
        params["now_key"] = int(now.timestamp())
    elif q.view.startswith("channel:"):
        parts.append("t.channel = :channel")
        params["channel"] = q.view.split(":", 1)[1]
    term = " ".join(q.text.split())
    if term:
        parts.append(_matching(term, dialect, params))
    return " AND ".join(parts), params


def _matching(term: str, dialect: str, params: dict[str, object]) -> str:
    """The filter as `t.id IN (...)`: ids from the open tickets' text index (migration 0011), plus
    the ticket of that number. The index holds open tickets only, so however long the history,
    a search reads the matching open tickets and nothing else, a term shorter than a trigram
    (a CJK word of one or two characters) included: on PostgreSQL that one scans the open-only
    text table, on SQLite it is a range of the index's own terms."""
    if dialect == "postgresql":
        params["pattern"] = f"%{_escape_like(term)}%"
        found = "SELECT s.ticket_id FROM ticket_search s WHERE s.doc ILIKE :pattern ESCAPE '\\'"
    elif len(term) >= TRIGRAM:
        params["phrase"] = '"' + term.replace('"', '""') + '"'
        found = "SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH :phrase"
    else:  # every column ends in two spaces: each character or pair of them begins a trigram
        params.update(lo=term.lower(), hi=term.lower() + "\U0010ffff")
        found = "SELECT DISTINCT doc FROM ticket_fts_terms WHERE term >= :lo AND term < :hi"
    digits = term.removeprefix("#")
    if digits.isdigit() and len(digits) < 19:
        found += " UNION ALL SELECT :ticket_id"
        params["ticket_id"] = int(digits)
    return f"t.id IN ({found})"


def _hint(q: QueueQuery, dialect: str) -> str:
    """On SQLite, name the index that yields the rows in order, so no other index (or missing
    statistics) can talk the planner into sorting the whole view. PostgreSQL plans by cost.
    A filtered view uses none but the ticket id: its rows come from the text index, looked up
    one by one, and only they are sorted (walking an order index would read every open ticket)."""
    if dialect != "sqlite":
        return ""
    if q.text.strip():
        return "NOT INDEXED"
    if q.view in ("mine", "unassigned"):
        index = "ix_ticket_assignee_queue"
    elif q.sort == "breach":
        index = "ix_ticket_breach_order"
    elif q.view.startswith("channel:"):
        index = "ix_ticket_channel_queue"
    else:
        index = "ix_ticket_queue"
    return f"INDEXED BY {index}"


ORDER_INDEXES = ("ix_ticket_queue", "ix_ticket_breach_order", "ix_ticket_assignee_queue", "ix_ticket_channel_queue")


def count(q: QueueQuery, *, conn: ReadUnit, now: datetime) -> int:
    """How many tickets the view holds."""
    where, params = _where(q, now, conn.dialect)
    source = _hint(q, conn.dialect) if q.text.strip() else ""
    return int(conn.scalar(f"SELECT count(*) FROM ticket t {source} WHERE {where}", params) or 0)


def window_ids(q: QueueQuery, offset: int, limit: int, *, conn: ReadUnit, now: datetime) -> list[int]:
    """Ticket ids at positions offset..offset+limit-1 of the view, in order."""
    where, params = _where(q, now, conn.dialect)
    order = ", ".join(_ORDER[q.sort])
    params.update(limit=max(0, limit), offset=max(0, offset))
    rows = conn.all(f"SELECT t.id FROM ticket t {_hint(q, conn.dialect)} WHERE {where} ORDER BY {order} "
                    "LIMIT :limit OFFSET :offset", params)
    return [r[0] for r in rows]


def window(q: QueueQuery, offset: int, limit: int, *, conn: ReadUnit, now: datetime,
           clean: Cleaner) -> list[TicketRow]:
    """The rows at positions offset..offset+limit-1 of the view, in order."""
    ids = window_ids(q, offset, limit, conn=conn, now=now)
    by_id = {row.id: row for row in ticket_rows(ids, conn=conn, clean=clean)}
    return [by_id[i] for i in ids if i in by_id]


def position(q: QueueQuery, ticket_id: int, *, conn: ReadUnit, now: datetime) -> int | None:
    """Where a ticket sits in the view (0-based), or None if the view does not hold it."""
    where, params = _where(q, now, conn.dialect)
    params["anchor"] = ticket_id
    key = conn.one(f"SELECT t.priority_rank, t.due_key, t.id FROM ticket t WHERE t.id = :anchor AND {where}",
                   params)
    if key is None:
        return None
    cols = _ORDER[q.sort]
    values = key if q.sort == "priority" else key[1:]
    names = [f"k{i}" for i in range(len(cols))]
    params.update(dict(zip(names, values, strict=True)))
    before = f"({', '.join(cols)}) < ({', '.join(':' + n for n in names)})"
    sql = f"SELECT count(*) FROM ticket t {_hint(q, conn.dialect)} WHERE {where} AND {before}"
    return int(conn.scalar(sql, params) or 0)


@dataclass(frozen=True, slots=True)
class Page:
    """What the queue shows after a load: the count, a window of rows around the cursor, and where
    the cursor is (`found`: the anchor ticket is in the view, at `cursor`)."""

    total: int
    start: int
    rows: list[TicketRow]
    cursor: int
    found: bool


def _span(total: int, cursor: int, reach: int, block: int) -> tuple[int, int]:
    """The window to read: `reach` rows either side of the cursor, widened to whole blocks."""
    start = max(0, cursor - reach) // block * block
    return start, min(total, (cursor + reach) // block * block + block)


def page(q: QueueQuery, *, anchor: int | None, fallback: int, reach: int, block: int, conn: ReadUnit,
         now: datetime, clean: Cleaner) -> Page:
    """The count, the anchor's position and the rows around it (else around row `fallback`).

    A filtered view answers all three from one statement, its matching ids in order; a whole view
    counts and seeks along its order index instead, which reading every open ticket's id would
    not beat.
    """
    if q.text.strip():
        total, found, ids, start = _filtered_page(q, anchor, fallback, reach, block, conn, now)
    else:
        total = count(q, conn=conn, now=now)
        found = position(q, anchor, conn=conn, now=now) if anchor is not None else None
        start, end = _span(total, _cursor(found, fallback, total), reach, block)
        ids = window_ids(q, start, end - start, conn=conn, now=now)
    by_id = {row.id: row for row in ticket_rows(ids, conn=conn, clean=clean)}
    return Page(total, start, [by_id[i] for i in ids if i in by_id], _cursor(found, fallback, total),
                found is not None)


def _cursor(found: int | None, fallback: int, total: int) -> int:
    """Where the cursor goes: on the anchor if the view holds it, else row `fallback`, kept inside."""
    return found if found is not None else min(max(0, fallback), max(0, total - 1))


def _filtered_page(q: QueueQuery, anchor: int | None, fallback: int, reach: int, block: int, conn: ReadUnit,
                   now: datetime) -> tuple[int, int | None, list[int], int]:
    """(count, anchor position, window ids, window start) of a filtered view in one round: its
    matching ids in order, one int a match (numbering them in SQL with window functions costs the
    database twice the sort)."""
    where, params = _where(q, now, conn.dialect)
    order = ", ".join(_ORDER[q.sort])
    ids = [r[0] for r in conn.all(f"SELECT t.id FROM ticket t {_hint(q, conn.dialect)} WHERE {where} "
                                  f"ORDER BY {order}", params)]
    try:
        found: int | None = ids.index(anchor) if anchor is not None else None
    except ValueError:
        found = None
    start, end = _span(len(ids), _cursor(found, fallback, len(ids)), reach, block)
    return len(ids), found, ids[start:end], start

# -- rows ------------------------------------------------------------------------------------------

_ROW_SQL = """
SELECT t.id, t.version, t.subject, t.priority, t.status, t.channel, t.category, t.customer_id,
       c.name, c.tier, t.assignee_id, a.display_name, a.name, t.escalated, t.is_open, t.created_at,
       t.updated_at, t.due_key, t.risk_key
FROM ticket t JOIN customer c ON c.id = t.customer_id LEFT JOIN agent a ON a.id = t.assignee_id
WHERE t.id IN ({ids})
"""
_CLOCK_COLS = ("c.id, c.ticket_id, c.metric, c.state, c.started_at, c.due_at, c.target_seconds, "
               "c.consumed_seconds, c.policy_id, c.outcome, c.stopped_at, c.breached_at, c.at_risk_at")


def _warn_shares(conn: ReadUnit) -> dict[int, tuple[float, str]]:
    return {r[0]: (float(r[1]), r[2]) for r in conn.all("SELECT id, warn_share, name FROM sla_policy")}


def _clock(r: tuple, shares: dict[int, tuple[float, str]]) -> ClockView:
    share = shares.get(r[8], (0.25, ""))[0]
    return ClockView(
        id=r[0], metric=r[2], state=r[3], started_at=parse_dt(r[4]),  # type: ignore[arg-type]
        due_at=parse_dt(r[5]), target_seconds=int(r[6] or 0), consumed_seconds=int(r[7] or 0),
        warn_share=share, outcome=r[9], stopped_at=parse_dt(r[10]), breached_at=parse_dt(r[11]),
        at_risk_at=parse_dt(r[12]),
    )


def _live_clocks(ids: list[int], conn: ReadUnit) -> dict[int, list[ClockView]]:
    # Every clock of these tickets by ticket (a few each), live ones kept here: a condition on the
    # state in SQL could lead a planner to an index over all running clocks instead.
    marks, params = in_params("c", ids)
    rows = conn.all(f"SELECT {_CLOCK_COLS} FROM sla_clock c WHERE c.ticket_id IN ({marks})", params)
    live = sorted((r for r in rows if r[3] in ("running", "paused")), key=lambda r: r[0])
    shares = _warn_shares(conn) if live else {}
    found: dict[int, list[ClockView]] = {}
    for r in live:
        found.setdefault(r[1], []).append(_clock(r, shares))
    return found


def _name(display: object, login: object, clean: Cleaner) -> str:
    return clean.clean_line(display or login or "", limit=64)


def ticket_rows(ids: list[int], *, conn: ReadUnit, clean: Cleaner) -> list[TicketRow]:
    """Rows for the given ticket ids (any order; missing ids are skipped)."""
    if not ids:
        return []
    marks, params = in_params("i", ids)
    rows = conn.all(_ROW_SQL.format(ids=marks), params)
    clocks = _live_clocks(ids, conn)
    out = []
    for r in rows:
        out.append(TicketRow(
            id=r[0], version=r[1], subject=clean.clean_line(r[2]), priority=clean.clean_line(r[3], limit=16),
            status=clean.clean_line(r[4], limit=16), channel=clean.clean_line(r[5], limit=16),
            category=clean.clean_line(r[6], limit=128), customer_id=r[7],
            customer_name=clean.clean_line(r[8], limit=128), customer_tier=clean.clean_line(r[9], limit=16),
            assignee_id=r[10], assignee_name=_name(r[11], r[12], clean) if r[10] is not None else "",
            escalated=bool(r[13]), is_open=bool(r[14]), created_at=parse_dt(r[15]),  # type: ignore[arg-type]
            updated_at=parse_dt(r[16]),  # type: ignore[arg-type]
            due_at=epoch_to_datetime(int(r[17] if r[17] is not None else NO_DUE)),
            risk_at=epoch_to_datetime(int(r[18] if r[18] is not None else NO_DUE)),
            clocks=tuple(clocks.get(r[0], ())),
        ))
    return out


def ticket_row(ticket_id: int, *, conn: ReadUnit, clean: Cleaner) -> TicketRow | None:
    rows = ticket_rows([ticket_id], conn=conn, clean=clean)
    return rows[0] if rows else None


def ticket_status(ticket_id: int, *, conn: ReadUnit) -> str | None:
    """The ticket's status (None: no such ticket), for one that no queue view holds."""
    return conn.scalar("SELECT status FROM ticket WHERE id = :id", {"id": ticket_id})


def first_window(path: object, q: QueueQuery, size: int, *, now: datetime,
                 clean: Cleaner) -> tuple[int, list[TicketRow]]:
    """The count and first rows of a view, read from a SQLite file on a connection of its own
    (the console reads them while it starts, before the app's reader exists)."""
    reader = SqliteReader(path)  # type: ignore[arg-type]
    try:
        with reader.read() as conn:
            return count(q, conn=conn, now=now), window(q, 0, size, conn=conn, now=now, clean=clean)
    finally:
        reader.close()


# -- one ticket in full ---------------------------------------------------------------------------

_CHANGE_KINDS = {"status_changed", "priority_changed", "assigned", "tier_changed", "escalated"}


def ticket_detail(ticket_id: int, *, conn: ReadUnit, clean: Cleaner,
                  max_events: int = MAX_EVENTS) -> TicketDetail | None:
    """The ticket, its customer, every clock and the thread in order (the newest max_events)."""
    row = ticket_row(ticket_id, conn=conn, clean=clean)
    if row is None:
        return None
    extra = conn.one(
        "SELECT c.id, c.name, c.contact, c.tier, c.language, t.policy_id, t.first_reply_at, t.solved_at, "
        "t.reopen_count, t.fields FROM ticket t JOIN customer c ON c.id = t.customer_id WHERE t.id = :id",
        {"id": ticket_id},
    )
    assert extra is not None
    shares = _warn_shares(conn)
    clocks = tuple(
        _clock(r, shares)
        for r in conn.all(f"SELECT {_CLOCK_COLS} FROM sla_clock c WHERE c.ticket_id = :id ORDER BY c.id",
                          {"id": ticket_id})
    )
    total = int(conn.scalar("SELECT count(*) FROM ticket_event WHERE ticket_id = :id", {"id": ticket_id}) or 0)
    raw = conn.all(
        "SELECT e.id, e.kind, e.at, e.actor_id, a.display_name, a.name, e.public, e.body, e.data "
        "FROM ticket_event e LEFT JOIN agent a ON a.id = e.actor_id "
        "WHERE e.ticket_id = :id ORDER BY e.id DESC LIMIT :limit",
        {"id": ticket_id, "limit": max(1, max_events)},
    )
    raw.reverse()
    agents = _agent_names(raw, conn, clean)
    events = tuple(_event(r, agents, clean) for r in raw)
    fields = tuple(sorted((clean.clean_line(k, limit=64), clean.clean_line(v, limit=256))
                          for k, v in fillable_fields(parse_json(extra[9])).items()))
    customer = CustomerView(id=extra[0], name=clean.clean_line(extra[1], limit=128),
                            contact=clean.clean_line(extra[2], limit=256), tier=clean.clean_line(extra[3], limit=16),
                            language=clean.clean_line(extra[4], limit=8))
    return TicketDetail(
        row=row, customer=customer, clocks=clocks, events=events, events_omitted=max(0, total - len(events)),
        policy_name=clean.clean_line(shares.get(extra[5], (0.25, ""))[1], limit=64),
        first_reply_at=parse_dt(extra[6]), solved_at=parse_dt(extra[7]), reopen_count=int(extra[8] or 0),
        fields=fields,
    )


def _agent_names(raw: list[tuple], conn: ReadUnit, clean: Cleaner) -> dict[int, str]:
    """Display names of the agents an assignment event moved a ticket between."""
    wanted: set[int] = set()
    for r in raw:
        if r[1] == "assigned":
            data = parse_json(r[8])
            wanted.update(v for v in (data.get("from"), data.get("to")) if isinstance(v, int))
    if not wanted:
        return {}
    marks, params = in_params("a", sorted(wanted))
    return {r[0]: _name(r[1], r[2], clean)
            for r in conn.all(f"SELECT id, display_name, name FROM agent WHERE id IN ({marks})", params)}


def _event(r: tuple, agents: dict[int, str], clean: Cleaner) -> EventView:
    kind = r[1]
    data = parse_json(r[8]) if kind in _CHANGE_KINDS or kind == "sla_breached" else {}
    before = after = metric = ""
    if kind == "assigned":
        before = agents.get(data.get("from"), "") if isinstance(data.get("from"), int) else ""  # type: ignore[arg-type]
        after = agents.get(data.get("to"), "") if isinstance(data.get("to"), int) else ""  # type: ignore[arg-type]
    elif kind in _CHANGE_KINDS:
        before = clean.clean_line(data.get("from") or "", limit=32)
        after = clean.clean_line(data.get("to") or "", limit=32)
    elif kind == "sla_breached":
        metric = clean.clean_line(data.get("metric") or "", limit=32)
    return EventView(
        id=r[0], kind=clean.clean_line(kind, limit=24), at=parse_dt(r[2]),  # type: ignore[arg-type]
        actor_id=r[3], actor_name=_name(r[4], r[5], clean) if r[3] is not None else "", public=bool(r[6]),
        body=clean.clean_text(r[7] or ""), before=before, after=after, metric=metric,
    )
