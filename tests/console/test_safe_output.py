"""JSON and CSV on standard output: lossless when redirected, inert on a terminal."""

from __future__ import annotations

import io
import json

from hypothesis import given
from hypothesis import strategies as st

from console.safe_output import TerminalGuard, json_text

HOSTILE = "\x1b]0;pwned\x07 \x9b31m \u202eevil \u2028 [bold]x[/] 客訴"


@given(st.recursive(st.text() | st.integers() | st.none(),
                    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner), max_leaves=10))
def test_json_text_round_trips(value):
    assert json.loads(json_text(value)) == value


def test_json_text_has_no_raw_control_or_bidi():
    text = json_text({"subject": HOSTILE})
    assert not any(0x7F <= ord(c) <= 0x9F or c == "\x1b" or c in "\u202e\u2028" for c in text)
    assert "客訴" in text and "[bold]x[/]" in text
    assert json.loads(text)["subject"] == HOSTILE


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_guard_shows_controls_on_a_terminal_only():
    tty = FakeTerminal()
    TerminalGuard(tty).write(HOSTILE + "\n")
    shown = tty.getvalue()
    assert "\x1b" not in shown and "\x9b" not in shown and "\u202e" not in shown
    assert "␛]0;pwned␇" in shown and shown.endswith("\n")
    pipe = io.StringIO()
    TerminalGuard(pipe).write(HOSTILE)
    assert pipe.getvalue() == HOSTILE
