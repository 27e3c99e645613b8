"""Subcommands of `shiftdesk`; each module adds its own commands to the root app."""

from __future__ import annotations

import importlib

import typer

# One module per area; each defines `register(app: typer.Typer) -> None`.
COMMAND_MODULES = (
    "console.commands.setup",
    "console.commands.rollups",
    "console.commands.templates",
    "console.commands.shifts",
    "console.commands.handover",
    "console.commands.report",
    "console.commands.admin",
    "console.commands.audit",
    "console.commands.intake",
    "console.commands.config",
)


def register_all(app: typer.Typer) -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)
