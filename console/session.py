"""Who is acting, from what the command line learned: --as, SHIFTDESK_AGENT or the OS user.

The resolution against the agent table (and a PostgreSQL login's say in it) is the store's:
store/team/agents.py. This module only hands it the command line's choice.
"""

from __future__ import annotations

import os
from typing import Any

from console.context import CliState
from store.team import agents
from store.team.agents import AgentView, LoginMismatch

__all__ = ["LoginMismatch", "acting_agent", "acting_agent_or_none", "acting_name", "confirm_chosen"]


def _chosen(state: CliState) -> str | None:
    return state.as_agent or os.environ.get("SHIFTDESK_AGENT")


def acting_name(session: Any, state: CliState) -> str:
    """--as, else SHIFTDESK_AGENT, else the database login (PostgreSQL) or the OS user name."""
    return agents.acting_name(session, _chosen(state), state.agent_name())


def acting_agent(session: Any, state: CliState) -> AgentView:
    """The acting agent, or UnknownAgent (whose message lists who exists and how to add one)."""
    return agents.acting_agent(session, _chosen(state), state.agent_name())


def acting_agent_or_none(session: Any, state: CliState) -> AgentView | None:
    """Like acting_agent, but a database with no supervisor yet lets anyone bootstrap it."""
    return agents.acting_agent_or_none(session, _chosen(state), state.agent_name())


def confirm_chosen(session: Any, state: CliState) -> None:
    """A reading command needs no agent, but one named with --as or SHIFTDESK_AGENT must exist:
    a typo there is refused (UnknownAgent) rather than silently read as nobody."""
    if _chosen(state):
        acting_agent(session, state)
