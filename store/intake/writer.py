"""Writing intake: a whole file in one write transaction (everything checked first, then written,
or nothing at all), and a stream one record per transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from store.db.engine import Database
from store.errors import ShiftdeskError
from store.intake.apply import (
    Agents,
    Applier,
    Customers,
    Tally,
    TicketWork,
    chunks,
    meta_of,
    version_of,
)
from store.intake.memory import MemorySession
from store.intake.records import (
    IntakeError,
    MessageIn,
    Parsed,
    Problem,
    Record,
    StatusIn,
    SurveyIn,
    TicketIn,
)
from store.intake.rules import RuleBook
from store.models import Audit, SlaClock, Survey, Ticket, TicketEvent
from store.sla.policies import load_policy_book
from store.tickets.actions import Context

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)
# Rows the ticket actions create for a new ticket; the memory session collects exactly these.
MEMORY_TABLES = (Ticket, TicketEvent, SlaClock, Survey, Audit)


@dataclass
class Outcome:
    """What one input did to the database, and what it refused (with --skip-bad)."""

    source: str
    tally: Tally = field(default_factory=Tally)
    rejected: list[Problem] = field(default_factory=list)
    records: int = 0


def plan(session: Session, records: list[Record], source: str) -> tuple[list[TicketWork], list[Problem]]:
    """Group records by ticket, find the tickets that exist, drop what was taken before, and
    refuse what cannot be recorded (unknown tickets, events older than a ticket's last change)."""
    groups: dict[str, list[Record]] = {}
    for rec in records:
        groups.setdefault(rec.external_id, []).append(rec)
    existing: dict[str, Ticket] = {}
    for part in chunks(list(groups)):
        for ticket in session.exec(select(Ticket).where(col(Ticket.external_id).in_(part))):
            existing[ticket.external_id or ""] = ticket
    problems: list[Problem] = []
    work: list[TicketWork] = []
    for ext, recs in groups.items():
        tin = next((r for r in recs if isinstance(r, TicketIn)), None)
        items = [r for r in recs if isinstance(r, MessageIn | StatusIn | SurveyIn)]
        ticket = existing.get(ext)
        if ticket is None and tin is None:
            problems.extend(Problem(source, r.line, "unknown_ticket", {"value": ext}) for r in items)
            continue
        seen = set(meta_of(ticket).get("seen", [])) if ticket is not None else set()
        fresh = [r for r in items if not (r.key and r.key in seen)]
        update = ticket is not None and tin is not None and tin.updated_at > version_of(ticket)
        if ticket is not None:
            last = ticket.updated_at
            late = [r for r in fresh if r.at < last]
            problems.extend(Problem(source, r.line, "out_of_order",
                                    {"field": "at", "value": r.at.isoformat(), "last": last.isoformat()}) for r in late)
            fresh = [r for r in fresh if r.at >= last]
        work.append(TicketWork(ext, tin, ticket, update, fresh, duplicates=len(items) - len(fresh)))
    bad = {p.line for p in problems}
    if bad:
        # A record's line is all or nothing too: a Zendesk ticket and its comments share one line.
        for w in work:
            w.items = [r for r in w.items if r.line not in bad]
            if w.ticket_in is not None and w.ticket_in.line in bad:
                w.update = False
        work = [w for w in work if w.existing is not None or (w.ticket_in is not None and w.ticket_in.line not in bad)]
    return work, problems


def _run(applier: Applier, w: TicketWork, source: str) -> None:
    try:
        applier.run(w)
    except (ValueError, ShiftdeskError, SQLAlchemyError) as exc:
        line = w.ticket_in.line if w.ticket_in is not None else (w.items[0].line if w.items else None)
        raise IntakeError([Problem(source, line, "apply_failed", {"error": str(exc).split("\n")[0]})]) from exc


def _apply(session: Session, work: list[TicketWork], rules: RuleBook, now: datetime, tally: Tally, *,
           source: str, bulk: bool, progress: Progress | None = None, total: int = 1) -> None:
    """Existing tickets through the session; new ones (with bulk) through the memory session."""
    book = load_policy_book(session)
    customers, agents = Customers(session, book), Agents(session, now)
    customers.prepare([(w.ticket_in.customer, w.ticket_in.created_at) for w in work
                       if w.ticket_in is not None and w.existing is None], now)
    done = 0

    def step(w: TicketWork) -> None:
        nonlocal done
        done += (1 if w.ticket_in is not None else 0) + len(w.items) + w.duplicates
        if progress is not None:
            progress(min(done, total), total)

    real = Applier(Context(session=session, at=now, book=book), rules, customers, agents, tally)
    fresh = [w for w in work if w.existing is None] if bulk else []
    for w in work:
        if bulk and w.existing is None:
            continue
        if w.existing is not None and not w.update and not w.items:
            tally.unchanged += 1 if w.ticket_in is not None else 0
            tally.duplicates += w.duplicates
        else:
            _run(real, w, source)
        step(w)
    if not fresh:
        return
    agents.resolve(None)  # the intake agent, made now rather than halfway through
    session.flush()
    memory = MemorySession(session, MEMORY_TABLES)
    applier = Applier(Context(session=memory, at=now, book=book), rules, customers, agents, tally)  # type: ignore[arg-type]
    for w in fresh:
        _run(applier, w, source)
        step(w)
    memory.write()
    tally.bulk = True


def import_parsed(db: Database, parsed: Parsed, *, rules: RuleBook, now: datetime, skip_bad: bool = False,
                  progress: Progress | None = None, bulk: bool = True) -> Outcome:
    """Check everything, then write everything in one transaction; any problem without
    skip_bad raises IntakeError listing every bad record and leaves the database untouched."""
    outcome = Outcome(parsed.source, records=len(parsed.records))
    fatal = [p for p in parsed.problems if p.line is None]
    if fatal:
        raise IntakeError(fatal)
    try:
        with db.write() as session:
            work, problems = plan(session, parsed.records, parsed.source)
            everything = sorted([*parsed.problems, *problems], key=lambda p: (p.line or 0, p.code))
            if everything and not skip_bad:
                raise IntakeError(everything)
            outcome.rejected = everything
            _apply(session, work, rules, now, outcome.tally, source=parsed.source, bulk=bulk, progress=progress,
                   total=max(len(parsed.records), 1))
    except NotImplementedError as exc:
        if not bulk:
            raise
        # The actions asked the memory session something it cannot answer exactly (they have
        # changed since it was written): the transaction is rolled back, so do the file again
        # the slow, sure way.
        log.warning("bulk intake fell back to the ORM path: %s", exc)
        outcome = import_parsed(db, parsed, rules=rules, now=now, skip_bad=skip_bad, progress=progress, bulk=False)
        outcome.tally.bulk = False
    return outcome


def ingest_records(db: Database, records: list[Record], source: str, *, rules: RuleBook, now: datetime) -> Tally:
    """One streamed line's records, committed on their own; IntakeError if they cannot be."""
    return ingest_batch(db, [(records, now)], source, rules=rules)


def ingest_batch(db: Database, lines: list[tuple[list[Record], datetime]], source: str, *,
                 rules: RuleBook) -> Tally:
    """Streamed lines that arrived together (each with its own arrival time), in order, in one
    transaction: all of them or none. IntakeError when one cannot be recorded; nothing is
    written then, and the caller takes the lines one by one to keep the good ones."""
    tally = Tally()
    with db.write() as session:
        for records, now in lines:
            work, problems = plan(session, records, source)
            if problems:
                raise IntakeError(problems)
            _apply(session, work, rules, now, tally, source=source, bulk=False)
    return tally
