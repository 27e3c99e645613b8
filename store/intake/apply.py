"""Applying one ticket's intake records through the ticket actions, so SLA clocks run on the
records' own times, with escalation rules and the bookkeeping that makes re-imports idempotent.

Bookkeeping lives in `ticket.fields["_intake"]`: the source, the snapshot version last taken
(`version`), the source's own values at that version (`src`, so a later snapshot changes only
what the source changed, never what an agent or a rule changed here), the keys of every
message, status and survey already taken (`seen`), and the rules already applied (`rules`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from store.audit import record_audit
from store.categories import default_priority, guess_category
from store.intake.formats.generic import digest
from store.intake.records import CustomerIn, MessageIn, StatusIn, SurveyIn, TicketIn
from store.intake.rules import Hit, RuleBook, raised
from store.intake.values import has_cjk
from store.models import PRIORITY_RANK, Agent, Customer, Ticket, TicketEvent
from store.sla import clocks as sla
from store.sla.policies import PolicyBook
from store.tickets.actions import (
    Context,
    add_customer_message,
    add_note,
    add_reply,
    create_ticket,
    record_survey,
    set_customer_tier,
    set_priority,
    set_status,
)

META = "_intake"
INTAKE_AGENT = "intake"
CHUNK = 500


def chunks(values: list, size: int = CHUNK):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def meta_of(ticket: Ticket) -> dict:
    value = (ticket.fields or {}).get(META)
    return dict(value) if isinstance(value, dict) else {}


def version_of(ticket: Ticket) -> datetime:
    """The source time of the snapshot last taken (a ticket made here counts from its creation)."""
    value = meta_of(ticket).get("version")
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            pass
    return ticket.created_at


class Customers:
    """Finds customers by external id, then contact, then (for bare names) name; makes missing ones.

    All of a file's customers are settled before its tickets (`prepare`), in the real session:
    a tier the file gives is taken as the customer's tier now (re-applying policies to their
    open tickets), and the tickets are then created under it.
    """

    def __init__(self, session: Session, book: PolicyBook) -> None:
        self.session, self.book = session, book
        self.by_ext: dict[str, Customer] = {}
        self.by_contact: dict[str, Customer] = {}
        self.by_name: dict[str, Customer] = {}

    def prepare(self, wanted: list[tuple[CustomerIn, datetime]], now: datetime) -> None:
        exts = sorted({c.external_id for c, _ in wanted if c.external_id})
        contacts = sorted({c.contact for c, _ in wanted if c.contact and not c.external_id})
        for part in chunks(exts):
            for row in self.session.exec(select(Customer).where(col(Customer.external_id).in_(part))):
                self.by_ext[row.external_id or ""] = row
        for part in chunks(contacts):
            for row in self.session.exec(select(Customer).where(col(Customer.contact).in_(part)).order_by(Customer.id)):
                self.by_contact.setdefault(row.contact, row)
        for want, at in sorted(wanted, key=lambda pair: pair[1]):
            found = self._find(want)
            if found is None:
                found = Customer(name=want.name, contact=want.contact, tier=want.tier or "standard",
                                 language=want.language or "zh-TW", external_id=want.external_id, created_at=at)
                self.session.add(found)
                self.session.flush()
            elif want.tier and want.tier != found.tier:
                set_customer_tier(Context(self.session, now, self.book), found.id or 0, want.tier)
            self._remember(want, found)
        self.session.flush()

    def _find(self, want: CustomerIn) -> Customer | None:
        if want.external_id:
            return self.by_ext.get(want.external_id)
        if want.contact:
            return self.by_contact.get(want.contact)
        return self.by_name.get(want.name) or self.session.exec(
            select(Customer).where(Customer.name == want.name, Customer.contact == "",
                                   col(Customer.external_id).is_(None)).order_by(Customer.id)).first()

    def _remember(self, want: CustomerIn, found: Customer) -> None:
        if want.external_id:
            self.by_ext[want.external_id] = found
        elif want.contact:
            self.by_contact[want.contact] = found
        else:
            self.by_name[want.name] = found

    def resolve(self, want: CustomerIn) -> Customer:
        found = self._find(want)
        if found is None:
            raise LookupError(f"customer {want.name!r} was not prepared")
        return found


class Agents:
    """Source agent names mapped onto Shiftdesk agents; the rest go to one inactive `intake` agent."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session, self.now = session, now
        self.ids: dict[str, int] = {}
        for agent in session.exec(select(Agent)):
            self.ids.setdefault(agent.display_name, agent.id or 0)
        for agent in session.exec(select(Agent)):
            self.ids[agent.name] = agent.id or 0

    def resolve(self, name: str | None) -> tuple[int, bool]:
        """(agent id, whether the name was one of ours)."""
        if name and name in self.ids and name != INTAKE_AGENT:
            return self.ids[name], True
        if INTAKE_AGENT not in self.ids:
            agent = Agent(name=INTAKE_AGENT, display_name="Imported", role="agent", active=False, created_at=self.now)
            self.session.add(agent)
            self.session.flush()
            self.ids[INTAKE_AGENT] = agent.id or 0
        return self.ids[INTAKE_AGENT], False


@dataclass
class Tally:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    messages: int = 0
    statuses: int = 0
    surveys: int = 0
    duplicates: int = 0
    rules: int = 0
    repairs: list[str] = field(default_factory=list)
    bulk: bool | None = None  # new tickets went through the memory session (None: there were none)


@dataclass
class TicketWork:
    """One ticket's share of the input: its snapshot (if any) and the new items to record."""

    external_id: str
    ticket_in: TicketIn | None
    existing: Ticket | None
    update: bool
    items: list[MessageIn | StatusIn | SurveyIn]
    duplicates: int = 0


class Applier:
    """Records a ticket's steps in time order inside the caller's one write transaction."""

    def __init__(self, ctx: Context, rules: RuleBook, customers: Customers, agents: Agents, tally: Tally) -> None:
        self.session, self.ctx, self.rules = ctx.session, ctx, rules
        self.customers, self.agents, self.tally = customers, agents, tally

    def run(self, work: TicketWork) -> Ticket:
        tin, ticket = work.ticket_in, work.existing
        steps: list[tuple[datetime, int, int, object]] = []
        if ticket is None:
            assert tin is not None
            steps.append((tin.created_at, 0, 0, ("create", tin)))
        elif work.update and tin is not None:
            steps.append((max(tin.updated_at, ticket.updated_at), 2, 0, ("update", tin)))
        for index, item in enumerate(work.items):
            steps.append((item.at, 1, index, item))
        if ticket is None and tin is not None and tin.status and tin.status != "new":
            steps.append((tin.updated_at, 3, 0, ("status", tin)))
        steps.sort(key=lambda s: (s[0], s[1], s[2]))
        meta: dict = meta_of(ticket) if ticket is not None else {}
        seen: list[str] = list(meta.get("seen", []))
        for at, _order, _index, step in steps:
            self.ctx.at = at
            if isinstance(step, tuple):
                kind, snapshot = step
                if kind == "create":
                    ticket = self._create(snapshot, meta)
                elif kind == "status":
                    assert ticket is not None
                    self._item(ticket, StatusIn(snapshot.line, snapshot.external_id, at, snapshot.status), meta)
                else:
                    assert ticket is not None
                    self._update(ticket, snapshot, meta)
            else:
                assert ticket is not None
                self._item(ticket, step, meta)  # type: ignore[arg-type]
                if step.key:  # type: ignore[attr-defined]
                    seen.append(step.key)  # type: ignore[attr-defined]
        assert ticket is not None
        if tin is not None and (work.existing is None or work.update):
            meta["version"] = tin.updated_at.isoformat()
            meta["source"] = tin.source
        meta["seen"] = seen
        ticket.fields = {**{k: v for k, v in (ticket.fields or {}).items() if k != META}, META: meta}
        self.session.add(ticket)
        self.tally.duplicates += work.duplicates
        return ticket

    # -- the steps --------------------------------------------------------------------------------

    def _create(self, tin: TicketIn, meta: dict) -> Ticket:
        ctx = self.ctx
        customer = self.customers.resolve(tin.customer)
        guessed = []
        category = tin.category
        if not category:
            category = guess_category(tin.subject[:5000], tin.body[:20000])
            guessed.append("category")
        priority = tin.priority
        if priority is None:
            priority = default_priority(category)
            guessed.append("priority")
        language = tin.language or ("zh-TW" if has_cjk(tin.subject) or has_cjk(tin.body) else "en")
        hits = self.rules.evaluate(f"{tin.subject}\n{tin.body}", tier=customer.tier, channel=tin.channel)
        meta.update(source=tin.source, src=_src(tin), rules=[], line=tin.line)
        if guessed:
            meta["guessed"] = guessed
        if tin.repairs:
            meta["repairs"] = list(tin.repairs)
        ticket = create_ticket(
            ctx, subject=tin.subject, customer_id=customer.id or 0, body=tin.body, channel=tin.channel,
            category=category, priority=raised(priority, hits), language=language, external_id=tin.external_id,
            fields=dict(tin.fields),
        )
        if tin.repairs:
            event = self.session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket.id,
                                                                TicketEvent.kind == "created")).first()
            if event is not None:
                event.data = {**event.data, "repairs": list(tin.repairs)}
                self.session.add(event)
        self._rule_events(ticket, hits, priority, meta, raise_now=False)
        self.tally.created += 1
        self.tally.repairs.extend(tin.repairs)
        return ticket

    def _update(self, ticket: Ticket, tin: TicketIn, meta: dict) -> None:
        """A newer snapshot: take over only what the source itself changed since the last one."""
        before = dict(meta.get("src") or {})
        now_src = _src(tin)
        tid = ticket.id or 0
        changed = False
        if now_src["subject"] != before.get("subject") and tin.subject != ticket.subject:
            record_audit(self.session, self.ctx.at, None, "ticket", tid, "subject", {"subject": ticket.subject[:200]},
                         {"subject": tin.subject[:200], "by": "intake"})
            ticket.subject = tin.subject
            changed = True
        if tin.category and now_src["category"] != before.get("category") and tin.category != ticket.category:
            record_audit(self.session, self.ctx.at, None, "ticket", tid, "category", {"category": ticket.category},
                         {"category": tin.category, "by": "intake"})
            ticket.category = tin.category
            clocks = sla.ticket_clocks(self.session, tid)
            sla.apply_policy(ticket, clocks, self.ctx.book, self._tier(ticket), self.ctx.at)
            sla.refresh_keys(ticket, clocks, self.ctx.book)
            changed = True
        if tin.priority and now_src["priority"] != before.get("priority") and tin.priority != ticket.priority:
            set_priority(self.ctx, tid, None, tin.priority, reason="intake")
            changed = True
        if tin.status and now_src["status"] != before.get("status") and tin.status != ticket.status:
            set_status(self.ctx, tid, None, tin.status)
            self.tally.statuses += 1
            changed = True
        if changed:
            ticket.version += 1
            ticket.updated_at = max(ticket.updated_at, self.ctx.at)
        meta["src"] = now_src
        self.tally.updated += 1
        self.tally.repairs.extend(tin.repairs)

    def _item(self, ticket: Ticket, item: MessageIn | StatusIn | SurveyIn, meta: dict) -> None:
        ctx, tid = self.ctx, ticket.id or 0
        if isinstance(item, StatusIn):
            if item.status != ticket.status:
                set_status(ctx, tid, None, item.status)
            self.tally.statuses += 1
            return
        if isinstance(item, SurveyIn):
            record_survey(ctx, tid, item.kind, item.score, item.comment)
            self.tally.surveys += 1
            if item.repairs:
                meta.setdefault("repairs", []).extend(f"line {item.line}: {r}" for r in item.repairs)
            return
        data: dict = {}
        if item.repairs:
            data["repairs"] = list(item.repairs)
            self.tally.repairs.extend(item.repairs)
        if item.author == "customer":
            event = add_customer_message(ctx, tid, item.body)
        else:
            agent_id, ours = self.agents.resolve(item.agent)
            if not ours and item.agent:
                data["source_agent"] = item.agent
            if item.author == "agent":
                event = add_reply(ctx, tid, agent_id, item.body)
            else:
                event = add_note(ctx, tid, agent_id, item.body)
        if data:
            event.data = {**(event.data or {}), **data}
            self.session.add(event)
        self.tally.messages += 1
        if item.author == "customer":
            applied = set(meta.get("rules", []))
            hits = self.rules.evaluate(item.body, tier=self._tier(ticket), channel=ticket.channel, skip=applied)
            self._rule_events(ticket, hits, ticket.priority, meta, raise_now=True)

    # -- rules ------------------------------------------------------------------------------------

    def _tier(self, ticket: Ticket) -> str:
        customer = self.session.get(Customer, ticket.customer_id)
        return customer.tier if customer else "standard"

    def _rule_events(self, ticket: Ticket, hits: list[Hit], start: str, meta: dict, *, raise_now: bool) -> None:
        """One `rule_applied` event per rule, with its reason; raise priority and flag as it says."""
        current = start
        for hit in hits:
            target = raised(current, [hit])
            if raise_now and PRIORITY_RANK[target] < PRIORITY_RANK[ticket.priority]:
                set_priority(self.ctx, ticket.id or 0, None, target, reason=hit.rule.reason_in(ticket.language))
            flagged_before = ticket.escalated
            if hit.rule.flag_lead:
                ticket.escalated = True
            data = {"rule": hit.rule.id, "matched": list(hit.matched), "origin": hit.rule.origin,
                    "priority": {"from": current, "to": target} if target != current else None,
                    "flag_lead": hit.rule.flag_lead}
            self.session.add(TicketEvent(ticket_id=ticket.id or 0, kind="rule_applied", at=self.ctx.at,
                                         body=hit.rule.reason_in(ticket.language), data=data))
            record_audit(self.session, self.ctx.at, None, "ticket", ticket.id, "rule",
                         {"priority": current, "escalated": flagged_before},
                         {"priority": target, "escalated": ticket.escalated, "rule": hit.rule.id})
            meta.setdefault("rules", []).append(hit.rule.id)
            current = target
            self.tally.rules += 1
        if hits:
            self.session.add(ticket)


def _src(tin: TicketIn) -> dict:
    """The source's own values, to tell later what the source (not an agent here) changed."""
    return {"subject": digest(tin.subject), "category": tin.category, "priority": tin.priority, "status": tin.status}
