"""What every screen needs: the database, who is acting, the clock. Built at start-up (and
again on the next action when a locked or unreachable database made that fail)."""

from __future__ import annotations

from dataclasses import dataclass

from console.context import CliState
from store.clock import Clock, get_clock
from store.db.engine import Database
from store.team.agents import AgentView

# A console's write waits at most this long for another process's lock (an import holds it for
# a minute) before the agent is told; the wait is in a worker, never on the event loop.
CONSOLE_LOCK_WAIT = 10.0


@dataclass
class Services:
    db: Database
    agent: AgentView
    clock: Clock
    lang: str
    state: CliState
    team_zone: str | None = None  # the agent's team's zone (store.team.shifts.team_timezone)

    def now(self):
        return self.clock.now()


def build_services(state: CliState, *, clock: Clock | None = None, lock_wait: float | None = None) -> Services:
    """Open and migrate the database and resolve the acting agent (raises UnknownAgent)."""
    from console.i18n import detect_language, set_language
    from console.session import acting_agent
    from store.db.engine import open_database
    from store.defaults import ensure_defaults

    lang = detect_language(state.lang)
    set_language(lang)
    db = open_database(state.db_url) if lock_wait is None else open_database(state.db_url, lock_wait=lock_wait)
    the_clock = clock or get_clock()
    with db.write() as session:
        ensure_defaults(session, the_clock.now())
    with db.read() as session:
        agent = acting_agent(session, state)
        zone = team_zone_of(session, agent.team)
    return Services(db=db, agent=agent, clock=the_clock, lang=lang, state=state, team_zone=zone)


def team_zone_of(session, team: str) -> str | None:
    """The team's zone, None before any shift exists."""
    from store.errors import NotFound
    from store.team.shifts import team_timezone

    try:
        return team_timezone(session, team)
    except NotFound:
        return None
