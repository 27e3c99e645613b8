"""The real `shiftdesk` in a pseudo-terminal: keys in, the raw bytes it writes out.

Pilot tests see Textual's model of the screen; these see what a terminal would receive,
escape sequences and all, which is where a control sequence from data would act.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Sequence
from pathlib import Path

SHIFTDESK = Path(sys.executable).with_name("shiftdesk")


class PtyApp:
    """One process on a pty of `cols` x `rows`; `out` collects every byte it wrote."""

    def __init__(self, argv: Sequence[str], *, env: dict[str, str] | None = None, cols: int = 100,
                 rows: int = 30) -> None:
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(cols), "LINES": str(rows),
                    "TEXTUAL_ANIMATIONS": "none", **(env or {})}
        full_env.pop("TEXTUAL", None)
        self.proc = subprocess.Popen([str(SHIFTDESK), *argv], stdin=slave, stdout=slave, stderr=slave,
                                     env=full_env, start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.out = bytearray()

    def pump(self, seconds: float) -> None:
        """Read what the process writes for `seconds` (less if it closes the terminal)."""
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            ready, _, _ = select.select([self.master], [], [], min(left, 0.05))
            if ready:
                try:
                    chunk = os.read(self.master, 65536)
                except OSError:
                    return
                if not chunk:
                    return
                self.out.extend(chunk)

    def wait_for(self, needle: bytes | str, timeout: float = 20.0, *, start: int = 0) -> int:
        """Pump until `needle` shows up after byte `start`; its offset."""
        raw = needle.encode() if isinstance(needle, str) else needle
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            found = self.out.find(raw, start)
            if found >= 0:
                return found
            if self.proc.poll() is not None:
                self.pump(0.2)
                break
            self.pump(0.1)
        found = self.out.find(raw, start)
        if found < 0:
            raise AssertionError(f"{needle!r} never appeared; exit={self.proc.poll()}; "
                                 f"tail={bytes(self.out[-1500:])!r}")
        return found

    def mark(self) -> int:
        """Where the output stands now (for `wait_for(..., start=mark)`)."""
        return len(self.out)

    def send(self, keys: bytes | str, settle: float = 0.6) -> None:
        os.write(self.master, keys.encode() if isinstance(keys, str) else keys)
        self.pump(settle)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> int:
        if self.proc.poll() is None:
            try:
                os.write(self.master, b"\x11")  # ctrl+q
            except OSError:
                pass
            self.pump(1.5)
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        code = self.proc.wait(10)
        os.close(self.master)
        return code


def run_cli(argv: Sequence[str], *, env: dict[str, str] | None = None, cols: int = 100, rows: int = 30,
            timeout: float = 60.0) -> tuple[int, bytes]:
    """A command to completion on a pty: its exit status and the raw bytes it wrote."""
    app = PtyApp(argv, env=env, cols=cols, rows=rows)
    end = time.monotonic() + timeout
    while app.proc.poll() is None and time.monotonic() < end:
        app.pump(0.1)
    app.pump(0.3)
    code = app.close()
    return code, bytes(app.out)
