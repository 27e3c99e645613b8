"""Start the Textual console (kept apart so the CLI imports no Textual until it must)."""

from __future__ import annotations

from console.context import CliState


def run_console(state: CliState) -> None:
    from console.app import build_app

    app = build_app(state)
    app.run()
