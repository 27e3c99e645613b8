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


def test_a_bare_carriage_return_is_quoted_so_rows_never_split():
    import csv
    import io

    from store.csv_safe import writer

    out = io.StringIO()
    writer(out, lineterminator="\n").writerows([["a\rb", "=1+1", 3], ["c", "d\ne", 4]])
    assert out.getvalue() == "\"a\rb\",'=1+1,3\nc,\"d\ne\",4\n"
    assert list(csv.reader(io.StringIO(out.getvalue(), newline=""))) == [["a\rb", "'=1+1", "3"], ["c", "d\ne", "4"]]


def test_json_escapes_zero_width_and_format_characters_losslessly():
    import json

    from console.safe_output import json_text

    value = {"k": "zero\u200bwidth\ufeff\u2060 tag\U000e0041 del\x7f c1\x9b rlo\u202e"}
    text = json_text(value)
    assert json.loads(text) == value
    assert all(c.isprintable() or c in "\n" for c in text)
    assert "\\u200b" in text and "\\udb40\\udc41" in text and "\\u007f" in text
