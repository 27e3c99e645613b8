"""CSV export that a spreadsheet cannot turn into a formula (CSV / formula injection).

Customer text such as `=HYPERLINK("http://evil.example","click")`, `+cmd|' /C calc'!A0`,
`-1+1` or `@SUM(1+1)` becomes a live formula when an exported CSV is opened in Excel,
LibreOffice or Google Sheets. Every text cell that starts with = + - @, a tab or a carriage
return gets a single quote in front (OWASP's advice), which spreadsheets show as text.
Numbers are numbers: pass them as int/float (a negative NPS is -12, not "-12") and they are
written untouched. Use `writer()` or `write_rows()` for every CSV Shiftdesk writes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import IO, Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The full-width forms of the same signs, which some spreadsheets also read as formulas.
WIDE_STARTS = ("＝", "＋", "－", "＠")

__all__ = ["FORMULA_STARTS", "SafeWriter", "neutralise", "neutralise_row", "write_rows", "writer"]


def neutralise(value: Any) -> Any:
    """A cell as it is safe to write: text starting like a formula gets a leading single quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS + WIDE_STARTS):
        return "'" + value
    return value


def neutralise_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise(cell) for cell in row]


class SafeWriter:
    """A csv.writer whose every row goes through `neutralise` first.

    csv quotes a cell holding a character of the line terminator, so with "\n" a bare carriage
    return went out unquoted and split the row for every reader. Rows are formatted with
    "\r\n" (both get quoted) and written with the terminator asked for.
    """

    def __init__(self, stream: IO[str], **fmt: Any) -> None:
        self._stream = stream
        self._end = fmt.pop("lineterminator", "\r\n")
        self._line = io.StringIO()
        self._writer = csv.writer(self._line, lineterminator="\r\n", **fmt)

    def writerow(self, row: Iterable[Any]) -> Any:
        self._line.seek(0)
        self._line.truncate()
        self._writer.writerow(neutralise_row(row))
        return self._stream.write(self._line.getvalue()[:-2] + self._end)

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: IO[str], **fmt: Any) -> SafeWriter:
    """Like csv.writer(stream, **fmt), neutralising formula cells; open files with newline=""."""
    return SafeWriter(stream, **fmt)


def write_rows(stream: IO[str], header: Iterable[str] | None, rows: Iterable[Iterable[Any]], **fmt: Any) -> None:
    out = writer(stream, **fmt)
    if header is not None:
        out.writerow(header)
    out.writerows(rows)
