"""Machine-readable output (JSON, CSV) that stays data: lossless in files, inert on a terminal."""

from __future__ import annotations

import json
import re
import sys
from typing import Any, TextIO

from console.sanitize import visible_controls

# Characters JSON may carry raw but a terminal could act on, hide or reorder: DEL and C1 controls
# (8-bit CSI, OSC...), the soft hyphen, zero-width and bidirectional controls, the Unicode line
# separators, the BOM and interlinear annotations. Escaping them as \uXXXX keeps the document
# identical once parsed.
JSON_RISKY = re.compile("[\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
                        "\ufeff\ufff9-\ufffb]")
_JSON_RISKY = JSON_RISKY


def json_text(value: Any, **kwargs: Any) -> str:
    """json.dumps with readable CJK and every terminal-active character escaped."""
    text = json.dumps(value, ensure_ascii=False, **kwargs)
    return _JSON_RISKY.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


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
