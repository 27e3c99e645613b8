"""What every screen needs: the database, who is acting, the clock. Built once at start-up."""

from __future__ import annotations

from dataclasses import dataclass

from console.context import CliState
from store.clock import Clock, get_clock
from store.db.engine import Database
from store.team.agents import AgentView


@dataclass
class Services:
    db: Database
    agent: AgentView
    clock: Clock
    lang: str
    state: CliState

    def now(self):
        return self.clock.now()


def build_services(state: CliState, *, clock: Clock | None = None) -> Services:
    """Open and migrate the database and resolve the acting agent (raises UnknownAgent)."""
    from console.i18n import detect_language, set_language
    from console.session import acting_agent
    from store.db.engine import open_database
    from store.defaults import ensure_defaults

    lang = detect_language(state.lang)
    set_language(lang)
    db = open_database(state.db_url)
    the_clock = clock or get_clock()
    with db.write() as session:
        ensure_defaults(session, the_clock.now())
    with db.read() as session:
        agent = acting_agent(session, state)
    return Services(db=db, agent=agent, clock=the_clock, lang=lang, state=state)
