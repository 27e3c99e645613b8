"""Cutting a decoded file into records (units) that remember their first line and raw text.

JSON Lines and CSV can report every bad record; a JSON document that is malformed cannot be
read past the fault, so it yields one problem naming the line and column where it breaks.
"""

from __future__ import annotations

import csv
import json
import re
from bisect import bisect_left
from dataclasses import dataclass, field

from store.intake.records import Problem, Unit

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder(strict=False)  # raw control characters in strings are data, kept as given


class _Broken(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Split:
    """The units of one file, its container, and what a reject file needs besides them."""

    container: str
    units: list[Unit] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    header_raw: str = ""
    delimiter: str = ","
    others: dict[str, object] = field(default_factory=dict)  # a JSON object's other members
    others_raw: dict[str, str] = field(default_factory=dict)
    unreadable: list[Unit] = field(default_factory=list)  # raw text of records that could not be read


class _Lines:
    def __init__(self, text: str) -> None:
        self.newlines = [m.start() for m in re.finditer("\n", text)]

    def at(self, pos: int) -> int:
        return bisect_left(self.newlines, pos) + 1


def _json_problem(text: str, source: str, exc: json.JSONDecodeError) -> Problem:
    code, params = _code_params(text, exc)
    return Problem(source, exc.lineno, code, params)


def _skip(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    return match.end() if match else pos


def _expect_more(text: str, pos: int, source: str, lines: _Lines, what: str) -> None:
    if pos >= len(text):
        raise _Broken(Problem(source, lines.at(len(text)), "json_truncated", {"detail": f"expected {what}"}))


def _value(text: str, pos: int, source: str) -> tuple[object, int]:
    try:
        return _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        raise _Broken(_json_problem(text, source, exc)) from None


def _array(text: str, pos: int, source: str, lines: _Lines) -> tuple[list[Unit], int]:
    units: list[Unit] = []
    pos = _skip(text, pos + 1)
    _expect_more(text, pos, source, lines, "a value or ]")
    if text[pos] == "]":
        return units, pos + 1
    while True:
        start = pos
        value, end = _value(text, pos, source)
        units.append(Unit(lines.at(start), text[start:end], value))  # type: ignore[arg-type]
        pos = _skip(text, end)
        _expect_more(text, pos, source, lines, ", or ]")
        if text[pos] == "]":
            return units, pos + 1
        if text[pos] != ",":
            column = pos - (text.rfind("\n", 0, pos) + 1) + 1
            raise _Broken(Problem(source, lines.at(pos), "json_syntax",
                                  {"detail": "expected , or ]", "column": column}))
        pos = _skip(text, pos + 1)
        _expect_more(text, pos, source, lines, "a value")


def split_json(text: str, source: str, list_keys: tuple[str, ...] = ("tickets",)) -> Split:
    """A JSON array of records, or an object whose `tickets` member is (a Zendesk export)."""
    lines = _Lines(text)
    pos = _skip(text, 0)
    try:
        if text.startswith("[", pos):
            units, end = _array(text, pos, source, lines)
            result = Split("json-array", units)
        else:
            result = _object(text, pos, source, lines, list_keys)
            end = result.others.pop("__end__")  # type: ignore[assignment]
        rest = _skip(text, end)  # type: ignore[arg-type]
        if rest < len(text):
            column = rest - (text.rfind("\n", 0, rest) + 1) + 1
            raise _Broken(Problem(source, lines.at(rest), "json_syntax", {"detail": "Extra data", "column": column}))
        return result
    except _Broken as broken:
        return Split("json-array", problems=[broken.problem])


def _object(text: str, pos: int, source: str, lines: _Lines, list_keys: tuple[str, ...]) -> Split:
    if not text.startswith("{", pos):
        value, _ = _value(text, pos, source)
        raise _Broken(Problem(source, lines.at(pos), "json_not_object", {"found": type(value).__name__}))
    result = Split("json-object")
    pos = _skip(text, pos + 1)
    _expect_more(text, pos, source, lines, "a member or }")
    if text[pos] == "}":
        result.others["__end__"] = pos + 1
        return result
    while True:
        key, pos = _value(text, pos, source)
        pos = _skip(text, pos)
        _expect_more(text, pos, source, lines, ":")
        if not isinstance(key, str) or text[pos] != ":":
            raise _Broken(Problem(source, lines.at(pos), "json_syntax", {"detail": "expected a member name and :", "column": 1}))
        pos = _skip(text, pos + 1)
        _expect_more(text, pos, source, lines, "a value")
        if key in list_keys and text.startswith("[", pos):
            units, pos = _array(text, pos, source, lines)
            result.units.extend(units)
        elif key == "ticket" and text.startswith("{", pos):
            start = pos
            value, pos = _value(text, pos, source)
            result.units.append(Unit(lines.at(start), text[start:pos], value))  # type: ignore[arg-type]
        else:
            start = pos
            value, pos = _value(text, pos, source)
            result.others[key] = value
            result.others_raw[key] = text[start:pos]
        pos = _skip(text, pos)
        _expect_more(text, pos, source, lines, ", or }")
        if text[pos] == "}":
            result.others["__end__"] = pos + 1
            return result
        if text[pos] != ",":
            raise _Broken(Problem(source, lines.at(pos), "json_syntax", {"detail": "expected , or }", "column": 1}))
        pos = _skip(text, pos + 1)


def split_jsonl(text: str, source: str, *, first_line: int = 1) -> Split:
    """One JSON object per line; blank lines are skipped, each bad line is its own problem."""
    result = Split("jsonl")
    for number, line in enumerate(text.split("\n"), start=first_line):
        stripped = line.rstrip("\r")
        if not stripped.strip():
            continue
        try:
            value = _DECODER.decode(stripped)
        except json.JSONDecodeError as exc:
            code, params = _code_params(stripped, exc)
            result.problems.append(Problem(source, number, code, params))
            result.unreadable.append(Unit(number, stripped, {}))
            continue
        result.units.append(Unit(number, stripped, value))  # type: ignore[arg-type]
    return result


def _code_params(line: str, exc: json.JSONDecodeError) -> tuple[str, dict]:
    if exc.pos >= len(line.rstrip()) or exc.msg.startswith("Unterminated string"):
        return "json_truncated", {"detail": exc.msg}
    return "json_syntax", {"detail": exc.msg, "column": exc.colno}


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def split_csv(text: str, source: str) -> Split:
    """A header row, then one record per row; rows may span lines inside quotes."""
    physical = [line + "\n" for line in text.split("\n")]
    if physical and physical[-1] == "\n":
        physical.pop()
    result = Split("csv")
    if not physical:
        return result
    result.delimiter = _delimiter(physical[0])
    reader = csv.reader(iter(physical), delimiter=result.delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        result.problems.append(Problem(source, 1, "csv_syntax", {"detail": str(exc) or "no header"}))
        return result
    result.header = [h.strip() for h in header]
    result.header_raw = "".join(physical[: reader.line_num])
    seen: set[str] = set()
    for name in result.header:
        if name.casefold() in seen:
            result.problems.append(Problem(source, 1, "csv_header_duplicate", {"column": name}))
        seen.add(name.casefold())
    previous = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            start = previous + 1
            if "unexpected end of data" in str(exc):
                result.problems.append(Problem(source, start, "csv_unterminated", {"end": reader.line_num}))
                break
            result.problems.append(Problem(source, reader.line_num, "csv_syntax", {"detail": str(exc)}))
            result.unreadable.append(Unit(reader.line_num, "".join(physical[start - 1: reader.line_num]), {}))
            previous = reader.line_num
            continue
        start, previous = previous + 1, reader.line_num
        if not any(cell.strip() for cell in row):
            continue  # blank rows, as spreadsheet exports sometimes end with
        raw = "".join(physical[start - 1: previous])
        if len(row) != len(result.header):
            result.problems.append(Problem(source, start, "csv_columns",
                                           {"found": len(row), "expected": len(result.header)}))
            result.unreadable.append(Unit(start, raw, {}))
            continue
        result.units.append(Unit(start, raw, dict(zip(result.header, row, strict=True))))
    return result


def container_of(text: str, name: str) -> str:
    """csv, jsonl, json-array or json-object, from the name and the first characters."""
    lower = name.lower()
    if lower.endswith((".csv", ".tsv")):
        return "csv"
    if lower.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    stripped = text.lstrip()
    if stripped.startswith("["):
        return "json-array"
    if not stripped.startswith("{"):
        return "csv"
    first = stripped.split("\n", 1)[0].rstrip("\r")
    try:
        value = json.loads(first)
    except json.JSONDecodeError:
        return "json-object"  # a pretty-printed object spans lines
    only_line = not stripped[len(first):].strip()
    if isinstance(value, dict) and ("tickets" in value or "ticket" in value) and only_line:
        return "json-object"
    return "jsonl"
