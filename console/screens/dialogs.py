"""Small modal prompts: a line or a text (reason, note, ticket number) and a choice from a list.

Each dismisses with the value, or None when cancelled. Titles and options are `Text`, so data
shown in them (agent names) is never read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from console.i18n import t
from console.screens.queue.keys import localize_bindings

__all__ = ["ChoiceDialog", "PromptDialog"]


class PromptDialog(ModalScreen[str | None]):
    """Ask for one line (Enter submits) or a longer text (Ctrl+S submits)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "dialog.cancel", id="dialog.cancel"),
        Binding("ctrl+s", "submit", "dialog.submit", id="dialog.submit"),
    ]

    def __init__(self, title: str, *, multiline: bool = False, placeholder: str = "",
                 restrict: str | None = None, required: bool = True, max_length: int = 0) -> None:
        super().__init__(classes="dialog")
        localize_bindings(self)
        self._title = title
        self._multiline = multiline
        self._placeholder = placeholder
        self._restrict = restrict
        self._required = required
        self._max_length = max_length

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text(self._title), classes="dialog-title")
            if self._multiline:
                yield TextArea(id="dialog-text", soft_wrap=True, show_line_numbers=False)
            else:
                yield Input(placeholder=self._placeholder, restrict=self._restrict, id="dialog-line",
                            max_length=self._max_length)
            yield Static(Text(""), classes="dialog-error")
            yield Static(Text(t("dialog.hint.text" if self._multiline else "dialog.hint.line")),
                         classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#dialog-text" if self._multiline else "#dialog-line").focus()

    @property
    def value(self) -> str:
        if self._multiline:
            return self.query_one("#dialog-text", TextArea).text
        return self.query_one("#dialog-line", Input).value

    @on(Input.Submitted)
    def _line_submitted(self) -> None:
        self.action_submit()

    def action_submit(self) -> None:
        value = self.value
        if self._required and not value.strip():
            self.query_one(".dialog-error", Static).update(Text(t("dialog.required")))
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ChoiceDialog(ModalScreen[str | None]):
    """Pick one of a few options; with `filterable`, typing narrows a long list (agents)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "dialog.cancel", id="dialog.cancel"),
    ]

    def __init__(self, title: str, options: Sequence[tuple[str, Text]], *, current: str | None = None,
                 filterable: bool = False) -> None:
        super().__init__(classes="dialog")
        localize_bindings(self)
        self._title = title
        self._options = list(options)
        self._current = current
        self._filterable = filterable

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text(self._title), classes="dialog-title")
            if self._filterable:
                yield Input(placeholder=t("dialog.filter"), id="dialog-filter")
            yield OptionList(*self._build(""), id="dialog-options")
            yield Static(Text(t("dialog.hint.choose")), classes="dialog-hint")

    def _build(self, needle: str) -> list[Option]:
        needle = needle.casefold().strip()
        out = []
        for value, prompt in self._options:
            if needle and needle not in prompt.plain.casefold() and needle not in value.casefold():
                continue
            shown = prompt.copy()
            if value == self._current:
                shown.append(" " + t("dialog.current"), style="dim")
            out.append(Option(shown, id=value))
        return out

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        for index, (value, _prompt) in enumerate(self._options):
            if value == self._current:
                options.highlighted = index
                break
        else:
            options.highlighted = 0 if self._options else None
        if self._filterable:
            self.query_one("#dialog-filter", Input).focus()
        else:
            options.focus()

    @on(Input.Changed, "#dialog-filter")
    def _filter(self, event: Input.Changed) -> None:
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options(self._build(event.value))
        options.highlighted = 0 if options.option_count else None

    @on(Input.Submitted, "#dialog-filter")
    def _filter_submitted(self) -> None:
        options = self.query_one(OptionList)
        if options.highlighted is not None:
            option = options.get_option_at_index(options.highlighted)
            self.dismiss(option.id)

    def on_key(self, event) -> None:
        if self._filterable and event.key in ("down", "up") and self.focused is not None \
                and self.focused.id == "dialog-filter":
            options = self.query_one(OptionList)
            options.focus()
            if event.key == "down":
                options.action_cursor_down()
            event.stop()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
