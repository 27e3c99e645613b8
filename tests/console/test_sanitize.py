"""console.sanitize: the one gate customer text passes before it reaches a view."""

from __future__ import annotations

import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.text import Text

from console.sanitize import MAX_LINE, MAX_TEXT, clean_line, clean_text


def _dangerous(ch: str) -> bool:
    code = ord(ch)
    category = unicodedata.category(ch)
    if ch == "\n":
        return False
    return category in ("Cc", "Cs") or (category == "Cf" and code not in (0x200C, 0x200D)) or code in (0x2028, 0x2029)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=()), max_size=300))
def test_no_control_format_or_separator_character_survives(value):
    for cleaned in (clean_line(value), clean_text(value)):
        assert not [c for c in cleaned if _dangerous(c)]
    assert "\n" not in clean_line(value)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2000), st.integers(min_value=2, max_value=600))
def test_lengths_are_bounded(value, limit):
    assert len(clean_line(value, limit=limit)) <= limit
    assert len(clean_text(value, limit=limit * 10)) <= limit * 10


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(categories=("L", "N", "P", "S", "Zs")), max_size=200))
def test_plain_text_passes_unchanged(value):
    if "\u2028" in value or "\u2029" in value or value != " ".join(value.split()):
        return
    assert clean_line(value) == value[:MAX_LINE] or len(value) > MAX_LINE


def test_escape_sequences_become_visible_placeholders():
    assert clean_line("\x1b[31mred\x1b[0m") == "␛[31mred␛[0m"
    assert clean_line("\x1b]52;c;ZXZpbA==\x07") == "␛]52;c;ZXZpbA==␇"
    assert clean_line("\x1b]8;;http://x\x1b\\a\x1b]8;;\x1b\\") == "␛]8;;http://x␛\\a␛]8;;␛\\"
    assert clean_line("\x1b]0;title\x07") == "␛]0;title␇"
    assert clean_line("a\x9b31mb\x9dc") == "a⟨U+009B⟩31mb⟨U+009D⟩c"
    assert clean_line("\x00\x7f") == "␀␡"


def test_bidi_and_invisible_format_characters_are_shown():
    assert clean_line("abc\u202edcba\u202c") == "abc⟨RLO⟩dcba⟨PDF⟩"
    assert clean_line("a\u2066b\u2069") == "a⟨LRI⟩b⟨PDI⟩"
    assert clean_line("zero\u200bwidth") == "zero⟨U+200B⟩width"
    assert clean_line("\ufeffbom") == "⟨U+FEFF⟩bom"
    assert clean_line("tag\U000e0041") == "tag⟨U+E0041⟩"
    # Joiners stay: emoji sequences and some scripts need them.
    assert clean_line("👩\u200d💻") == "👩\u200d💻"


def test_markup_stays_text():
    for value in ("[bold]x[/]", "[@click=app.quit]x[/]", "[link=http://evil]x[/link]"):
        cleaned = clean_line(value)
        assert cleaned == value
        assert Text(cleaned).plain == value and not Text(cleaned).spans


def test_single_line_fields_stay_one_line_and_long_ones_are_cut():
    many = "\n".join(f"line {i}" for i in range(5000))
    one = clean_line(many)
    assert "\n" not in one and one.startswith("line 0 line 1") and len(one) == MAX_LINE and one.endswith("…")
    assert len(clean_line("x" * 100_000)) == MAX_LINE
    assert clean_line("a\tb\r\nc\u2028d") == "a b c d"


def test_bodies_keep_their_lines_up_to_a_bound(monkeypatch):
    from console.i18n import set_language

    set_language("en")
    assert clean_text("a\r\nb\rc\u2029d") == "a\nb\nc\nd"
    body = clean_text("\n".join(str(i) for i in range(5000)))
    lines = body.split("\n")
    assert len(lines) == 401 and lines[399] == "399" and "4600 more lines not shown" in lines[400]
    assert len(clean_text("y" * 100_000)) == MAX_TEXT
    assert clean_text("tab\there") == "tab    here"


def test_combining_marks_are_capped_per_character():
    from console.sanitize import MAX_MARKS

    zalgo = "Z" + "\u0301\u0316\u0327" * 10 + "a"
    cleaned = clean_line(zalgo)
    assert cleaned == "Z" + ("\u0301\u0316\u0327" * 2)[:MAX_MARKS] + "a"
    assert clean_line("Tiê\u0301ng Việt") == "Tiê\u0301ng Việt"  # real scripts keep theirs
    assert clean_text("e" + "\u0300" * 50).count("\u0300") == MAX_MARKS


def test_joiners_stay_only_where_emoji_or_scripts_need_them():
    assert clean_line("👨\u200d👩\u200d👧") == "👨\u200d👩\u200d👧"
    assert clean_line("می\u200cخواهم") == "می\u200cخواهم"  # Persian non-joiner after a letter
    assert clean_line("pay\u200dpal") == "pay⟨U+200D⟩pal"  # hiding inside a word
    assert clean_line("\u200dstart") == "⟨U+200D⟩start"


def test_editable_text_is_cleaned_but_never_cut():
    from console.sanitize import clean_editable

    long = "\n".join(f"第 {n} 行" for n in range(5000)) + "\x1b]52;c;ZXZpbA==\x07"
    cleaned = clean_editable(long)
    assert cleaned.count("\n") == 4999 and cleaned.endswith("␛]52;c;ZXZpbA==␇")
    assert clean_editable("a\r\nb\rc") == "a\nb\nc"
