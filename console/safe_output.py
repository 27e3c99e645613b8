"""Machine-readable output (JSON, CSV) that stays data: lossless in files, inert on a terminal."""

from __future__ import annotations

import json
import re
import sys
from typing import Any, TextIO

from console.sanitize import visible_controls

# Characters JSON may carry raw but a terminal could act on, hide or reorder: C1 controls (8-bit
# CSI, OSC...), DEL, bidirectional controls, zero-width and other format characters (tag
# characters included), the Unicode line separators. Escaping them as \uXXXX keeps the
# document identical once parsed.
JSON_RISKY = re.compile("[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff"
                         "\ufff9-\ufffb\U000e0000-\U000e007f]")
_JSON_RISKY = JSON_RISKY


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON spells a character beyond the BMP as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def json_text(value: Any, **kwargs: Any) -> str:
    """json.dumps with readable CJK and every terminal-active character escaped."""
    return _JSON_RISKY.sub(_escape, json.dumps(value, ensure_ascii=False, **kwargs))


class TerminalGuard:
    """A text stream that shows control characters as visible placeholders when it is a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._tty = bool(getattr(stream, "isatty", lambda: False)())

    def write(self, text: str) -> int:
        return self._stream.write(visible_controls(text, keep_newlines=True) if self._tty else text)

    def flush(self) -> None:
        self._stream.flush()


def guarded_stdout() -> TerminalGuard:
    return TerminalGuard(sys.stdout)
