"""The one place that reaches past Textual's public API, each use explained.

Textual 8.2.8 (pinned exactly in pyproject) has no public hook for what follows; when a
release adds one, only this module changes. Nothing else in console/, widgets/ or tests/
touches an underscored Textual attribute.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from textual.binding import Binding

__all__ = ["notifications", "relabel_bindings", "running_app", "screen_update"]


def relabel_bindings(node: Any, describe: Callable[[Binding], str]) -> None:
    """Give a node's bindings the footer/help labels `describe` returns, for this node only.

    Textual copies a class's BINDINGS into each instance's private `_bindings` map when the
    node is built, and reads descriptions from there; it has no public way to set them per
    instance. console/keys.py keeps catalogue keys in BINDINGS and calls this from each
    screen's __init__, so labels follow the language chosen at start-up, not at import.
    """
    bindings = node._bindings.key_to_bindings  # private: see above
    for key, items in list(bindings.items()):
        bindings[key] = [replace(b, description=describe(b)) for b in items]


def notifications(app: Any) -> list[Any]:
    """The toasts the app is showing or about to show (tests read them).

    Textual keeps them in the private `App._notifications` and has no public accessor.
    """
    return list(app._notifications)  # private: see above


def running_app() -> Any | None:
    """The app running in this context, or None outside one.

    Textual keeps it in the private context variable `textual._context.active_app`; a function
    called while the app starts (before any screen exists to ask for `.app`) has no other way.
    """
    from textual._context import active_app  # private: see above

    try:
        return active_app.get()
    except LookupError:
        return None


def screen_update(app: Any) -> Any:
    """The whole screen as the terminal would get it (strips of segments), for tests that read it.

    Textual renders through the screen's private compositor; `export_screenshot` gives SVG only.
    """
    return app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)  # private
