"""The one gate customer text passes before it reaches a view: data in, plain visible text out.

Nothing here produces markup. Callers wrap the result in `rich.text.Text` (never
`Text.from_markup`, never a markup string), so brackets stay brackets; this module
makes sure no byte of the text can act on the terminal either.
"""

from __future__ import annotations

import unicodedata

__all__ = ["MAX_MARKS", "clean_editable", "clean_line", "clean_text", "visible_controls"]

# C0 controls get the Unicode "control pictures" block (U+2400 + code); DEL gets ␡.
_C0_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_C0_PICTURES[0x7F] = "\u2421"  # ␡
# Bidirectional formatting characters could reorder what the agent sees: show them instead.
_BIDI = {
    0x202A: "⟨LRE⟩",
    0x202B: "⟨RLE⟩",
    0x202C: "⟨PDF⟩",
    0x202D: "⟨LRO⟩",
    0x202E: "⟨RLO⟩",
    0x2066: "⟨LRI⟩",
    0x2067: "⟨RLI⟩",
    0x2068: "⟨FSI⟩",
    0x2069: "⟨PDI⟩",
    0x200E: "⟨LRM⟩",
    0x200F: "⟨RLM⟩",
    0x061C: "⟨ALM⟩",
}
_ZWNJ, _ZWJ = 0x200C, 0x200D
ELLIPSIS = "…"
# Combining marks stacked on one base character ("Zalgo" text) smear over the lines around
# it; real scripts (Vietnamese, Hebrew points, Devanagari) stack at most three or four.
MAX_MARKS = 4
MAX_LINE = 500
MAX_TEXT = 20_000


def _joiner_fits(code: int, before: str) -> bool:
    """A zero-width joiner inside an emoji sequence, a non-joiner after a letter: kept."""
    if not before:
        return False
    category = unicodedata.category(before)
    if code == _ZWJ:
        return category in ("So", "Sk") or before in "\ufe0f\u200d" or 0x1F3FB <= ord(before) <= 0x1F3FF
    return category[0] in "LM"


def _replacement(ch: str, before: str, *, keep_newlines: bool) -> str | None:
    """Visible stand-in for a character that must not reach the terminal, or None if safe."""
    code = ord(ch)
    if code == 0x0A and keep_newlines:
        return None
    if code == 0x09:
        return "    " if keep_newlines else " "
    if code < 0x20 or code == 0x7F:
        if code in (0x0A, 0x0D):
            return " " if not keep_newlines else ""
        return _C0_PICTURES[code]
    if 0x80 <= code <= 0x9F:  # C1 controls, including CSI (0x9B) and OSC (0x9D)
        return f"⟨U+{code:04X}⟩"
    if code in _BIDI:
        return _BIDI[code]
    if 0xD800 <= code <= 0xDFFF:  # a lone surrogate from a broken decoder
        return "\ufffd"
    if code in (0x2028, 0x2029):  # line and paragraph separators
        return "\n" if keep_newlines else " "
    category = unicodedata.category(ch)
    if category == "Cc":
        return f"⟨U+{code:04X}⟩"
    # Other invisible format characters (zero-width space, BOM, soft hyphen, tag characters)
    # can hide or spoof text; joiners stay only where emoji and scripts need them.
    if category == "Cf" and not (code in (_ZWJ, _ZWNJ) and _joiner_fits(code, before)):
        return f"⟨U+{code:04X}⟩"
    return None


def _mark_heavy(text: str) -> bool:
    """More than MAX_MARKS combining marks in a row somewhere (only non-ASCII text is looked at)."""
    run = 0
    for ch in text:
        if ord(ch) >= 0x300 and unicodedata.category(ch) in ("Mn", "Me"):
            run += 1
            if run > MAX_MARKS:
                return True
        else:
            run = 0
    return False


def visible_controls(text: str, *, keep_newlines: bool) -> str:
    """Replace every control, C1, bidi control, stray zero-width character and lone surrogate
    with a visible placeholder, and drop combining marks past MAX_MARKS on one character."""
    if text.isprintable() and (text.isascii() or not _mark_heavy(text)):
        return text
    out: list[str] = []
    before = ""
    marks = 0
    for ch in text:
        if ord(ch) >= 0x300 and unicodedata.category(ch) in ("Mn", "Me"):
            marks += 1
            if marks > MAX_MARKS:
                continue
        else:
            marks = 0
        rep = _replacement(ch, before, keep_newlines=keep_newlines)
        out.append(ch if rep is None else rep)
        before = ch
    return "".join(out)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def clean_line(value: object, *, limit: int = MAX_LINE) -> str:
    """A single-line field (subject, name): one line, no controls, bounded length."""
    text = "" if value is None else str(value)
    if len(text) > limit * 4:
        text = text[: limit * 4]
    broken = any(c in text for c in "\n\r\t\u2028\u2029")
    text = visible_controls(text, keep_newlines=False)
    text = " ".join(text.split()) if broken else text  # line breaks become single spaces
    return _truncate(text, limit)


def clean_text(value: object, *, limit: int = MAX_TEXT, max_lines: int = 400) -> str:
    """A multi-line body: newlines kept, every other control made visible, bounded size."""
    text = "" if value is None else str(value)
    if len(text) > limit * 2:
        text = text[: limit * 2]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = visible_controls(text, keep_newlines=True)
    lines = text.split("\n")
    if len(lines) > max_lines:
        from console.i18n import t

        lines = [*lines[:max_lines], ELLIPSIS + t("text.more_lines", n=len(lines) - max_lines)]
        text = "\n".join(lines)
    return _truncate(text, limit)


def clean_editable(value: object) -> str:
    """Text for an editor (handover sections, dialogs): like clean_text, but never cut short,
    since what the editor holds is saved back."""
    text = "" if value is None else str(value)
    return visible_controls(text.replace("\r\n", "\n").replace("\r", "\n"), keep_newlines=True)
