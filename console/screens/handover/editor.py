"""The handover editor: the ending shift's lead arranges the drafted lists and writes the notes.

Saving never blocks typing: the draft is saved in a worker every few seconds while it has
unsaved changes, whenever the lead moves to another section, and on leaving. A save that
finds someone else's newer version is refused; the lead's text stays on screen (and in the
audit trail) until they merge it with ctrl+r.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Label, Static, TabbedContent, TabPane, Tabs, TextArea

from console import keys
from console.failures import ReportsFailures
from console.i18n import t
from console.sanitize import clean_line
from console.screens.dialogs import LineDialog, confirm
from console.screens.handover.items import ItemTable, summary_table
from console.screens.safe_inputs import SafeTextArea, clean_editable
from console.zone import local, zone_name
from store.handover.content import ITEM_SECTIONS, TEXT_SECTIONS, HandoverContent
from store.handover.lifecycle import HandoverConflict, HandoverView
from widgets.zone_header import ZoneHeader

AUTOSAVE_SECONDS = 3.0
UNDO_DEPTH = 50


def text_area(section: str, text: str, *, prefix: str = "text", classes: str = "") -> TextArea:
    """A Markdown-aware editor (plain when the Markdown grammar is not installed) whose text is
    inert: a stored section shows its control characters as visible stand-ins."""
    area = SafeTextArea(text, id=f"{prefix}-{section}", soft_wrap=True, tab_behavior="indent", classes=classes)
    if "markdown" in area.available_languages:
        area.language = "markdown"
    return area


class HandoverScreen(ReportsFailures, Screen[None]):
    """Edit one draft handover."""

    CSS_PATH = "handover.tcss"
    BINDINGS = keys.bindings(keys.HANDOVER_EDITOR)

    @dataclass
    class Saved(Message):
        view: HandoverView
        snapshot: HandoverContent

    @dataclass
    class Refused(Message):
        current: HandoverView
        snapshot: HandoverContent

    @dataclass
    class Refreshed(Message):
        fresh: HandoverContent

    @dataclass
    class Submitted(Message):
        view: HandoverView

    def __init__(self, view: HandoverView) -> None:
        super().__init__()
        keys.localize(self)
        self.view = view
        self.content = view.content
        self.base = view.content  # what is stored at self.version
        self.version = view.version
        self.dirty = False
        self.saving = False
        self.saved_at: str = ""
        self.conflict: HandoverView | None = None
        self.submit_after_save = False
        self.submitting = False  # shown in the head at once: the write and the next screen take a moment
        self.inflight: HandoverContent | None = None
        self.undo: list[tuple[str, HandoverContent]] = []

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ZoneHeader(zone_name())
        yield Static(id="handover-head")
        with TabbedContent(id="handover-tabs"):
            for section in ITEM_SECTIONS:
                with TabPane(self._tab_label(section), id=f"tab-{section}"):
                    yield ItemTable(section, id=f"items-{section}")
                    yield Static(id=f"more-{section}", classes="more")
                    if section == "special":
                        yield Label(t("handover.special_text"), classes="text-label")
                        yield text_area("special", self.content.text("special"))
            for section in ("system", "next"):
                with TabPane(t(f"handover.tab.{section}"), id=f"tab-{section}"):
                    yield text_area(section, self.content.text(section))
            with TabPane(t("handover.tab.summary"), id="tab-summary"):
                yield Static(id="summary")
        yield Footer(compact=True)

    def _tab_label(self, section: str) -> str:
        return f"{t(f'handover.tab.{section}')} ({len(self.content.items(section))})"

    def on_mount(self) -> None:
        self.sub_title = t("handover.screen.title")
        self._show_all()
        self.set_interval(AUTOSAVE_SECONDS, self._autosave, name="handover-autosave")
        self.query_one("#items-pending", ItemTable).focus()

    def _show_all(self) -> None:
        for section in ITEM_SECTIONS:
            self._show_items(section)
        for section in TEXT_SECTIONS:
            area = self.query_one(f"#text-{section}", TextArea)
            if area.text != clean_editable(self.content.text(section)):
                area.load_text(self.content.text(section))
        self.query_one("#summary", Static).update(summary_table(self.content))
        self._show_head()

    def _show_items(self, section: str, cursor: int | None = None) -> None:
        items = self.content.items(section)
        self.query_one(f"#items-{section}", ItemTable).show(items, cursor=cursor)
        total = self.content.totals.get(section, len(items))
        self.query_one(f"#more-{section}", Static).update(Text(t("handover.count", shown=len(items), total=total),
                                                               style="dim"))
        self.query_one("#handover-tabs", TabbedContent).get_tab(f"tab-{section}").label = self._tab_label(section)

    def _show_head(self) -> None:
        v = self.view
        head = Text(t("handover.head", date=v.shift_date.strftime("%Y/%m/%d"), from_shift=clean_line(v.from_shift),
                      to_shift=clean_line(v.to_shift), status=t("handover.status.draft"), version=self.version))
        if self.conflict is not None:
            state = Text(t("handover.conflict", who=clean_line(self.conflict.content.saved_by or "?")), style="bold red")
        elif self.submitting:
            state = Text(t("handover.submitting"), style="bold")
        elif self.saving:
            state = Text(t("handover.saving"), style="dim")
        elif self.dirty:
            state = Text(t("handover.unsaved"), style="yellow")
        elif self.saved_at:
            state = Text(t("handover.saved_at", at=self.saved_at), style="green")
        else:
            state = Text("")
        self.query_one("#handover-head", Static).update(Text.assemble(head, "   ", state))

    # -- editing ---------------------------------------------------------------------------------

    def _changed(self, content: HandoverContent) -> None:
        self.content = content
        self.dirty = True
        self._show_head()

    @on(TextArea.Changed)
    def _text_changed(self, event: TextArea.Changed) -> None:
        section = (event.text_area.id or "").removeprefix("text-")
        # The area holds the section's inert form: showing a stored section is not an edit.
        if section in TEXT_SECTIONS and event.text_area.text != clean_editable(self.content.text(section)):
            self._changed(self.content.with_text(section, event.text_area.text))

    @on(ItemTable.Act)
    def _item_action(self, event: ItemTable.Act) -> None:
        section, index = event.table.section, event.index
        items = self.content.items(section)
        if event.action == "undo":
            if self.undo:
                undo_section, before = self.undo.pop()
                restored = replace(self.content.with_items(undo_section, before.items(undo_section)),
                                   removed=before.removed)
                self._edit_items(undo_section, restored, None, remember=False)
            return
        if not 0 <= index < len(items):
            return
        if event.action == "open":
            self.open_ticket(items[index].ticket_id)
        elif event.action == "annotate":
            title = t("handover.annotate.title", ticket=str(items[index].ticket_id))
            self.app.push_screen(LineDialog(title, items[index].note, t("handover.annotate.placeholder")),
                                 lambda note: note is not None and self._edit_items(
                                     section, self.content.annotate(section, index, note), index))
        elif event.action == "move":
            self._edit_items(section, self.content.move(section, index, event.step), index + event.step)
        elif event.action == "remove":
            self._edit_items(section, self.content.remove(section, index), index)

    def _edit_items(self, section: str, content: HandoverContent, cursor: int | None, *, remember: bool = True) -> None:
        if content == self.content:
            return
        if remember:
            self.undo = [*self.undo[-UNDO_DEPTH:], (section, self.content)]
        self._changed(content)
        self._show_items(section, cursor)
        self._save()

    def open_ticket(self, ticket_id: int) -> None:
        """Hand the ticket to the queue (the app's open_ticket hook); leaving saves the draft."""
        hook = getattr(self.app, "open_ticket", None)
        if callable(hook):
            hook(ticket_id)
        else:
            self.notify(t("handover.no_queue", ticket=str(ticket_id)), severity="warning")

    def action_section(self, step: int) -> None:
        tabs = self.query_one("#handover-tabs", TabbedContent)
        order = [f"tab-{s}" for s in (*ITEM_SECTIONS, "system", "next", "summary")]
        tabs.active = order[(order.index(tabs.active) + step) % len(order)] if tabs.active in order else order[0]

    @on(TabbedContent.TabActivated)
    def _section_left(self, event: TabbedContent.TabActivated) -> None:
        if self.dirty:
            self._save()
        pane = event.pane
        target = next(iter(pane.query("ItemTable, TextArea")), None) if pane is not None else None
        if target is not None and not isinstance(self.focused, Tabs):
            target.focus()

    # -- saving ----------------------------------------------------------------------------------

    def _autosave(self) -> None:
        if self.dirty:
            self._save()

    def _save(self) -> None:
        if self.saving or self.conflict is not None or not self.dirty:
            return
        self.saving = True
        self.inflight = self.content
        self._show_head()
        self._save_worker(self.content, self.version)

    def _checked_write(self, write, snapshot: HandoverContent, expected: int) -> HandoverView | None:
        """A version-checked save or submit (in a worker). Refused: my text is kept aside, the
        screen is told (Refused) and None comes back. Anything else (a locked or unreachable
        database) is raised and reported by console/failures.py."""
        from store.handover.lifecycle import keep_refused

        services = self.app.services
        try:
            with services.db.write() as session:
                return write(session, services.now(), self.view.id, snapshot, expected, services.agent)
        except HandoverConflict as exc:
            with services.db.write() as session:
                keep_refused(session, services.now(), self.view.id, snapshot, services.agent)
            self.post_message(self.Refused(exc.current, snapshot))
            return None

    @work(thread=True, group="handover-save", exit_on_error=False)
    def _save_worker(self, snapshot: HandoverContent, expected: int) -> None:
        from store.handover.lifecycle import save_draft

        view = self._checked_write(save_draft, snapshot, expected)
        if view is not None:
            self.post_message(self.Saved(view, snapshot))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        self.saving = False
        self.version, self.base = message.view.version, message.snapshot
        self.view = message.view
        self.dirty = self.content != message.snapshot
        self.saved_at = local(self.app.services.now(), "%H:%M:%S")
        self._show_head()
        if self.submit_after_save:
            self.submit_after_save = False
            self._submit()

    @on(Refused)
    def _refused(self, message: Refused) -> None:
        self.saving = False
        self.submit_after_save = False
        self.conflict = message.current
        self._show_head()
        if message.current.status != "draft":
            self.notify(t("handover.submitted_elsewhere", who=clean_line(message.current.author)),
                        severity="warning", timeout=10)
        else:
            self.notify(t("handover.conflict", who=clean_line(message.current.content.saved_by or "?")),
                        severity="warning", timeout=10)

    def action_save(self) -> None:
        self._save()

    # -- merge, refresh ----------------------------------------------------------------------------

    def action_refresh_or_merge(self) -> None:
        if self.conflict is None:
            self._refresh_worker()
            return
        if self.conflict.status != "draft":
            self.app.handover_route("show_document_with_leftovers", self.conflict, self.base, self.content)
            return
        self.app.handover_route("show_merge", self.base, self.content, self.conflict,
                                self.app.services.agent.name, self._merged)

    def _merged(self, merged: HandoverContent | None) -> None:
        if merged is None or self.conflict is None:
            return
        theirs = self.conflict
        self.conflict = None
        self.version, self.base, self.view = theirs.version, theirs.content, theirs
        self.content = merged
        self.undo.clear()
        self._show_all()
        self.dirty = True
        self._save()

    @work(thread=True, exclusive=True, group="handover-refresh", exit_on_error=False)
    def _refresh_worker(self) -> None:
        from store.handover.lifecycle import fresh_content

        services = self.app.services
        with services.db.read() as session:
            fresh = fresh_content(session, services.now(), self.view)
        self.post_message(self.Refreshed(fresh))

    @on(Refreshed)
    def _refreshed(self, message: Refreshed) -> None:
        from store.handover.content import refreshed

        self._changed(refreshed(self.content, message.fresh))
        self._show_all()
        self.notify(t("handover.refreshed"))
        self._save()

    # -- submit, leave -------------------------------------------------------------------------------

    def action_submit(self) -> None:
        def submit() -> None:
            if self.conflict is not None:
                return
            self.submitting = True
            self._show_head()
            if self.saving:
                self.submit_after_save = True
            else:
                self._submit()

        confirm(self.app, t("handover.submit.confirm"), None, t("handover.button.ok"), submit,
                no=t("handover.button.cancel"), default_yes=True)

    def _submit(self) -> None:
        self.saving = True
        self._submit_worker(self.content, self.version)

    @work(thread=True, group="handover-save", exit_on_error=False)
    def _submit_worker(self, snapshot: HandoverContent, expected: int) -> None:
        from store.handover.lifecycle import submit

        view = self._checked_write(submit, snapshot, expected)
        if view is not None:
            self.post_message(self.Submitted(view))

    @on(Submitted)
    def _submitted(self, message: Submitted) -> None:
        self.dirty = self.saving = False
        self.notify(t("handover.submitted"))
        self.app.handover_route("show_submitted", message.view)

    def action_history(self) -> None:
        self._save()
        self.app.handover_route("show_history")

    def action_back(self) -> None:
        self.dismiss()

    def on_unmount(self) -> None:
        """Leaving by any way (back, a ticket opened in the queue): the last edits are saved on the app."""
        if self.dirty and self.conflict is None:
            self.app.handover_route("save_in_background", self.view.id, self.content, self.version,
                                    inflight=self.inflight if self.saving else None)

    def worker_failed(self, group: str, text: str) -> None:
        """A save failed (console/failures.py told the lead): keep the text, let the next save retry."""
        if group == "handover-save":
            self.saving = False
            self.submit_after_save = False
            self._show_head()
