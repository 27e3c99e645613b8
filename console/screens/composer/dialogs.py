"""A yes/no question over the composer (replace my text? send although the ticket changed?)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from console.i18n import t

__all__ = ["ConfirmDialog", "confirm"]


class ConfirmDialog(ModalScreen[bool]):
    """Title, an explanation (rich Text, data already cleaned), and two buttons; Escape says no."""

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
    BINDINGS = [Binding("escape", "answer(False)", show=False, id="composer.confirm.cancel")]

    def __init__(self, title: Text, body: Text, *, yes: str, no: str, question: Text | None = None,
                 default_yes: bool = False) -> None:
        super().__init__()
        self._title = title
        self._body = body
        self._question = question
        self._yes = yes
        self._no = no
        self._default_yes = default_yes

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._title, id="confirm-title")
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



def confirm(app: Any, title: str, body: Text, yes: str, then: Callable[[], object], *, no: str | None = None,
            question: str | None = None, default_yes: bool = False,
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
