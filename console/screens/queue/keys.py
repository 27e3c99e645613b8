"""The queue's key bindings (each with an id, for keymaps) and their translation.

Binding descriptions are catalogue keys; `localize_bindings` swaps them for the words of the
current language when a screen is built, so the footer and help speak the user's language.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from textual.binding import Binding, BindingType

from console.i18n import has, t
from store.tickets.queue import VIEWS

__all__ = ["QUEUE_BINDINGS", "VIEW_KEYS", "localize_bindings", "view_label"]

VIEW_KEYS = {view: str(number) for number, view in enumerate(VIEWS, start=1)}

QUEUE_BINDINGS: list[BindingType] = [
    Binding("c", "claim", "queue.key.claim", id="queue.claim"),
    Binding("t", "next_ticket", "queue.key.next", id="queue.next"),
    Binding("a", "assign", "queue.key.assign", id="queue.assign"),
    Binding("s", "set_status", "queue.key.status", id="queue.status"),
    Binding("p", "set_priority", "queue.key.priority", id="queue.priority"),
    Binding("n", "note", "queue.key.note", id="queue.note"),
    Binding("e", "escalate", "queue.key.escalate", id="queue.escalate"),
    Binding("r", "reply", "queue.key.reply", id="queue.reply"),
    Binding("g,number_sign", "jump", "queue.key.jump", id="queue.jump"),
    Binding("o", "toggle_sort", "queue.key.sort", id="queue.sort"),
    Binding("slash", "focus_filter", "queue.key.filter", id="queue.filter"),
    Binding("v", "next_view", "queue.key.view", id="queue.next_view"),
    Binding("question_mark", "help", "queue.key.help", id="queue.help"),
    Binding("escape", "clear_filter", "queue.key.clear", show=False, id="queue.clear_filter"),
    Binding("tab", "toggle_focus", "queue.key.detail", show=False, id="queue.toggle_focus"),
    *[
        Binding(key, f"view('{view}')", f"queue.view.{view}" if not view.startswith("channel:")
                else f"channel.{view.split(':', 1)[1]}", show=False, id=f"queue.view.{view.replace(':', '.')}")
        for view, key in VIEW_KEYS.items()
    ],
]


def view_label(view: str) -> str:
    if view.startswith("channel:"):
        return t(f"channel.{view.split(':', 1)[1]}")
    return t(f"queue.view.{view}")


def localize_bindings(node: Any) -> None:
    """Replace catalogue keys in a node's binding descriptions with the current language."""
    bindings = node._bindings.key_to_bindings
    for key, items in list(bindings.items()):
        bindings[key] = [
            replace(b, description=t(b.description)) if b.description and has(b.description) else b
            for b in items
        ]
