"""Shared fixtures: a migrated temporary SQLite database, a frozen clock, a small seeded team.

* `clock`: a FrozenClock at FROZEN_AT (Monday 2024-01-15 14:00 in Taipei).
* `db`: a fresh, migrated database file with the default calendars, policies and shifts.
* `seed_small`: agents, customers and open tickets in every interesting state (breached,
  at risk, paused, English and Chinese text), made through store.tickets.actions so every clock and
  event is real; breaches up to FROZEN_AT are already recorded, so nothing moves under a
  snapshot.
* `queue_app`: builds a ShiftdeskApp on that database for a given agent and language.
* `queue_ui`: helpers for Pilot tests (wait until the queue settled, read the screen as text).

Local times show in Asia/Taipei for the whole session, so snapshots do not depend on the
machine's zone.
"""

from __future__ import annotations

import asyncio
import inspect
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support import pilot

from store.clock import FrozenClock

pytest_plugins = ["support.backends"]  # db_url/backend_db on SQLite and PostgreSQL: tests/support/backends.py

FROZEN_AT = datetime(2024, 1, 15, 6, 0, tzinfo=UTC)  # 14:00 in Taipei


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked slow first, the rest in their order: xdist's `--dist loadgroup` (pyproject's
    addopts) deals the first units round-robin and the rest as workers free up, so the long ones
    start at once, spread over the workers, and the short ones fill in around them, instead of one
    long test starting last and running alone. Modules whose fixture is costly to build keep their
    tests on one worker with an `xdist_group` mark."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests in a fresh event loop (Pilot tests), no plugin needed."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture(autouse=True, scope="session")
def _private_settings_and_log(tmp_path_factory):
    """No test reads the user's settings.toml or writes to their log folder."""
    home = tmp_path_factory.mktemp("user-config")
    saved = {k: os.environ.get(k) for k in ("SHIFTDESK_CONFIG", "SHIFTDESK_LOG")}
    os.environ["SHIFTDESK_CONFIG"] = str(home / "settings.toml")
    os.environ["SHIFTDESK_LOG"] = str(home / "log" / "shiftdesk.log")
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(autouse=True)
def _no_zone_setting():
    """Each test starts without a `timezone` setting (console/zone.py keeps the last one read)."""
    from console import zone

    zone.prefer(None)
    yield
    zone.prefer(None)


@pytest.fixture(autouse=True, scope="session")
def _taipei_local_time():
    before = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Taipei"
    time.tzset()
    yield
    if before is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = before
    time.tzset()


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(FROZEN_AT)


@dataclass(frozen=True)
class _Templates:
    """Databases built once per test session and copied into each test that asks for one."""

    defaults: Path
    seeded: Path
    agents: dict[str, int]
    customers: dict[str, int]
    tickets: dict[str, int]


@pytest.fixture(scope="session")
def _templates(tmp_path_factory: pytest.TempPathFactory) -> _Templates:
    from store.db.engine import open_database
    from store.defaults import ensure_defaults

    root = tmp_path_factory.mktemp("templates")
    paths = {}
    for name in ("defaults", "seeded"):
        database = open_database(root / f"{name}.db")
        with database.write() as session:
            ensure_defaults(session, FROZEN_AT - timedelta(days=30))
        if name == "seeded":
            made = seed_team(database, FrozenClock(FROZEN_AT))
        database.dispose()
        paths[name] = root / f"{name}.db"
    return _Templates(paths["defaults"], paths["seeded"], made.agents, made.customers, made.tickets)


@pytest.fixture
def db(tmp_path: Path, _templates: _Templates, request: pytest.FixtureRequest):
    """A migrated database with the defaults (seeded as well when the test also asks for seed_small)."""
    from store.db.engine import open_database

    template = _templates.seeded if "seed_small" in request.fixturenames else _templates.defaults
    target = tmp_path / "shiftdesk.db"
    for suffix in ("", "-wal", "-shm"):  # the WAL is normally folded in when the template closed
        if Path(f"{template}{suffix}").exists():
            shutil.copyfile(f"{template}{suffix}", f"{target}{suffix}")
    database = open_database(target)
    yield database
    database.dispose()


@dataclass
class Seed:
    """What seed_small made: ids by name, and a way to act at an instant."""

    db: object
    clock: FrozenClock
    agents: dict[str, int] = field(default_factory=dict)
    customers: dict[str, int] = field(default_factory=dict)
    tickets: dict[str, int] = field(default_factory=dict)

    def act(self, action: Callable, *args, at: datetime | None = None, **kwargs):
        """Run a store.tickets.actions action in one write transaction at `at` (default: the clock)."""
        from store.tickets.actions import Context

        with self.db.write() as session:  # type: ignore[attr-defined]
            return action(Context.open(session, at or self.clock.now()), *args, **kwargs)

    @property
    def path(self) -> Path:
        return self.db.sqlite_path  # type: ignore[attr-defined]


def seed_team(db, clock: FrozenClock) -> Seed:
    """Four agents, five customers, eight open tickets and one solved one."""
    from store.models import Agent, Customer
    from store.sla.clocks import record_breaches
    from store.tickets.actions import add_reply, claim, create_ticket, set_status

    seed = Seed(db=db, clock=clock)
    t0 = FROZEN_AT - timedelta(days=30)
    with db.write() as session:
        for name, role, display in (("amy", "agent", "陳雅婷"), ("ben", "agent", "Ben Lin"),
                                    ("lead.lin", "lead", "林組長"), ("chief", "supervisor", "周主管")):
            session.add(Agent(name=name, role=role, display_name=display, created_at=t0))
        for name, tier, lang in (("王小明", "standard", "zh-TW"), ("陳大文", "gold", "zh-TW"),
                                 ("Alice Chen", "platinum", "en"), ("林美玲", "diamond", "zh-TW"),
                                 ("Bob Lee", "standard", "en")):
            session.add(Customer(name=name, tier=tier, language=lang, contact=f"{len(name)}@example.com",
                                 created_at=t0))
    with db.read() as session:
        from sqlmodel import select

        seed.agents = {a.name: a.id for a in session.exec(select(Agent)).all()}
        seed.customers = {c.name: c.id for c in session.exec(select(Customer)).all()}

    def new(label: str, minutes_ago: int, subject: str, priority: str, customer: str, *, channel: str = "email",
            category: str = "", body: str = "") -> int:
        ticket = seed.act(create_ticket, at=FROZEN_AT - timedelta(minutes=minutes_ago), subject=subject,
                          customer_id=seed.customers[customer], priority=priority, channel=channel,
                          category=category, body=body or subject,
                          language="en" if subject.isascii() else "zh-TW")
        seed.tickets[label] = ticket.id
        return ticket.id

    # Urgent, first reply due 30 min after creation: breached 1 h 30 min ago.
    new("breached", 120, "付款失敗但有扣款", "urgent", "王小明", category="其他/系統問題")
    # High, 2 h first reply, 1 h 40 min old: 20 min left, under the 30 min warning share.
    new("at_risk", 100, "Return request for order A1234", "high", "Bob Lee", channel="chat",
        category="售後支援/退換貨")
    # Normal, claimed and answered by amy, then pending: resolution paused.
    paused = new("paused", 300, "發票抬頭要更改", "normal", "陳大文", channel="web", category="訂單服務/發票證明")
    seed.act(claim, paused, seed.agents["amy"], at=FROZEN_AT - timedelta(minutes=290))
    seed.act(add_reply, paused, seed.agents["amy"], "已收到,請提供統一編號。",
             at=FROZEN_AT - timedelta(minutes=280))
    seed.act(set_status, paused, seed.agents["amy"], "pending", at=FROZEN_AT - timedelta(minutes=279))
    # Plenty of time left.
    new("english", 30, "How do I reset my password?", "normal", "Alice Chen", channel="email",
        category="其他/帳號會員")
    new("chinese", 45, "請問這款耳機有保固嗎", "low", "林美玲", channel="phone", category="購買前諮詢/產品規格")
    bens = new("bens", 60, "訂單 A5566 還沒出貨", "high", "王小明", channel="social", category="訂單服務/訂單狀態")
    seed.act(claim, bens, seed.agents["ben"], at=FROZEN_AT - timedelta(minutes=55))
    mine = new("mine", 20, "Order A7788 arrived damaged", "high", "陳大文", channel="chat",
               category="售後支援/退換貨")
    seed.act(claim, mine, seed.agents["amy"], at=FROZEN_AT - timedelta(minutes=10))
    new("unassigned", 5, "想了解企業採購方案", "normal", "林美玲", channel="web", category="其他/商業合作")
    done = new("solved", 600, "已解決的舊問題", "normal", "王小明")
    seed.act(claim, done, seed.agents["amy"], at=FROZEN_AT - timedelta(minutes=590))
    seed.act(add_reply, done, seed.agents["amy"], "已處理完成。", set_status="solved",
             at=FROZEN_AT - timedelta(minutes=580))
    with db.write() as session:
        record_breaches(session, FROZEN_AT)
    return seed


@pytest.fixture
def seed_small(db, clock, _templates: _Templates) -> Seed:
    """seed_team's database, made once per session and copied (see `db`)."""
    return Seed(db=db, clock=clock, agents=dict(_templates.agents), customers=dict(_templates.customers),
                tickets=dict(_templates.tickets))


def make_services(seed: Seed, agent: str = "amy", lang: str = "en"):
    """Services for an agent on the seeded database, with the seed's frozen clock."""
    from console.context import CliState
    from console.i18n import set_language
    from console.services import Services, team_zone_of
    from store.team.agents import find_agent

    set_language(lang)
    with seed.db.read() as session:  # type: ignore[attr-defined]
        who = find_agent(session, agent)
        zone = team_zone_of(session, who.team)
    state = CliState(db_url=str(seed.path), as_agent=agent, lang=lang)
    return Services(db=seed.db, agent=who, clock=seed.clock, lang=lang, state=state,  # type: ignore[arg-type]
                    team_zone=zone)


@pytest.fixture
def queue_app(seed_small):
    """A factory: queue_app(agent="amy", lang="en") -> ShiftdeskApp on the seeded database."""
    from console.app import ShiftdeskApp

    def build(agent: str = "amy", lang: str = "en", seed: Seed | None = None) -> ShiftdeskApp:
        return ShiftdeskApp(make_services(seed or seed_small, agent, lang))

    return build


class QueueUI:
    """The Pilot harness (tests/support/pilot.py) under the `queue_ui` fixture many tests take."""

    settle = staticmethod(pilot.settle)
    screen_text = staticmethod(pilot.screen_text)
    row_text = staticmethod(pilot.row_text)


@pytest.fixture
def queue_ui() -> type[QueueUI]:
    return QueueUI
