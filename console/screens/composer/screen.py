"""The reply composer: pick a template, see it filled from the ticket, edit, send.

All database work runs in thread workers that post messages; the handlers here own every
state change. A draft is saved every couple of seconds and when the screen is left; sending
and saving share one lock, so no save can bring a draft back after its reply went out.
"""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from console import keys
from console.failures import ReportsFailures, in_thread
from console.i18n import get_language, t
from console.screens.composer import messages as msg
from console.screens.composer import view
from console.screens.composer.commands import ComposerCommands
from console.screens.composer.drafts import DraftKeeper
from console.screens.composer.messages import ComposerResult
from console.screens.composer.work import (
    PERSONAL_TARGET,
    ComposerData,
    Snapshot,
    clean_body,
    fill_values,
    load_composer,
    mark_presence,
    newer_events,
    open_names,
    reload_detail,
)
from console.screens.dialogs import confirm
from console.screens.safe_inputs import SafeReplyEditor
from console.services import Services
from console.zone import zone_name
from store.categories import CATEGORY_LABELS_EN
from store.errors import NotFound, StaleVersion
from store.replies.library import ReplyTemplate, personal_share, search_templates
from store.views import TicketDetail
from widgets.reply_editor import ReplyEditor
from widgets.share_meter import ShareMeter, ShareWords
from widgets.template_picker import TemplatePicker
from widgets.zone_header import ZoneHeader

__all__ = ["ComposerResult", "ComposerScreen"]

PRESENCE_SECONDS = 10.0  # other consoles count a writer gone after 30 s without a beat


class ComposerScreen(ReportsFailures, Screen[ComposerResult]):
    """Write and send one public reply to one ticket."""

    CSS_PATH = "composer.tcss"
    BINDINGS = keys.bindings(keys.COMPOSER)
    COMMANDS = {ComposerCommands}
    AUTOSAVE_SECONDS = 2.0

    def __init__(self, ticket_id: int, services: Services | None = None) -> None:
        super().__init__()
        keys.localize(self)
        self._services = services
        self.ticket_id = ticket_id
        self.sub_title = f"#{ticket_id}"
        self._data: ComposerData | None = None
        self._template: ReplyTemplate | None = None
        self._template_key = ""  # kept even if the template has gone from the library since
        self._template_text = ""
        self._blanks: frozenset[str] = frozenset()  # the template's open placeholders: what fills them is no own text
        self._version = 0
        self._last_event = 0
        self._drafts = DraftKeeper(ticket_id)
        self._sending = False
        # Held here, not queried: the text is still needed while the screen unmounts.
        self._editor = SafeReplyEditor(clean=clean_body, id="composer-editor")

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield ZoneHeader(zone_name())
        with Vertical(id="composer-top"):
            yield Static(Text(t("composer.loading")), id="composer-head")
            yield Static(Text(""), id="composer-clock")
        with Horizontal(id="composer-main"):
            yield TemplatePicker(placeholder=t("composer.search.placeholder"), empty=t("composer.search.empty"),
                                 id="composer-picker")
            with Vertical(id="composer-right"):
                last = Static(Text(""), id="composer-last")
                last.border_title = Content(t("composer.last.title"))
                yield last
                yield Static(view.template_line(None), id="composer-template")
                self._editor.placeholder = Content(t("composer.editor.placeholder"))
                yield self._editor
                yield Static(Text(""), id="composer-holes")
                yield ShareMeter(ShareWords(label=t("composer.share.label"),
                                            target=t("composer.share.target", target=round(PERSONAL_TARGET * 100)),
                                            below=t("composer.share.below")),
                                 target=PERSONAL_TARGET, share_of=self._share, id="composer-share")
                yield Static(Text(""), id="composer-status")
        yield Footer(compact=True)

    @property
    def services(self) -> Services:
        """Given, or the app's (which may still be coming up: only workers ask before the ticket loads)."""
        if self._services is None:
            self._services = self.app.wait_services()  # type: ignore[attr-defined]
        return self._services

    @property
    def editor(self) -> ReplyEditor:
        return self._editor

    @property
    def picker(self) -> TemplatePicker:
        return self.query_one("#composer-picker", TemplatePicker)

    def on_mount(self) -> None:
        self.editor.disabled = True
        self.load_ticket()
        self.set_interval(self.AUTOSAVE_SECONDS, self._autosave)
        self.set_interval(1.0, self._tick)
        self._composing()
        self.set_interval(PRESENCE_SECONDS, self._composing)

    @work(thread=True, exclusive=True, group="composer-presence", exit_on_error=False)
    def _composing(self) -> None:
        from store.tickets.presence import COMPOSING

        mark_presence(self.services, self.ticket_id, COMPOSING)

    def _status(self, text: Text | str) -> None:
        self.query_one("#composer-status", Static).update(text if isinstance(text, Text) else Text(text))

    # -- loading -----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="composer-load", exit_on_error=False)
    def load_ticket(self) -> None:
        # A failure is shown by console/failures.py, and here by worker_failed; going back still works.
        data = load_composer(self.services, self.ticket_id)
        if data is None:
            raise NotFound(t("composer.error.not_found", ticket=f"#{self.ticket_id}"))
        self.post_message(msg.Loaded(data))

    @on(msg.Loaded)
    def _loaded(self, message: msg.Loaded) -> None:
        data = self._data = message.data
        self._adopt(data.detail)
        self.editor.disabled = False
        draft = data.draft
        if draft is not None:
            self._template = data.templates.get(draft.template_key) if draft.template_key else None
            self._template_key = draft.template_key
            self._template_text = clean_body(draft.template_text)
            self._drafts.saved = Snapshot(draft.body, draft.template_key, draft.template_text)
            self.editor.load_clean(draft.body)
            language = self._template.language if self._template else data.language
            self._blanks = frozenset(open_names(self._template, self._values(language), draft.template_text))
            self.editor.set_holes(self._blanks)
            self.editor.move_cursor(self.editor.document.end)
            self.editor.focus()
            self._status(t("composer.draft.restored", time=view.local_time(draft.updated_at)))
        else:
            self.picker.focus_search()
        self._show_template()
        self._search(self.picker.query_text)
        if data.template_problems:
            self.notify(t("composer.templates.problems", n=data.template_problems), severity="warning",
                        markup=False)
        self._edited()

    def _adopt(self, detail: TicketDetail) -> None:
        """Take the ticket as it is now: its version is the one a send will expect."""
        if self._data is not None:
            self._data = replace(self._data, detail=detail)
        self._version = detail.row.version
        self._last_event = max((e.id for e in detail.events), default=self._last_event)
        self.query_one("#composer-head", Static).update(view.head_text(detail))
        self.query_one("#composer-last", Static).update(view.last_message(detail))
        self._tick()

    def _tick(self) -> None:
        if self._data is not None:
            clock = view.reply_clock(self._data.detail)
            self.query_one("#composer-clock", Static).update(view.clock_line(clock, self.services.now()))

    def _values(self, language: str) -> dict[str, str]:
        assert self._data is not None
        return fill_values(self._data.detail, language, self.services.agent.label)

    # -- templates ---------------------------------------------------------------------------------

    @on(TemplatePicker.Searched)
    def _searched(self, message: TemplatePicker.Searched) -> None:
        self._search(message.query)

    def _search(self, query: str) -> None:
        if self._data is None:
            return
        labels = CATEGORY_LABELS_EN if get_language() == "en" else None
        found = search_templates(self._data.templates, query, category=self._data.detail.row.category,
                                 language=self._data.language, labels=labels)
        self.picker.show(view.choices(found, get_language(), self._template_key))

    @on(TemplatePicker.Chosen)
    def _chosen(self, message: TemplatePicker.Chosen) -> None:
        if self._data is None or message.key not in self._data.templates:
            return
        template = self._data.templates[message.key]
        if self._has_own_text():
            confirm(self.app, t("composer.replace.title"), Text(t("composer.replace.body")), t("composer.replace.yes"),
                    lambda: self._use(template), default_yes=True)
        else:
            self._use(template)

    def _share(self, template_text: str, text: str) -> float:
        """The agent's own writing: not the template's text, not what fills its blanks."""
        return personal_share(template_text, text, self._blanks)

    def _has_own_text(self) -> bool:
        """Whether replacing the text would lose anything the agent wrote (fills alone do not count)."""
        text = self.editor.text
        return bool(text.strip()) and self._share(self._template_text, text) > 0

    def _use(self, template: ReplyTemplate | None) -> None:
        """Start the reply over from a template (or from nothing)."""
        editor = self.editor
        if template is None:
            self._template, self._template_key, self._template_text = None, "", ""
            self._blanks = frozenset()
            editor.load_clean("")
            editor.set_holes(())
        else:
            result = template.fill(self._values(template.language))
            self._template, self._template_key = template, template.key
            self._template_text = clean_body(result.text)
            self._blanks = frozenset(p.name for p in result.unfilled)
            editor.load_clean(result.text)
            editor.set_holes(self._blanks)
        self._show_template()
        self._search(self.picker.query_text)
        editor.focus()
        editor.move_cursor((0, 0))
        editor.start_at_first_hole()
        self._edited()

    def _show_template(self) -> None:
        self.query_one("#composer-template", Static).update(view.template_line(self._template))

    # -- editing -------------------------------------------------------------------------------------

    @on(TextArea.Changed, "#composer-editor")
    def _changed(self, event: TextArea.Changed) -> None:
        event.stop()
        self._edited()

    def _edited(self) -> None:
        self.query_one("#composer-holes", Static).update(view.holes_text(self.editor.holes()))
        self.query_one("#composer-share", ShareMeter).measure(self._template_text, self.editor.text)

    # -- drafts ----------------------------------------------------------------------------------------

    def _snapshot(self) -> Snapshot:
        text = self._template_text if self._template_key else ""
        return Snapshot(self.editor.text, self._template_key, text)

    def _autosave(self) -> None:
        snapshot = self._snapshot()
        if self._data is not None and not self._sending and self._drafts.needs_save(snapshot):
            self._drafts.saving = snapshot
            self.save_draft(snapshot)

    @work(thread=True, exclusive=True, group="composer-draft", exit_on_error=False)
    def save_draft(self, snapshot: Snapshot) -> None:
        if not self._drafts.save(self.services, snapshot):
            return
        self.post_message(msg.DraftSaved(snapshot, self.services.now()))

    @on(msg.DraftSaved)
    def _draft_saved(self, message: msg.DraftSaved) -> None:
        self._drafts.confirmed(message.snapshot)
        self._status(t("composer.draft.saved", time=view.local_time(message.at)))

    def on_unmount(self) -> None:
        """No database work here (this runs on the event loop): both writes go to threads."""
        if self._data is not None:
            self._drafts.save_now(self.services, self._snapshot())
        if self._services is not None:  # back on the queue, still looking at the ticket
            from store.tickets.presence import VIEWING

            in_thread("composer-presence", mark_presence, self._services, self.ticket_id, VIEWING)

    # -- sending ---------------------------------------------------------------------------------------

    def _send(self, status: str | None) -> None:
        if self._data is None:
            return
        if self._sending:
            self.notify(t("composer.blocked.busy"), markup=False)
            return
        body = self.editor.text
        if not body.strip():
            self.notify(t("composer.blocked.empty"), severity="warning", markup=False)
            return
        holes = self.editor.holes()
        if holes:
            self.editor.focus()
            self.editor.select_hole(holes[0])
            names = ", ".join(dict.fromkeys("{" + hole.name + "}" for hole in holes))
            self.notify(t("composer.blocked.holes", n=len(holes), names=names), severity="error", markup=False)
            return
        self._sending = True
        self._status(t("composer.sending"))
        self.send_reply(body, self._template_key, status, self._version)

    @work(thread=True, exclusive=True, group="composer-send", exit_on_error=False)
    def send_reply(self, body: str, template_key: str, status: str | None, version: int) -> None:
        try:
            sent = self._drafts.send(self.services, body, template_key, status, version)
        except StaleVersion:  # not a failure: the agent is shown what changed and asked again
            self.post_message(msg.Stale(reload_detail(self.services, self.ticket_id), status))
            return
        self.post_message(msg.Sent(sent))

    @on(msg.Sent)
    def _sent_ok(self, message: msg.Sent) -> None:
        self._sending = False
        notice, severity = view.sent_notice(message.sent)
        self.app.notify(notice, severity=severity, markup=False)  # type: ignore[arg-type]
        self._drafts.left = True
        self.dismiss(ComposerResult(self.ticket_id, message.sent))

    @on(msg.Stale)
    def _stale(self, message: msg.Stale) -> None:
        self._sending = False
        if message.detail is None:
            gone = t("composer.error.not_found", ticket=f"#{self.ticket_id}")
            self.notify(t("composer.error.load", error=gone), severity="error", markup=False)
            return
        changes = view.change_lines(newer_events(message.detail, self._last_event))
        self._adopt(message.detail)
        self._status(Text(""))
        status = message.status
        confirm(self.app, t("composer.stale.title", ticket=f"#{self.ticket_id}"), changes, t("composer.stale.send"),
                lambda: self._send(status), no=t("composer.stale.keep"), question=t("composer.stale.question"),
                otherwise=self.editor.focus)

    def worker_failed(self, group: str, text: str) -> None:
        """A worker failed (console/failures.py told the agent): leave no state waiting on it."""
        if group == "composer-load":
            self.query_one("#composer-head", Static).update(Text(text))
        elif group == "composer-send":
            self._sending = False
            self._status(Text(""))
        elif group == "composer-draft":
            self._drafts.saving = None

    # -- actions (keys and the command palette) ------------------------------------------------------

    def action_send(self) -> None:
        self._send(None)

    def action_send_pending(self) -> None:
        self._send("pending")

    def action_send_solved(self) -> None:
        self._send("solved")

    def action_templates(self) -> None:
        self.picker.focus_search()

    def action_next_hole(self, step: int = 1) -> None:
        self.editor.focus()
        self.editor.jump_to_hole(step)

    def action_prev_hole(self) -> None:
        self.action_next_hole(-1)

    def action_blank(self) -> None:
        if self._data is None:
            return
        if self._has_own_text():
            confirm(self.app, t("composer.blank.title"), Text(t("composer.replace.body")), t("composer.blank.yes"),
                    lambda: self._use(None))
        else:
            self._use(None)

    def action_discard(self) -> None:
        if self._data is None:
            return

        def discard() -> None:
            self._use(None)
            self._drafts.saving = Snapshot()
            self.save_draft(Snapshot())
            self._status(t("composer.draft.discarded"))

        confirm(self.app, t("composer.discard.title"), Text(t("composer.discard.body")), t("composer.discard.yes"),
                discard)

    def action_back(self) -> None:
        if self._sending:
            self.notify(t("composer.blocked.busy"), markup=False)
            return
        if self._data is not None:
            self._drafts.leave(self.app, self.services, self._snapshot())
        self.dismiss(ComposerResult(self.ticket_id))

