"""The log file to attach to a bug report: where it lives, and the one call that sets it up.

Everything logs to `logging.getLogger("shiftdesk")` (store modules under "shiftdesk.*"). The
file is `shiftdesk.log` in the per-user log folder ($SHIFTDESK_LOG names another), rotated at
1 MB with three old files kept. Neither the file nor its folder exists until the first record
is written, so `--help` or a clean run leaves nothing behind. Customer text (subjects, bodies,
names) is only ever logged when the log is at DEBUG: at any other level, a traceback keeps its frames and each exception's
type, but only the first line of its message, cut short, and never the parameters of a failed
SQL statement (those are customer text: a subject, a body, a name).
"""

from __future__ import annotations

import logging
import os
import re
import traceback
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


MESSAGE_CHARS = 200
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")


def guarded_message(exc: BaseException) -> str:
    """What a log above DEBUG keeps of an exception's message.

    A failed SQL statement (SQLAlchemy's StatementError: it has `orig` and `params`) gives the
    database's own message instead of the statement and its parameters; the database's message
    keeps its first line only (PostgreSQL's DETAIL line quotes the row's values); control
    characters go and it is cut at MESSAGE_CHARS.
    """
    source = exc.orig if hasattr(exc, "orig") and hasattr(exc, "params") and exc.orig is not None else exc
    lines = str(source).splitlines()
    first = _CONTROLS.sub("?", lines[0] if lines else "")
    cut = len(lines) > 1 or len(first) > MESSAGE_CHARS
    text = first[:MESSAGE_CHARS]
    return f"{text} [shortened: --log-level debug logs it whole]" if cut else text


def _chain(exc: BaseException) -> list[tuple[BaseException, str]]:
    """The exception and those behind it, oldest first, each with the line that joins it on."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    joint = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, joint))
        if current.__cause__ is not None:
            joint, current = "The above exception was the direct cause of the following exception:", current.__cause__
        elif current.__context__ is not None and not current.__suppress_context__:
            joint, current = "During handling of the above exception, another exception occurred:", current.__context__
        else:
            current = None
    return chain[::-1]


def guarded_traceback(exc: BaseException) -> str:
    """A traceback as Python prints it, with every message passed through guarded_message."""
    parts: list[str] = []
    links = _chain(exc)
    for index, (item, _) in enumerate(links):
        if index:
            parts.append(f"\n\n{links[index - 1][1]}\n\n")
        if item.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_list(traceback.extract_tb(item.__traceback__)))
        name = type(item).__qualname__
        module = type(item).__module__
        qualified = name if module in ("builtins", "__main__") else f"{module}.{name}"
        message = guarded_message(item)
        parts.append(f"{qualified}: {message}" if message else qualified)
    return "".join(parts)


class _GuardedFormatter(logging.Formatter):
    """The log's format; unless the log is at DEBUG, tracebacks through guarded_traceback."""

    def __init__(self, fmt: str, *, whole: bool) -> None:
        super().__init__(fmt)
        self.whole = whole

    def format(self, record: logging.LogRecord) -> str:
        if record.exc_info and record.exc_info[1] is not None and not self.whole:
            record.exc_text = guarded_traceback(record.exc_info[1])
        return super().format(record)


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
    handler.setFormatter(_GuardedFormatter(FORMAT, whole=name == "debug"))
    log.addHandler(handler)
    log.setLevel(getattr(logging, name.upper()))
    return target

