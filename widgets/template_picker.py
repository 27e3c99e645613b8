"""Pick a reply template as you type: a search box over a short ranked list.

The picker does not search by itself: it posts `Searched` with the query and its owner
answers with `show()` (the ranked choices). Up/down move through the list while typing, Enter
picks; it posts `Chosen` with the template's key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

__all__ = ["TemplateChoice", "TemplatePicker"]


@dataclass(frozen=True, slots=True)
class TemplateChoice:
    """One template as the list shows it (plain strings, already cleaned)."""

    key: str
    title: str
    detail: str  # category and language, say
    current: bool = False  # the template the reply started from


class TemplatePicker(Vertical):
    """A search input over an option list of templates."""

    DEFAULT_CSS = """
    TemplatePicker {
        height: 1fr;
        & > Input { margin-bottom: 0; }
        & > OptionList { height: 1fr; }
    }
    """
    BINDINGS = [
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    class Searched(Message):
        """The query changed; answer with `show()`."""

        def __init__(self, picker: TemplatePicker, query: str) -> None:
            super().__init__()
            self.picker = picker
            self.query = query

    class Chosen(Message):
        """A template was picked."""

        def __init__(self, picker: TemplatePicker, key: str) -> None:
            super().__init__()
            self.picker = picker
            self.key = key

    def __init__(self, *, placeholder: str, empty: str, current_mark: str = "●", name: str | None = None,
                 id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._placeholder = placeholder
        self._empty = empty
        self._current_mark = current_mark
        self._keys: list[str] = []
        self._choices: tuple[TemplateChoice, ...] = ()

    def compose(self) -> ComposeResult:
        yield Input(placeholder=self._placeholder, id="template-query")
        yield OptionList(id="template-options")

    @property
    def query_text(self) -> str:
        return self.query_one("#template-query", Input).value

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys listed, in order."""
        return tuple(self._keys)

    @property
    def highlighted_key(self) -> str | None:
        options = self.query_one("#template-options", OptionList)
        index = options.highlighted
        return self._keys[index] if index is not None and 0 <= index < len(self._keys) else None

    def focus_search(self) -> None:
        self.query_one("#template-query", Input).focus()

    def show(self, choices: Sequence[TemplateChoice]) -> None:
        """Replace the list with these choices, best first, the first highlighted."""
        options = self.query_one("#template-options", OptionList)
        self._keys = [c.key for c in choices]
        self._choices = tuple(choices)
        options.clear_options()
        if not choices:
            options.add_option(Option(Text(self._empty, style="italic"), disabled=True))
            return
        options.add_options([Option(self._prompt(c), id=c.key) for c in choices])
        options.highlighted = 0

    def _prompt(self, choice: TemplateChoice) -> Text:
        width = self.query_one("#template-options", OptionList).content_size.width or 34
        room = max(8, width - 4)  # one line each for title and detail (and room for a scrollbar)
        prompt = Text()
        prompt.append(f"{self._current_mark} " if choice.current else "  ", style="bold")
        prompt.append(_fit(choice.title, room), style="bold" if choice.current else "")
        if choice.detail:
            prompt.append("\n  ")
            prompt.append(_fit(choice.detail, room), style="dim")
        return prompt

    def on_resize(self) -> None:
        if self._choices:
            highlighted = self.query_one("#template-options", OptionList).highlighted
            self.show(self._choices)
            self.query_one("#template-options", OptionList).highlighted = highlighted

    def action_move(self, step: int) -> None:
        options = self.query_one("#template-options", OptionList)
        if not self._keys:
            return
        current = options.highlighted if options.highlighted is not None else -1
        options.highlighted = max(0, min(len(self._keys) - 1, current + step))

    @on(Input.Changed, "#template-query")
    def _query_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Searched(self, event.value))

    @on(Input.Submitted, "#template-query")
    def _query_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        key = self.highlighted_key
        if key is not None:
            self.post_message(self.Chosen(self, key))

    @on(OptionList.OptionSelected, "#template-options")
    def _option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Chosen(self, event.option.id))


def _fit(text: str, width: int) -> str:
    """The text cut to `width` cells, with an ellipsis when cut (CJK counts two cells)."""
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, width - 1).rstrip() + "…"
