"""Small dialogs of the handover screens: a note, an acknowledgement, an addendum, a confirmation."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, TextArea

from console.i18n import t


class _Dialog(ModalScreen):
    CSS_PATH = "handover.tcss"
    BINDINGS = [Binding("escape", "cancel", t("handover.button.cancel"), id="handover.dialog.cancel")]

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
        raise NotImplementedError


class LineDialog(_Dialog):
    """One line of text (a ticket note or an acknowledgement reply); dismisses with it or None."""

    def __init__(self, title: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._title, self._value, self._placeholder = title, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self._title), classes="dialog-title")
            yield Input(self._value, placeholder=self._placeholder, id="line")
            yield self.buttons()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_ok()

    def action_ok(self) -> None:
        self.dismiss(self.query_one("#line", Input).value)


class TextDialog(_Dialog):
    """Several lines (an addendum); ctrl+s or OK confirms."""

    BINDINGS = [Binding("ctrl+s", "ok", t("handover.button.ok"), id="handover.dialog.ok")]

    def __init__(self, title: str, value: str = "") -> None:
        super().__init__()
        self._title, self._value = title, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Label(Text(self._title), classes="dialog-title")
            area = TextArea(self._value, id="text", soft_wrap=True)
            if "markdown" in area.available_languages:
                area.language = "markdown"
            yield area
            yield self.buttons()

    def action_ok(self) -> None:
        self.dismiss(self.query_one("#text", TextArea).text)


class ConfirmDialog(_Dialog):
    """Yes or no; dismisses with a bool."""

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(Text(self._question), classes="dialog-title")
            yield self.buttons()

    def on_mount(self) -> None:
        self.query_one("#ok", Button).focus()

    def action_ok(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
