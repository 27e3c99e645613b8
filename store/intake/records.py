"""What intake reads, whatever the format: tickets, messages, status changes and surveys,
each remembering the file line it came from, and the problems found on the way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# English wording of every problem; the console's catalogue (catalog_intake) has both languages
# under "intake.err.<code>" and a test keeps the two in step.
MESSAGES: dict[str, str] = {
    "file_unreadable": "cannot read the file: {error}",
    "encoding_unknown": "unknown encoding {encoding!r}",
    "encoding_invalid": "not valid {encoding}: byte {byte} cannot be decoded",
    "encoding_unsure": (
        "not UTF-8, and it does not read as Big5 (cp950) either; say which encoding it is with "
        "--encoding (for example --encoding cp950)"
    ),
    "empty_file": "the file holds no records",
    "format_unknown": "cannot tell the format: {detail}",
    "json_syntax": "malformed JSON at column {column}: {detail}",
    "json_truncated": "the JSON ends early (is the file truncated?): {detail}",
    "json_not_object": "expected a JSON object, found {found}",
    "csv_unterminated": "a quoted field opens on this line and is never closed (the file ends at line {end})",
    "csv_syntax": "malformed CSV: {detail}",
    "csv_columns": "{found} columns where the header has {expected}",
    "csv_header_missing": "the header lacks the column(s) {columns}",
    "csv_header_duplicate": "the column {column!r} appears twice in the header",
    "field_missing": "{field}: required",
    "field_empty": "{field}: empty",
    "field_type": "{field}: expected {expected}, found {found}",
    "field_unknown": "{field}: not a field of a {kind} record (allowed: {allowed})",
    "field_too_long": "{field}: {length} characters, the limit is {limit}",
    "bad_time": "{field}: {value!r} is not a date and time (use ISO 8601, e.g. 2024-01-15T09:30:00+08:00)",
    "naive_time": (
        "{field}: {value!r} has no UTC offset; write it with one (Z or +08:00) or pass --tz with the "
        "zone the file's times are in"
    ),
    "future_time": "{field}: {value} is in the future",
    "before_created": "{field}: {value} is before the ticket was created ({created})",
    "bad_choice": "{field}: {value!r} is not one of {allowed}",
    "bad_score": "score: {value} is outside {low}-{high} for {kind}",
    "duplicate_id": "{field} {value!r} appears twice in this file (first on line {first})",
    "unknown_ticket": "no ticket with external_id {value!r} in this file or in the database",
    "ticket_rejected": "its ticket {value!r} (line {first}) was rejected",
    "out_of_order": (
        "{field}: {value} is earlier than the ticket's last change ({last}); Shiftdesk records a "
        "ticket's events in order"
    ),
    "unknown_user": "{field}: user {value} is not among the file's users",
    "needs_tz": (
        "{source} exports carry no time zone; pass --tz with the zone your helpdesk uses "
        "(for example --tz Asia/Taipei)"
    ),
    "apply_failed": "could not be recorded: {error}",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, pinned to its file, line and field."""

    source: str
    line: int | None
    code: str
    params: dict = field(default_factory=dict, hash=False, compare=False)

    @property
    def field(self) -> str:
        return str(self.params.get("field", ""))

    def message(self) -> str:
        return MESSAGES[self.code].format(**self.params)

    def where(self) -> str:
        return f"{self.source}:{self.line}" if self.line else self.source

    def __str__(self) -> str:
        return f"{self.where()}: {self.message()}"


class IntakeError(Exception):
    """The input cannot be taken in; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems[:20]))
        self.problems = problems


@dataclass
class CustomerIn:
    name: str
    contact: str = ""
    external_id: str | None = None
    tier: str | None = None
    language: str | None = None


@dataclass
class TicketIn:
    """A ticket as its source last saw it (a snapshot): created, or updated when newer."""

    line: int
    external_id: str
    created_at: datetime
    updated_at: datetime
    subject: str
    customer: CustomerIn
    body: str = ""
    channel: str = "email"
    priority: str | None = None
    status: str | None = None
    category: str | None = None
    language: str | None = None
    fields: dict = field(default_factory=dict)
    source: str = "generic"
    repairs: list[str] = field(default_factory=list)


@dataclass
class MessageIn:
    """Something written on a ticket: by the customer, an agent (public reply) or a note."""

    line: int
    external_id: str
    at: datetime
    body: str
    author: str = "customer"  # customer | agent | note
    agent: str | None = None
    key: str = ""
    repairs: list[str] = field(default_factory=list)


@dataclass
class StatusIn:
    line: int
    external_id: str
    at: datetime
    status: str
    key: str = ""


@dataclass
class SurveyIn:
    line: int
    external_id: str
    at: datetime
    kind: str
    score: int
    comment: str = ""
    key: str = ""
    repairs: list[str] = field(default_factory=list)


Record = TicketIn | MessageIn | StatusIn | SurveyIn


@dataclass
class Unit:
    """One record as found in the file: where it starts, its raw text (for the reject file), its data."""

    line: int
    raw: str
    data: dict


@dataclass
class Parsed:
    """A whole file read and checked: good records, problems, and how to write a reject file."""

    source: str
    format: str
    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    units: dict[int, Unit] = field(default_factory=dict)
    container: str = "jsonl"  # jsonl | json-array | json-object | csv
    header: str = ""  # CSV header line, or the JSON object's other members, for rejects
    extra: dict = field(default_factory=dict)

    def bad_lines(self) -> set[int]:
        return {p.line for p in self.problems if p.line}
