"""Turning a file's bytes into text without ever guessing it into garbage.

UTF-8 (with or without a BOM) and UTF-16 with a BOM are certain. Anything else is tried as
cp950 (Big5 as Windows in Taiwan writes it), strictly, and kept only when the result looks
like Traditional Chinese: most double-byte characters must come from Big5's symbols and its
frequently used set. Latin-1 bytes read as Big5 land in the rarely used set, so they fail
that test and the user is asked for --encoding instead.
"""

from __future__ import annotations

import codecs

from store.intake.records import IntakeError, Problem

BIG5 = "cp950"
# Big5 lead bytes 0xA1-0xA3 are symbols, 0xA4-0xC6 the 5,401 frequently used hanzi.
_COMMON_LEADS = range(0xA1, 0xC7)
MIN_COMMON_SHARE = 0.7


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _invalid(source: str, data: bytes, exc: UnicodeDecodeError, encoding: str) -> Problem:
    byte = data[exc.start:exc.start + 1].hex().upper()
    return Problem(source, _line_of(data, exc.start), "encoding_invalid",
                   {"encoding": encoding, "byte": f"0x{byte}"})


def check_encoding_name(name: str) -> str:
    """The codec's canonical name, or ValueError for a name Python does not know."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ValueError(name) from None


def looks_like_big5_text(text: str) -> bool:
    """True when the non-ASCII characters are mostly Big5 symbols and common hanzi."""
    total = common = 0
    for ch in text:
        if ch < "\x80":
            continue
        total += 1
        try:
            encoded = ch.encode(BIG5)
        except UnicodeEncodeError:
            continue
        if len(encoded) == 2 and encoded[0] in _COMMON_LEADS:
            common += 1
    return total > 0 and common / total >= MIN_COMMON_SHARE


def decode(data: bytes, source: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode a whole file; returns (text, encoding used) or raises IntakeError with the line."""
    if encoding:
        try:
            name = check_encoding_name(encoding)
        except ValueError:
            raise IntakeError([Problem(source, None, "encoding_unknown", {"encoding": encoding})]) from None
        if name in ("utf-8", "utf_8") and data.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        try:
            return data.decode(name), name
        except UnicodeDecodeError as exc:
            raise IntakeError([_invalid(source, data, exc, encoding)]) from None
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise IntakeError([_invalid(source, data, exc, "UTF-8")]) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise IntakeError([_invalid(source, data, exc, "UTF-16")]) from None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode(BIG5)
    except UnicodeDecodeError:
        text = None
    if text is not None and looks_like_big5_text(text):
        return text, BIG5
    raise IntakeError([Problem(source, None, "encoding_unsure", {})])


def decode_line(data: bytes, source: str, line: int, encoding: str | None) -> str:
    """One line of a stream: UTF-8 (a BOM on the first line is dropped) unless told otherwise."""
    name = encoding or "utf-8"
    if line == 1 and name.replace("_", "-").lower() in ("utf-8", "utf8") and data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode(name)
    except UnicodeDecodeError as exc:
        byte = data[exc.start:exc.start + 1].hex().upper()
        raise IntakeError([Problem(source, line, "encoding_invalid", {"encoding": name, "byte": f"0x{byte}"})]) from None
    except LookupError:
        raise IntakeError([Problem(source, None, "encoding_unknown", {"encoding": name})]) from None
