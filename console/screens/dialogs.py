"""The console's only dialogs: a line or a text, a choice from a list, a yes/no question.

Each dismisses with the value (a bool for ConfirmDialog), or None when cancelled. Titles,
options and bodies are `Text`, so data shown in them (agent names, ticket changes) is never
read as markup. PromptDialog and ChoiceDialog serve the queue, LineDialog and TextDialog the
handover screens (styled by handover.tcss), ConfirmDialog every screen.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from console import keys
from console.i18n import t
from console.sanitize import clean_line
from console.screens.safe_inputs import SafeInput, SafeTextArea

__all__ = ["ChoiceDialog", "ConfirmDialog", "LineDialog", "PromptDialog", "TextDialog", "confirm"]


class PromptDialog(ModalScreen[str | None]):
    """Ask for one line (Enter submits) or a longer text (Ctrl+S submits)."""

    BINDINGS: ClassVar[list[BindingType]] = list(keys.bindings(keys.PROMPT_DIALOG))

    def __init__(self, title: str, *, multiline: bool = False, placeholder: str = "",
                 restrict: str | None = None, required: bool = True, max_length: int = 0) -> None:
        super().__init__(classes="dialog")
        keys.localize(self)
        self._title = title
        self._multiline = multiline
        self._placeholder = placeholder
        self._restrict = restrict
        self._required = required
        self._max_length = max_length

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text(clean_line(self._title)), classes="dialog-title")
            if self._multiline:
                yield SafeTextArea(id="dialog-text", soft_wrap=True, show_line_numbers=False)
            else:
                yield SafeInput(placeholder=self._placeholder, restrict=self._restrict, id="dialog-line",
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

    BINDINGS: ClassVar[list[BindingType]] = list(keys.bindings(keys.CHOICE_DIALOG))

    def __init__(self, title: str, options: Sequence[tuple[str, Text]], *, current: str | None = None,
                 filterable: bool = False) -> None:
        super().__init__(classes="dialog")
        keys.localize(self)
        self._title = title
        self._options = list(options)
        self._current = current
        self._filterable = filterable

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog-box"):
            yield Static(Text(clean_line(self._title)), classes="dialog-title")
            if self._filterable:
                yield SafeInput(placeholder=t("dialog.filter"), id="dialog-filter")
            yield OptionList(*self._build(""), id="dialog-options")
            yield Static(Text(t("dialog.hint.choose")), classes="dialog-hint")

    def _build(self, needle: str) -> list[Option]:
        needle = needle.casefold().strip()
        out = []
        for value, prompt in self._options:
            if needle and needle not in prompt.plain.casefold() and needle not in value.casefold():
                continue
            # Callers build prompts from cleaned text; one that was not is shown plain, cleaned.
            shown = prompt.copy() if clean_line(prompt.plain) == prompt.plain else Text(clean_line(prompt.plain))
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


class _ButtonDialog(ModalScreen):
    """OK and Cancel buttons under a handover dialog."""

    CSS_PATH = "handover/handover.tcss"
    BINDINGS: ClassVar[list[BindingType]] = list(keys.bindings(keys.LINE_DIALOG))

    def __init__(self) -> None:
        super().__init__()
        keys.localize(self)

    def buttons(self) -> Horizontal:
        return Horizontal(Button(t("handover.button.ok"), variant="primary", id="ok"),
                          Button(t("handover.button.cancel"), id="cancel"), classes="dialog-buttons")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self.action_ok()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_ok(self) -> None:
        """What OK hands back is each dialog's own (LineDialog, TextDialog override this)."""
        raise NotImplementedError


class LineDialog(_ButtonDialog):
    """One line of text (a ticket note or an acknowledgement reply); dismisses with it or None."""

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._title, self._value, self._placeholder = title, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(clean_line(self._title)), classes="dialog-title")
            yield SafeInput(self._value, placeholder=self._placeholder, id="line")
            yield self.buttons()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_ok()

    def action_ok(self) -> None:
        self.dismiss(self.query_one("#line", Input).value)


class TextDialog(_ButtonDialog):
    """Several lines (an addendum); ctrl+s or OK confirms."""

    BINDINGS: ClassVar[list[BindingType]] = list(keys.bindings(keys.TEXT_DIALOG))

    def __init__(self, title: str, value: str = "") -> None:
        super().__init__()
        self._title, self._value = title, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Label(Text(clean_line(self._title)), classes="dialog-title")
            area = SafeTextArea(self._value, id="text", soft_wrap=True)
            if "markdown" in area.available_languages:
                area.language = "markdown"
            yield area
            yield self.buttons()

    def action_ok(self) -> None:
        self.dismiss(self.query_one("#text", TextArea).text)


class ConfirmDialog(ModalScreen[bool]):
    """Title, maybe an explanation (rich Text, data already cleaned) and a question, two buttons;
    Escape says no."""

    DEFAULT_CSS = """
    ConfirmDialog {
        align: center middle;
        & > #confirm-box {
            width: 72;
            max-width: 90%;
            height: auto;
            max-height: 80%;
            border: thick $warning;
            background: $surface;
            padding: 1 2;
        }
        & #confirm-title { text-style: bold; margin-bottom: 1; }
        & #confirm-body { height: auto; max-height: 16; }
        & #confirm-question { margin-top: 1; }
        & #confirm-buttons { height: auto; margin-top: 1; align-horizontal: right; }
        & #confirm-buttons > Button { margin-left: 2; }
    }
    """
    BINDINGS: ClassVar[list[BindingType]] = list(keys.bindings(keys.CONFIRM_DIALOG))

    def __init__(self, title: Text, body: Text | None = None, *, yes: str, no: str,
                 question: Text | None = None, default_yes: bool = False) -> None:
        super().__init__()
        keys.localize(self)
        self._title = title
        self._body = body
        self._question = question
        self._yes = yes
        self._no = no
        self._default_yes = default_yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._title, id="confirm-title")
            if self._body is not None:
                with VerticalScroll(id="confirm-body"):
                    yield Static(self._body)
            if self._question is not None:
                yield Static(self._question, id="confirm-question")
            with Horizontal(id="confirm-buttons"):
                yield Button(Text(self._no), id="confirm-no")
                yield Button(Text(self._yes), id="confirm-yes", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#confirm-yes" if self._default_yes else "#confirm-no", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id == "confirm-yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


def confirm(app: Any, title: str, body: Text | None, yes: str, then: Callable[[], object], *,
            no: str | None = None, question: str | None = None, default_yes: bool = False,
            otherwise: Callable[[], object] | None = None) -> None:
    """Ask; run `then` on yes, `otherwise` (if any) on no."""

    def answered(answer: bool | None) -> None:
        if answer:
            then()
        elif otherwise is not None:
            otherwise()

    dialog = ConfirmDialog(Text(title), body, yes=yes, no=no or t("composer.cancel"),
                           question=Text(question) if question else None, default_yes=default_yes)
    app.push_screen(dialog, answered)
