"""Every key of the console in one table per screen: bindings (with ids), palette entries, labels.

A `Command` names its binding id (what a user's key map remaps), the action it runs, its
default keys, the catalogue key of its footer label and, if it is offered there, of its
command-palette title and help. Screens build BINDINGS from their table and call `localize`
when they are made, so labels are looked up in the language chosen at start-up, never frozen
at import. The palette providers list the same table, so a key and its palette entry cannot
drift apart. A user key map (binding id -> keys) goes through `apply_keymap`, which is
Textual's own `App.set_keymap`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from textual.binding import Binding

from console.i18n import has, t
from console.textual_adapter import relabel_bindings
from store.tickets.queue import VIEWS

__all__ = [
    "APP",
    "CHOICE_DIALOG",
    "COMPOSER",
    "CONFIRM_DIALOG",
    "HANDOVER_DOC",
    "HANDOVER_EDITOR",
    "HANDOVER_HISTORY",
    "HANDOVER_ITEMS",
    "HANDOVER_MERGE",
    "HELP",
    "LINE_DIALOG",
    "PANEL",
    "PROMPT_DIALOG",
    "QUEUE",
    "TABLES",
    "TEXT_DIALOG",
    "VIEW_KEYS",
    "Command",
    "apply_keymap",
    "binding_ids",
    "bindings",
    "label",
    "localize",
    "palette",
]

log = logging.getLogger("shiftdesk")


@dataclass(frozen=True, slots=True)
class Command:
    """One action of one screen: its key binding, footer label and (maybe) palette entry."""

    id: str  # the binding id: what a key map names
    action: str  # the screen action, with its arguments: "view('mine')"
    keys: str  # default keys, comma-separated
    label: str = ""  # catalogue key of the footer / help label ("" for none)
    palette: str | None = None  # catalogue key of the palette title (None: not in the palette)
    palette_help: str | None = None  # catalogue key of the palette help line
    show: bool = True
    priority: bool = False

    @property
    def name(self) -> str:
        """The action's method name, without arguments (for check_action)."""
        return self.action.split("(", 1)[0]


def _c(*args: Any, **kwargs: Any) -> Command:
    return Command(*args, **kwargs)


APP = (
    _c("app.quit", "quit", "ctrl+q", "app.key.quit", priority=True),
    _c("app.palette", "command_palette", "ctrl+p", "app.key.palette", show=False, priority=True),
    _c("app.handover", "show_handover", "f4", "handover.key.open_handover"),
    _c("app.panel", "show_panel", "f3", "panel.key.show"),
    # F1 before any widget (so also over a dialog or a text field); ? only where it is not typed.
    _c("app.help", "help", "f1", "app.key.help", priority=True),
    _c("app.help.question_mark", "help", "question_mark", "app.key.help", show=False),
)

VIEW_KEYS = {view: str(number) for number, view in enumerate(VIEWS, start=1)}


def _view_label_key(view: str) -> str:
    return f"channel.{view.split(':', 1)[1]}" if view.startswith("channel:") else f"queue.view.{view}"


def _queue(name: str, action: str, keys: str, label: str, **kwargs: Any) -> Command:
    """A queue action offered in the palette as queue.cmd.<name> (help: queue.cmd.<name>.help)."""
    return _c(f"queue.{name}", action, keys, f"queue.key.{label}", palette=f"queue.cmd.{name}",
              palette_help=f"queue.cmd.{name}.help", **kwargs)


QUEUE = (
    _queue("claim", "claim", "c", "claim"),
    _queue("next", "next_ticket", "t", "next"),
    _queue("assign", "assign", "a", "assign"),
    _queue("status", "set_status", "s", "status"),
    _queue("priority", "set_priority", "p", "priority"),
    _queue("note", "note", "n", "note"),
    _queue("escalate", "escalate", "e", "escalate"),
    _queue("reply", "reply", "r", "reply"),
    _queue("jump", "jump", "g,number_sign", "jump"),
    _queue("sort", "toggle_sort", "o", "sort"),
    _queue("filter", "focus_filter", "slash", "filter"),
    _queue("next_view", "next_view", "v", "view"),
    _c("queue.clear_filter", "clear_filter", "escape", "queue.key.clear", show=False),
    _c("queue.toggle_focus", "toggle_focus", "tab", "queue.key.detail", show=False),
    *(_c(f"queue.view.{view.replace(':', '.')}", f"view('{view}')", key, _view_label_key(view), show=False)
      for view, key in VIEW_KEYS.items()),
)


def _composer(name: str, keys: str, *, show: bool = True, priority: bool = True) -> Command:
    # priority: before the focused widget's own keys, so a TextArea binding cannot shadow ours.
    return _c(f"composer.{name}", name, keys, f"composer.key.{name}", palette=f"composer.palette.{name}",
              palette_help=f"composer.palette.{name}.help", show=show, priority=priority)


# Escape (back) comes first in every screen's table, so the footer keeps it at 80 columns.
COMPOSER = (
    _composer("back", "escape", priority=False),
    _composer("send", "ctrl+s"),
    _composer("send_pending", "f5"),
    _composer("send_solved", "f9"),
    _composer("templates", "f2"),
    _composer("next_hole", "f3"),
    _composer("prev_hole", "shift+f3", show=False),
    _composer("blank", "ctrl+n"),
    _composer("discard", "f8"),
)

PANEL = (
    _c("panel.close", "close", "escape", "panel.key.close"),
    _c("panel.shift", "period('shift')", "1", "panel.key.shift", palette="panel.key.shift"),
    _c("panel.today", "period('today')", "2", "panel.key.today", palette="panel.key.today"),
    _c("panel.week", "period('week')", "3", "panel.key.week", palette="panel.key.week"),
    _c("panel.refresh", "refresh_now", "r", "panel.key.refresh", palette="panel.key.refresh"),
    _c("panel.open", "open_selected", "o", "panel.key.open", palette="panel.key.open"),
)

HANDOVER_EDITOR = (
    _c("handover.back", "back", "escape", "handover.key.back"),
    _c("handover.save", "save", "ctrl+s", "handover.key.save", palette="handover.key.save"),
    _c("handover.submit", "submit", "ctrl+t", "handover.key.submit", palette="handover.key.submit"),
    _c("handover.refresh", "refresh_or_merge", "ctrl+r", "handover.key.refresh", palette="handover.key.refresh"),
    _c("handover.next_section", "section(1)", "ctrl+pagedown,ctrl+n", "handover.key.next_section",
       palette="handover.key.next_section"),
    _c("handover.prev_section", "section(-1)", "ctrl+pageup", "handover.key.prev_section", show=False),
    _c("handover.history", "history", "ctrl+o", "handover.key.history"),
)

HANDOVER_ITEMS = (
    _c("handover.open", "open_item", "enter", "handover.key.open"),
    _c("handover.up", "move(-1)", "shift+up,K", "handover.key.up", show=False),  # in help (F1), not the footer
    _c("handover.down", "move(1)", "shift+down,J", "handover.key.down", show=False),
    _c("handover.annotate", "annotate", "n", "handover.key.annotate"),
    _c("handover.remove", "remove_item", "delete,d", "handover.key.remove"),
    _c("handover.undo", "undo_item", "u", "handover.key.undo"),
    _c("handover.items.down", "cursor_down", "j", show=False),
    _c("handover.items.up", "cursor_up", "k", show=False),
)

HANDOVER_DOC = (
    _c("handover.doc.back", "back", "escape", "handover.key.back"),
    _c("handover.ack", "acknowledge", "ctrl+k", "handover.key.ack", palette="handover.key.ack"),
    _c("handover.addendum", "addendum", "a", "handover.key.addendum", palette="handover.key.addendum"),
    _c("handover.doc.history", "history", "ctrl+o", "handover.key.history"),
    _c("handover.doc.copy_links", "copy_links", "y", "handover.key.copy_links", palette="handover.key.copy_links"),
)

HANDOVER_HISTORY = (
    _c("handover.history.back", "back", "escape", "handover.key.back"),
    _c("handover.history.search", "search", "slash", "handover.key.search"),
)

HANDOVER_MERGE = (
    _c("handover.merge.cancel", "cancel", "escape", "handover.button.cancel"),
    _c("handover.merge.accept", "accept", "ctrl+s", "handover.key.save"),
)

PROMPT_DIALOG = (
    _c("dialog.cancel", "cancel", "escape", "dialog.cancel"),
    _c("dialog.submit", "submit", "ctrl+s", "dialog.submit"),
)
CHOICE_DIALOG = (_c("dialog.cancel", "cancel", "escape", "dialog.cancel"),
                 _c("dialog.help", "app.help", "question_mark", show=False))  # a dialog hides the app's ?
CONFIRM_DIALOG = (_c("dialog.confirm.cancel", "answer(False)", "escape", show=False),
                  _c("dialog.confirm.help", "app.help", "question_mark", show=False))
LINE_DIALOG = (_c("dialog.line.cancel", "cancel", "escape", "handover.button.cancel"),)
TEXT_DIALOG = (_c("dialog.text.ok", "ok", "ctrl+s", "handover.button.ok"),)  # and LINE_DIALOG's, inherited

HELP = (_c("help.close", "dismiss", "escape,f1,question_mark", "help.key.close", show=False),)

TABLES: dict[str, tuple[Command, ...]] = {
    "app": APP, "queue": QUEUE, "composer": COMPOSER, "panel": PANEL,
    "handover.editor": HANDOVER_EDITOR, "handover.items": HANDOVER_ITEMS, "handover.doc": HANDOVER_DOC,
    "handover.history": HANDOVER_HISTORY, "handover.merge": HANDOVER_MERGE, "dialog.prompt": PROMPT_DIALOG,
    "dialog.choice": CHOICE_DIALOG, "dialog.confirm": CONFIRM_DIALOG, "dialog.line": LINE_DIALOG,
    "dialog.text": TEXT_DIALOG, "help": HELP,
}


def bindings(table: Iterable[Command]) -> list[Binding]:
    """Textual bindings for a table; descriptions are catalogue keys until `localize` runs."""
    return [Binding(c.keys, c.action, c.label, show=c.show, priority=c.priority, id=c.id) for c in table]


def label(key: str, *, lang: str | None = None, **kwargs: object) -> str:
    """A catalogue key in the current language (or the key itself when it is not one)."""
    return t(key, lang=lang, **kwargs) if key and has(key) else key


def localize(node: Any) -> None:
    """Label a node's bindings in the current language (call it when the node is made)."""
    relabel_bindings(node, lambda binding: label(binding.description))


def palette(table: Iterable[Command]) -> list[Command]:
    """The commands of a table that the command palette offers, in table order."""
    return [c for c in table if c.palette is not None]


def binding_ids() -> frozenset[str]:
    return frozenset(c.id for table in TABLES.values() for c in table)


def apply_keymap(app: Any, mapping: Mapping[str, str]) -> None:
    """Remap keys by binding id with Textual's App.set_keymap; an id no table knows is logged."""
    widget_ids = ("queue_table.",)  # widgets/ keep their own tables (they import no console)
    unknown = sorted(k for k in mapping if k not in binding_ids() and not k.startswith(widget_ids))
    if unknown:
        log.warning("keymap: no binding with id %s", ", ".join(unknown))
    app.set_keymap(dict(mapping))
