"""The log file to attach to a bug report: where it lives, and the one call that sets it up.

Everything logs to `logging.getLogger("shiftdesk")` (store modules under "shiftdesk.*"). The
file is `shiftdesk.log` in the per-user log folder ($SHIFTDESK_LOG names another), rotated at
1 MB with three old files kept. Neither the file nor its folder exists until the first record
is written, so `--help` or a clean run leaves nothing behind. Customer text (subjects, bodies,
names) is only ever logged at DEBUG.
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from pathlib import Path

__all__ = ["LEVELS", "LOG_ENV", "log", "log_path", "setup_logging"]

LOG_ENV = "SHIFTDESK_LOG"
LEVELS = ("debug", "info", "warning", "error", "critical")
MAX_BYTES = 1_000_000
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

log = logging.getLogger("shiftdesk")


def log_path() -> Path:
    """$SHIFTDESK_LOG, else shiftdesk.log in platformdirs' user log folder (not created here)."""
    env = os.environ.get(LOG_ENV)
    if env:
        return Path(env).expanduser()
    import platformdirs

    return platformdirs.user_log_path("shiftdesk") / "shiftdesk.log"


class _LazyFileHandler(RotatingFileHandler):
    """A rotating file that makes its folder and opens only when the first record comes."""

    def __init__(self, path: Path) -> None:
        super().__init__(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
        self.path = path

    def emit(self, record: logging.LogRecord) -> None:
        if self.stream is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                self.handleError(record)
                return
        super().emit(record)


def setup_logging(level: str = "warning", path: Path | None = None) -> Path:
    """Send the "shiftdesk" loggers at `level` and above to the log file; returns its path.

    Called once by the command line; calling it again replaces the handler (tests do).
    """
    name = level.lower()
    if name not in LEVELS:
        raise ValueError(f"--log-level: {level!r} is not one of {', '.join(LEVELS)}")
    target = path or log_path()
    for old in [h for h in log.handlers if isinstance(h, _LazyFileHandler)]:
        log.removeHandler(old)
        old.close()
    handler = _LazyFileHandler(target)
    handler.setFormatter(logging.Formatter(FORMAT))
    log.addHandler(handler)
    log.setLevel(getattr(logging, name.upper()))
    return target

