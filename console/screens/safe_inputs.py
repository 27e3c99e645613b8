"""Editors that only ever hold inert text: what is loaded, typed or pasted into them is cleaned.

A TextArea or Input draws its text as it is: a stored handover section, a prefilled note or
a paste holding ESC, OSC 52 or a bidi override would reach the terminal. These subclasses pass
every insertion through `console.sanitize` (public Textual hooks only: `edit` and
`load_text`, the `validate_value` reactive validator), so control characters arrive as their visible stand-ins.
"""

from __future__ import annotations

from textual.widgets import Input, TextArea
from textual.widgets.text_area import Edit, EditResult

from console.sanitize import clean_editable, clean_line
from widgets.reply_editor import ReplyEditor

__all__ = ["SafeInput", "SafeReplyEditor", "SafeTextArea", "clean_editable"]


class SafeTextArea(TextArea):
    """A TextArea whose document never holds a control character (newlines aside)."""

    clean = staticmethod(clean_editable)

    def __init__(self, text: str = "", **kwargs) -> None:
        super().__init__(clean_editable(text), **kwargs)

    def load_text(self, text: str) -> None:
        super().load_text(clean_editable(text))

    def edit(self, edit: Edit) -> EditResult:
        # Typing, pasting, replace() and insert() all arrive here as one Edit.
        edit.text = clean_editable(edit.text)
        return super().edit(edit)


class SafeInput(Input):
    """A one-line Input whose value never holds a control character (set, typed or pasted)."""

    def validate_value(self, value: str) -> str:
        # Textual's reactive validator: every assignment to `value` passes through here.
        return clean_line(value, limit=10_000) if not value.isprintable() else value


class SafeReplyEditor(ReplyEditor, SafeTextArea):
    """The composer's editor: ReplyEditor's placeholders and drawing over SafeTextArea's cleaning, so
    a reply's text is cleaned by the same sanitiser as every other editor's (clean_editable), on every
    way in: the text it is built with, load_text, and each edit (typed, pasted, replaced)."""

    def __init__(self, text: str = "", **kwargs) -> None:
        kwargs.setdefault("clean", clean_editable)
        super().__init__(text, **kwargs)
