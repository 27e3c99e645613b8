"""The reply text area: free editing, open `{placeholders}` marked where they sit, nothing raw reaches the terminal.

Which names count as open placeholders is told by the owner (`set_holes`), so a customer
whose name happens to be `{agent}` is text, not a hole. Whatever is typed or pasted passes
the `clean` function first; a line is drawn with any remaining control character replaced
one-for-one by a visible stand-in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.widgets import TextArea
from textual.widgets.text_area import EditResult, Location, Selection

__all__ = ["Hole", "ReplyEditor", "visible_line"]

_HOLE = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def visible_line(line: str) -> str:
    """The line with each control or bidi character swapped for one visible character (same length)."""
    if line.isprintable():
        return line

    def stand_in(match: re.Match[str]) -> str:
        code = ord(match.group(0))
        return chr(0x2400 + code) if code < 0x20 else ("\u2421" if code == 0x7F else "\ufffd")

    return _UNSAFE.sub(stand_in, line)


@dataclass(frozen=True, slots=True)
class Hole:
    """An open placeholder: its name and where it starts (0-based row and column)."""

    name: str
    row: int
    column: int
    length: int

    @property
    def location(self) -> Location:
        return (self.row, self.column)


class ReplyEditor(TextArea):
    """A TextArea for replies: soft-wrapped prose, open placeholders highlighted."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {*TextArea.COMPONENT_CLASSES, "reply-editor--hole"}
    DEFAULT_CSS = """
    ReplyEditor {
        height: 1fr;
        & > .reply-editor--hole { background: $warning 35%; color: $text; text-style: bold; }
    }
    """

    def __init__(self, text: str = "", *, clean: Callable[[str], str] | None = None, name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(text, soft_wrap=True, tab_behavior="focus", show_line_numbers=False,
                         highlight_cursor_line=False, name=name, id=id, classes=classes)
        self._clean = clean or (lambda value: value)
        self._hole_names: frozenset[str] = frozenset()
        self._first_hole: Hole | None = None

    # -- placeholders --------------------------------------------------------------------------

    def set_holes(self, names: Iterable[str]) -> None:
        """Which `{name}`s are still to be written (others are literal text)."""
        names = frozenset(names)
        if names != self._hole_names:
            self._hole_names = names
            self._line_cache.clear()
            self.refresh()

    def holes(self) -> list[Hole]:
        """The open placeholders in document order."""
        if not self._hole_names:
            return []
        found: list[Hole] = []
        for row in range(self.document.line_count):
            line = self.document.get_line(row)
            if "{" not in line:
                continue
            for match in _HOLE.finditer(line):
                if match.group(1) in self._hole_names:
                    found.append(Hole(match.group(1), row, match.start(), match.end() - match.start()))
        return found

    def jump_to_hole(self, step: int = 1) -> Hole | None:
        """Select the next (or previous) open placeholder after the cursor, wrapping around."""
        holes = self.holes()
        if not holes:
            return None
        here = self.cursor_location
        first, self._first_hole = self._first_hole, None
        if step >= 0 and first is not None and self.selection == self._range(first) and first in holes:
            self.select_hole(first)  # picked for the agent: the first "next" visits it, not the one after
            return first
        if step >= 0:
            ahead = [h for h in holes if h.location > here]
            hole = ahead[0] if ahead else holes[0]
        else:
            start = self.selection.start if self.selection.start < self.selection.end else here
            behind = [h for h in holes if h.location < start]
            hole = behind[-1] if behind else holes[-1]
        self.select_hole(hole)
        return hole

    def select_hole(self, hole: Hole) -> None:
        """Select the placeholder, so typing replaces it."""
        self.selection = self._range(hole)
        self.scroll_cursor_visible()

    def start_at_first_hole(self) -> Hole | None:
        """Select the first placeholder for a freshly loaded text; "next" then starts from it."""
        holes = self.holes()
        self._first_hole = holes[0] if holes else None
        if holes:
            self.select_hole(holes[0])
        return self._first_hole

    @staticmethod
    def _range(hole: Hole) -> Selection:
        return Selection((hole.row, hole.column), (hole.row, hole.column + hole.length))

    # -- drawing and input -----------------------------------------------------------------------

    def get_line(self, line_index: int) -> Text:
        line = self.document.get_line(line_index)
        text = Text(visible_line(line), end="", no_wrap=True)
        if self._hole_names and "{" in line:
            style = self.get_component_rich_style("reply-editor--hole", partial=True)
            for match in _HOLE.finditer(line):
                if match.group(1) in self._hole_names:
                    text.stylize(style, match.start(), match.end())
        return text

    def _replace_via_keyboard(self, insert: str, start: Location, end: Location) -> EditResult | None:
        return super()._replace_via_keyboard(self._clean(insert), start, end)

    def load_clean(self, text: str) -> None:
        """Replace the whole text (a template, a restored draft) after cleaning it."""
        self.load_text(self._clean(text))
