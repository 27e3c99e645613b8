"""After any sequence of actions the live facts and rollups equal a rebuild from history
(`shiftdesk db check`): a hypothesis state machine of ticket actions, time moving in steps that
land a fraction of a second before the hour, breach sweeps, priority raises after due times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from store.db.engine import open_database
from store.defaults import ensure_defaults
from store.errors import ShiftdeskError
from store.models import Agent, Customer
from store.rollups.rebuild import check
from store.sla.clocks import record_breaches
from store.tickets.actions import (
    Context,
    add_customer_message,
    add_reply,
    claim,
    create_ticket,
    escalate,
    record_survey,
    set_priority,
    set_status,
)

START = datetime(2026, 4, 6, 8, 0, tzinfo=UTC)
CATEGORIES = ("訂單服務/訂單狀態", "訂單服務/退款", "售後支援/退換貨")


class Actions(RuleBasedStateMachine):
    """One database per example; every rule is one write transaction through the store."""

    def __init__(self) -> None:
        super().__init__()
        self.db = None
        self.now = START
        self.tickets: list[int] = []
        self.steps = 0

    @initialize()
    def setup(self) -> None:
        import tempfile

        self.dir = tempfile.TemporaryDirectory()
        self.db = open_database(f"sqlite:///{self.dir.name}/s.db")
        with self.db.write() as s:
            ensure_defaults(s, START)
            for name in ("amy", "ben"):
                s.add(Agent(name=name, display_name=name, role="agent", created_at=START))
            for name in ("c1", "c2"):
                s.add(Customer(name=name, contact=f"{name}@x", created_at=START))

    def do(self, action, *args, **kwargs) -> None:
        try:
            with self.db.write() as s:
                action(Context.open(s, self.now), *args, **kwargs)
        except (ShiftdeskError, ValueError):
            pass  # a refused action changes nothing

    @rule(minutes=st.integers(0, 600), before_hour=st.booleans())
    def wait(self, minutes: int, before_hour: bool) -> None:
        self.now += timedelta(minutes=minutes)
        if before_hour:
            self.now = self.now.replace(minute=59, second=59, microsecond=999800)

    @rule(customer=st.sampled_from([1, 2]), priority=st.sampled_from(["urgent", "high", "normal", "low"]),
          category=st.sampled_from(CATEGORIES))
    def create(self, customer: int, priority: str, category: str) -> None:
        with self.db.write() as s:
            ticket = create_ticket(Context.open(s, self.now), subject="s", customer_id=customer, priority=priority,
                                   category=category)
            self.tickets.append(ticket.id)

    @rule(i=st.integers(0, 50), agent=st.sampled_from([1, 2]), solve=st.booleans())
    def reply(self, i: int, agent: int, solve: bool) -> None:
        if self.tickets:
            self.do(add_reply, self.tickets[i % len(self.tickets)], agent, "ok", set_status="solved" if solve else None)

    @rule(i=st.integers(0, 50), agent=st.sampled_from([1, 2]))
    def take(self, i: int, agent: int) -> None:
        if self.tickets:
            self.do(claim, self.tickets[i % len(self.tickets)], agent)

    @rule(i=st.integers(0, 50), status=st.sampled_from(["solved", "pending", "open", "closed"]))
    def status(self, i: int, status: str) -> None:
        if self.tickets:
            self.do(set_status, self.tickets[i % len(self.tickets)], 1, status)

    @rule(i=st.integers(0, 50))
    def customer_writes(self, i: int) -> None:
        if self.tickets:
            self.do(add_customer_message, self.tickets[i % len(self.tickets)], "again")

    @rule(i=st.integers(0, 50), priority=st.sampled_from(["urgent", "high", "normal", "low"]), up=st.booleans())
    def priority(self, i: int, priority: str, up: bool) -> None:
        if self.tickets:
            tid = self.tickets[i % len(self.tickets)]
            self.do(escalate, tid, 2, "lead") if up else self.do(set_priority, tid, 2, priority)

    @rule(i=st.integers(0, 50), score=st.integers(1, 10), ten=st.booleans())
    def survey(self, i: int, score: int, ten: bool) -> None:
        if self.tickets:
            self.do(record_survey, self.tickets[i % len(self.tickets)], "csat", score if ten else min(score, 5),
                    scale=10 if ten else 5)

    @rule()
    def sweep(self) -> None:
        with self.db.write() as s:
            record_breaches(s, self.now)

    @invariant()
    def agrees_with_a_rebuild(self) -> None:
        self.steps += 1
        if self.db is None or self.steps % 6:
            return
        with self.db.engine.connect() as conn:
            tr = conn.begin()
            result = check(conn)
            tr.rollback()
        assert result.ok, (result.differences[:5], result.facts_differ)

    def teardown(self) -> None:
        if self.db is not None:
            self.steps = 0
            self.agrees_with_a_rebuild()
            self.db.dispose()
            self.dir.cleanup()


Actions.TestCase.settings = settings(max_examples=12, stateful_step_count=30, deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])
test_live_rollups_equal_a_rebuild_after_any_actions = Actions.TestCase
