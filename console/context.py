"""What the root command learned (database, who is acting, language, settings), handed to subcommands."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field

from console.settings import Settings


@dataclass
class CliState:
    db_url: str | None = None
    as_agent: str | None = None
    lang: str | None = None
    settings: Settings = field(default_factory=Settings)
    """The settings file as loaded (built-in defaults, writing nothing back, unless the CLI loaded one)."""

    def agent_name(self) -> str:
        """--as, else SHIFTDESK_AGENT, else the OS user name."""
        if self.as_agent:
            return self.as_agent
        env = os.environ.get("SHIFTDESK_AGENT")
        if env:
            return env
        try:
            return getpass.getuser()
        except Exception:  # getuser raises OSError/KeyError in odd containers
            return "agent"
