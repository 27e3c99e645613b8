"""The limits every boundary checks: ids and positions, login names, display and team names.

The command line, the console's prompts and the store all call these, so a value that would
break a later action (an id SQLite cannot bind, a name longer than its PostgreSQL column, a
control character in a name printed on every screen) is refused where it enters, with a
message naming the field and the rule, and never saved.
"""

from __future__ import annotations

import unicodedata

MAX_ID = 2**63 - 1  # the largest id SQLite (and a PostgreSQL bigint) can hold
MAX_POSITION = 2**31 - 1  # policy positions are an INTEGER column
PG_MAX_ID = 2**31 - 1  # ids are INTEGER (serial) columns on PostgreSQL
LOGIN_MAX = 64
LOGIN_EXTRA = "._-@"  # besides letters and digits
DISPLAY_MAX = 100
TEAM_MAX = 64
SHIFT_NAME_MAX = 32
COMBINING_RUN = 4  # accents stacked on one letter: enough for any script, not for a smear
# Categories no name may hold: controls, format characters (zero-width, bidi), line and paragraph
# separators, private use, surrogates, unassigned.
_FORBIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"})


def _shown(value: str) -> str:
    """A value quoted for an error message: control characters escaped, long ones cut."""
    text = value if len(value) <= 40 else value[:40] + "…"
    return ascii(text) if any(unicodedata.category(c) in _FORBIDDEN for c in text) else repr(text)


def check_number(field: str, value: object, *, low: int = 1, high: int = MAX_ID) -> int:
    """An integer in [low, high], or ValueError saying so."""
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip())
        except ValueError:
            raise ValueError(f"{field}: {_shown(str(value))} is not a whole number") from None
    if not low <= value <= high:
        raise ValueError(f"{field}: {value} must be between {low} and {high}")
    return value


def check_id(field: str, value: object) -> int:
    """A row id: 1 to 2^63-1."""
    return check_number(field, value, low=1, high=MAX_ID)


def id_ceiling(dialect: str) -> int:
    """The largest id a row can have on this database (a larger one names no row)."""
    return PG_MAX_ID if dialect == "postgresql" else MAX_ID


def check_position(field: str, value: object) -> int:
    """A policy position: 0 to 2^31-1 (lower is tried first)."""
    return check_number(field, value, low=0, high=MAX_POSITION)


def check_text(field: str, value: str, *, limit: int, allow_empty: bool = False) -> str:
    """Printable text without control, format or separator characters or piles of combining marks,
    at most `limit` characters once surrounding spaces are stripped; returns the stripped text."""
    text = value.strip()
    bad = next((c for c in text if unicodedata.category(c) in _FORBIDDEN), None)
    if bad is not None:
        raise ValueError(f"{field}: {_shown(text)} holds the control character U+{ord(bad):04X}; "
                         "names are printable text")
    run = 0
    for c in text:
        run = run + 1 if unicodedata.combining(c) else 0
        if run > COMBINING_RUN:
            raise ValueError(f"{field}: {_shown(text)} stacks more than {COMBINING_RUN} combining marks")
    if not text and not allow_empty:
        raise ValueError(f"{field}: must not be empty")
    if len(text) > limit:
        raise ValueError(f"{field}: {_shown(text)} is {len(text)} characters; at most {limit}")
    return text


def check_login(field: str, value: str) -> str:
    """A login name (`--as`, and on PostgreSQL the database login): 1-64 letters, digits and
    . _ - @, starting with a letter or digit."""
    name = check_text(field, value, limit=LOGIN_MAX)
    if not name[0].isalnum() or not all(c.isalnum() or c in LOGIN_EXTRA for c in name):
        raise ValueError(f"{field}: {_shown(name)} may hold only letters, digits and {' '.join(LOGIN_EXTRA)}, "
                         "and starts with a letter or digit")
    return name


def check_display(field: str, value: str) -> str:
    return check_text(field, value, limit=DISPLAY_MAX, allow_empty=True)


def check_team(field: str, value: str) -> str:
    return check_text(field, value, limit=TEAM_MAX)
