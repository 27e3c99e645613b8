"""The Textual application: owns the services and the screens."""

from __future__ import annotations

from textual.app import App
from textual.binding import Binding

from console.context import CliState
from console.services import Services, build_services


class ShiftdeskApp(App[None]):
    """The console. Screens get the services from `self.app.services`."""

    TITLE = "Shiftdesk"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("f4", "show_handover", "F4", id="app.handover"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    def on_mount(self) -> None:
        from console.i18n import t

        self.title = t("app.title")
        self.sub_title = f"{self.services.agent.label} · {self.services.agent.role}"
        from console.screens.home import home_screen

        self.push_screen(home_screen(self.services))

    def action_show_handover(self) -> None:
        """F4: the lead's handover to write now, others the latest one (console/screens/handover_gate.py)."""
        from console.screens.handover_gate import open_handover

        open_handover(self)


def build_app(state: CliState) -> ShiftdeskApp:
    """Everything that can fail before the UI starts fails here, with a clear message."""
    import sys

    from rich.console import Console
    from rich.text import Text

    from console.i18n import t
    from store.errors import UnknownAgent

    try:
        services = build_services(state)
    except UnknownAgent as exc:
        Console(stderr=True).print(
            Text(t("error.unknown_agent", name=exc.name, known=", ".join(exc.known[:20]) or "-"), style="red")
        )
        sys.exit(2)
    return ShiftdeskApp(services)
