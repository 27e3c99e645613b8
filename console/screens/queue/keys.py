"""The queue's key bindings, built from its table in console/keys.py, and the names of its views."""

from __future__ import annotations

from textual.binding import BindingType

from console.i18n import t
from console.keys import QUEUE, VIEW_KEYS, bindings

__all__ = ["QUEUE_BINDINGS", "VIEW_KEYS", "view_label"]

QUEUE_BINDINGS: list[BindingType] = list(bindings(QUEUE))


def view_label(view: str) -> str:
    if view.startswith("channel:"):
        return t(f"channel.{view.split(':', 1)[1]}")
    return t(f"queue.view.{view}")
