"""What may reach a terminal, judged on the raw bytes a program wrote to it.

Textual itself writes CSI sequences (cursor moves, SGR colours, modes) and one OSC, the
pointer shape (`ESC ] 22 ; name BEL`). Nothing else of the kind may appear: any other OSC
(title, clipboard, hyperlink), DCS, APC, PM or SOS, any C1 control, NUL, DEL, or bidi and
zero-width format character can only have come from data. For CSI, which Textual uses too,
each planted payload is looked for as its control character together with the text that
follows it (`ESC [ 6 n where`), which Textual never writes. The markers around each payload
show where the data was drawn, so a test can insist that it was (a check that saw nothing
proves nothing).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable

from support.hostile_seed import MARKS, PAYLOADS

_TEXTUAL_OSC = re.compile(rb"\x1b\]22;[a-z-]*\x07")
_STRING_INTRODUCERS = re.compile(rb"\x1b[\]P_^X]")
FORMAT_CHARS = set("\u061c\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e"
                   "\u2060\u2066\u2067\u2068\u2069\ufeff")
# Characters Textual never writes; \udc80.. are undecodable bytes (surrogateescape).
NEVER = {chr(c) for c in (0x00, 0x7F)} | {chr(c) for c in range(0x80, 0xA0)} | FORMAT_CHARS | {
    chr(c) for c in range(0xDC80, 0xDD00)}


def _is_control(ch: str) -> bool:
    code = ord(ch)
    return code < 0x20 or 0x7F <= code <= 0x9F or ch in FORMAT_CHARS


def problems(raw: bytes, *, payloads: Iterable[str] = PAYLOADS.values()) -> list[str]:
    """Every way the output shows data acting on the terminal; [] when it is all inert."""
    found: list[str] = []
    stripped = _TEXTUAL_OSC.sub(b"", raw)
    for match in _STRING_INTRODUCERS.finditer(stripped):
        found.append(f"string sequence {stripped[match.start():match.start() + 24]!r}")
    text = raw.decode("utf-8", errors="surrogateescape")
    for ch in sorted(set(text) & NEVER):
        at = text.index(ch)
        found.append(f"character U+{ord(ch):04X} near {text[max(0, at - 20):at + 20]!r}")
    for payload in payloads:
        for i, ch in enumerate(payload):
            if _is_control(ch):
                tail = payload[i:i + 7]
                if len(tail) > 2 and tail in text:
                    found.append(f"payload bytes {tail!r} reached the terminal")
    return found


def between_markers(text: str, key: str) -> list[str]:
    """What was drawn between two copies of `key` with nothing of the terminal's in between:
    one drawing of the data, whole (a clipped or wrapped one has a cursor move inside)."""
    spots = [m.start() for m in re.finditer(re.escape(key), text)]
    limit = 3 * len(PAYLOADS[MARKS[key]]) + 40  # room for stand-ins like ⟨U+009B⟩ and Markdown escapes
    inside = (text[a + len(key):b] for a, b in itertools.pairwise(spots) if b - a <= limit)
    return [part for part in inside if "\x1b" not in part and "\n" not in part]


def drawn(raw: bytes) -> set[str]:
    """The markers whose data was drawn whole at least once."""
    text = raw.decode("utf-8", errors="surrogateescape")
    return {key for key in MARKS if between_markers(text, key)}
