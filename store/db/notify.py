"""Live changes on PostgreSQL: every write announces the tickets it touched (NOTIFY, in the
writing transaction), and consoles listen (LISTEN) instead of polling.

Notifications are not replayed to a listener that was disconnected, so after a reconnect the
listener asks the database what it missed (ticket events past the last one it heard of) and
reports a `resync` change: reload what is on screen.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from store.models import Presence, SlaClock, Ticket, TicketEvent

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from store.db.engine import Database

CHANNEL = "shiftdesk"
MAX_IDS = 500  # past this many tickets a notification just says "many" (payloads stay far under 8 kB)
PING_SECONDS = 30.0
_PENDING = "shiftdesk.notify"


def channel_of(engine: Any) -> str:
    """The channel of the schema an engine's connections work in (search_path may pick one)."""
    with engine.connect() as conn:
        return channel_for(conn.exec_driver_sql("SELECT current_schema()").scalar())


def channel_for(schema: str | None) -> str:
    """The channel of one schema: plain `shiftdesk` for the public schema."""
    if not schema or schema == "public":
        return CHANNEL
    return f"{CHANNEL}_{schema}".lower()[:63]


@dataclass(frozen=True)
class Change:
    """Something changed: `kind` is ticket, presence or resync; no ids and `many` means reload all."""

    kind: str
    ticket_ids: frozenset[int] = frozenset()
    many: bool = False

    def payload(self, last_event: int | None = None) -> str:
        body: dict[str, Any] = {"k": self.kind}
        if self.many or len(self.ticket_ids) > MAX_IDS:
            body["many"] = True
        else:
            body["ids"] = sorted(self.ticket_ids)
        if last_event:
            body["e"] = last_event
        return json.dumps(body, separators=(",", ":"))

    @classmethod
    def parse(cls, payload: str) -> tuple[Change, int | None]:
        """Read a payload back; anything unreadable means 'reload everything'."""
        try:
            body = json.loads(payload)
            ids = frozenset(int(i) for i in body.get("ids", ()))
            return cls(str(body["k"]), ids, bool(body.get("many"))), body.get("e")
        except (ValueError, KeyError, TypeError, AttributeError):
            return cls("resync", many=True), None


# -- writing side ------------------------------------------------------------------------------


@dataclass
class _Pending:
    tickets: set[int] = field(default_factory=set)
    presence: set[int] = field(default_factory=set)
    last_event: int = 0


def track(session: Session) -> None:
    """Collect the tickets this session writes, flush by flush, until `announce`."""
    session.info[_PENDING] = _Pending()
    event.listen(session, "after_flush", _collect)


def _collect(session: Session, _context: object) -> None:
    pending: _Pending | None = session.info.get(_PENDING)
    if pending is None:
        return
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Ticket) and obj.id is not None:
            pending.tickets.add(obj.id)
        elif isinstance(obj, TicketEvent):
            pending.tickets.add(obj.ticket_id)
            if obj.id is not None:
                pending.last_event = max(pending.last_event, obj.id)
        elif isinstance(obj, SlaClock):
            pending.tickets.add(obj.ticket_id)
        elif isinstance(obj, Presence):
            pending.presence.add(obj.ticket_id or 0)


def mark_presence(session: Session, ticket_id: int | None) -> None:
    pending: _Pending | None = session.info.get(_PENDING)
    if pending is not None:
        pending.presence.add(ticket_id or 0)


def announce(session: Session, channel: str) -> None:
    """NOTIFY what the transaction touched; delivered only if and when it commits."""
    pending: _Pending | None = session.info.get(_PENDING)
    if pending is None:
        return
    session.flush()
    notes = []
    if pending.tickets:
        notes.append(Change("ticket", frozenset(pending.tickets)).payload(pending.last_event))
    if pending.presence:
        notes.append(Change("presence", frozenset(pending.presence)).payload())
    for note in notes:
        session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": channel, "payload": note})
    session.info[_PENDING] = _Pending()


# -- listening side ----------------------------------------------------------------------------


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """LISTENs on the database's channel; `poll` waits up to a timeout and returns what changed.

    A dropped connection is retried on the next poll; once back, one `resync` change lists the
    tickets whose events were written while it was away (a hint: reload what is on screen).
    """

    def __init__(self, source: Database | Engine, *, retry_seconds: float = 1.0) -> None:
        engine: Engine = getattr(source, "engine", source)
        if engine.dialect.name != "postgresql":
            raise ValueError("LISTEN/NOTIFY needs PostgreSQL; SQLite consoles poll PRAGMA data_version")
        self._conninfo = _conninfo(engine.url.render_as_string(hide_password=False))
        self._channel = source.notify_channel if hasattr(source, "notify_channel") else channel_of(engine)
        self._retry = retry_seconds
        self._conn: Any = None
        self._mark: int | None = None  # the last ticket event id known to have been heard of
        self._last_io = 0.0
        self._lost = False  # a connection attempt failed or a connection broke
        self.reconnects = 0

    # the connection -----------------------------------------------------------------------
    def _connect(self) -> list[Change]:
        import psycopg

        conn = psycopg.connect(self._conninfo, autocommit=True, keepalives=1, keepalives_idle=30)
        try:
            conn.execute(f'LISTEN "{self._channel}"')
            # Listening before reading the mark: anything after it is either heard or caught up.
            newest = conn.execute("SELECT coalesce(max(id), 0) FROM ticket_event").fetchone()[0]
            missed: list[Change] = []
            if self._mark is None and self._lost:  # never connected before: what we missed is unknown
                missed.append(Change("resync", many=True))
            elif self._mark is not None:
                rows = conn.execute(
                    "SELECT DISTINCT ticket_id FROM ticket_event WHERE id > %s LIMIT %s",
                    (self._mark, MAX_IDS + 1),
                ).fetchall()
                ids = frozenset(r[0] for r in rows)
                missed.append(Change("resync", ids, many=len(ids) > MAX_IDS))
                self.reconnects += 1
        except BaseException:
            conn.close()
            raise
        self._conn, self._mark, self._last_io = conn, newest, time.monotonic()
        return missed

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:  # already broken; closing is best effort
                pass
        self._conn = None

    @property
    def connected(self) -> bool:
        return self._conn is not None and not self._conn.closed

    def backend_pid(self) -> int | None:
        return self._conn.info.backend_pid if self.connected else None

    # polling ------------------------------------------------------------------------------
    def poll(self, timeout: float) -> list[Change]:
        """Wait up to `timeout` seconds for changes; an empty list means nothing happened."""
        import psycopg

        out: list[Change] = []
        if not self.connected:
            self._conn = None
            try:
                out.extend(self._connect())
            except (psycopg.OperationalError, psycopg.InterfaceError):
                self._lost = True
                time.sleep(min(timeout, self._retry))
                return out
            if out:
                return out
        try:
            if time.monotonic() - self._last_io > PING_SECONDS:
                self._conn.execute("SELECT 1")
            notes = list(self._conn.notifies(timeout=timeout, stop_after=1))
            if notes:
                notes += list(self._conn.notifies(timeout=0))
            self._last_io = time.monotonic()
        except (psycopg.OperationalError, psycopg.InterfaceError):
            self._lost = True
            self._drop()
            return out
        out.extend(self._read(notes))
        return out

    def _read(self, notes: Iterable[Any]) -> list[Change]:
        changes = []
        for note in notes:
            change, last_event = Change.parse(note.payload)
            if last_event and self._mark is not None:
                self._mark = max(self._mark, int(last_event))
            changes.append(change)
        return changes

    def close(self) -> None:
        self._drop()

    def __enter__(self) -> Listener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class NotifyProbe:
    """A change probe for console/livesync.py on PostgreSQL: no query per poll, only a look at
    the listening socket; its version moves when a ticket change (or a catch-up) was heard.
    Presence heartbeats do not move it: they change no queue row."""

    def __init__(self, source: Database | Engine) -> None:
        self._source = source
        self.listener: Listener | None = None  # made on the first poll, in the poller's thread
        self._heard = 0

    def version(self) -> int:
        if self.listener is None:
            self.listener = Listener(self._source)
        if any(change.kind != "presence" for change in self.listener.poll(timeout=0)):
            self._heard += 1
        return self._heard

    def close(self) -> None:
        if self.listener is not None:
            self.listener.close()


def merge(changes: Iterable[Change]) -> Change | None:
    """Fold a batch of changes into one: the tickets to refresh, or `many` to reload everything."""
    ids: set[int] = set()
    kinds: set[str] = set()
    many = False
    for change in changes:
        kinds.add(change.kind)
        ids |= change.ticket_ids
        many = many or change.many
    if not kinds:
        return None
    kind = "resync" if "resync" in kinds else ("ticket" if "ticket" in kinds else "presence")
    return Change(kind, frozenset(ids), many or len(ids) > MAX_IDS)
