"""A submitted handover, read-only: acknowledge it (incoming lead) or add an addendum.

The document is Markdown, but no link is ever made from it: customer text (and a lead's)
may hold URLs, and a link opens a browser on one click. The parser has links, autolinks,
images and linkify switched off, so a URL shows as the text it is; `y` copies the URLs on
the page to the clipboard for whoever wants to open one deliberately.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from markdown_it import MarkdownIt
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static

from console import keys
from console.failures import ReportsFailures
from console.handover_export import to_markdown
from console.i18n import t
from console.sanitize import clean_line
from console.screens.dialogs import LineDialog, TextDialog
from console.zone import local, zone_name
from store.handover.lifecycle import HandoverView
from widgets.zone_header import ZoneHeader

_URL = re.compile(r"\b(?:https?|ftp|file|mailto):[^\s<>()\[\]\\]+", re.IGNORECASE)


def inert_markdown() -> MarkdownIt:
    """Textual's Markdown parser minus everything that makes a link (or fetches an image)."""
    return MarkdownIt("gfm-like", {"linkify": False}).disable(["linkify", "link", "autolink", "image"], True)


class HandoverDocScreen(ReportsFailures, Screen[None]):
    """Shows the exported Markdown, in which customer text is already neutralised."""

    CSS_PATH = "handover.tcss"
    BINDINGS = keys.bindings(keys.HANDOVER_DOC)

    @dataclass
    class Changed(Message):
        view: HandoverView

    def __init__(self, view: HandoverView, *, addendum_draft: str = "") -> None:
        super().__init__()
        keys.localize(self)
        self.view = view
        self.addendum_draft = addendum_draft

    def compose(self) -> ComposeResult:
        yield ZoneHeader(zone_name())
        yield Static(id="ack-banner")
        yield Static(id="ack-state")
        yield Static(id="doc-status")
        with VerticalScroll(id="handover-doc"):
            yield Markdown(id="handover-markdown", parser_factory=inert_markdown, open_links=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.sub_title = t("handover.view.title", id=self.view.id)
        self._show()
        self.query_one("#handover-doc").focus()
        if self.addendum_draft and self._may("addendum"):
            self.call_after_refresh(self.action_addendum)

    def _show(self) -> None:
        """The banner and status line change at once; the Markdown (a long handover takes seconds
        to lay out) follows, with "preparing" in place meanwhile rather than a blank page or the
        old text under the new state."""
        banner = self.query_one("#ack-banner", Static)
        if self._may("acknowledge"):
            banner.update(Text(t("handover.ack.banner", who=clean_line(self.view.author)), style="bold"))
            banner.display = True
        else:
            banner.display = False
        self._state(self._acked_line())
        self.refresh_bindings()
        status, document = self.query_one("#doc-status", Static), self.query_one("#handover-markdown", Markdown)
        status.update(Text(t("handover.doc.preparing"), style="dim"))
        status.display, document.display = True, False
        rendering = document.update(to_markdown(self.view, name_zone=False))  # the header names it

        async def rendered() -> None:
            await rendering
            status.display, document.display = False, True

        self.run_worker(rendered(), group="handover-render", exclusive=True, exit_on_error=False)

    def _acked_line(self) -> Text | None:
        v = self.view
        if v.status == "acknowledged" and v.acknowledged_at is not None:
            return Text(t("handover.ack.line", who=clean_line(v.acknowledged_by),
                          at=local(v.acknowledged_at, "%m/%d %H:%M")), style="green")
        return None

    def _state(self, line: Text | None) -> None:
        """A line under the banner saying what just happened (or is happening) to this handover."""
        state = self.query_one("#ack-state", Static)
        state.update(line or "")
        state.display = line is not None

    def _may(self, action: str) -> bool:
        agent = self.app.services.agent
        if agent.role not in ("lead", "supervisor"):
            return False
        if action == "acknowledge":
            return self.view.status == "submitted" and self.view.author_id != agent.id
        if action == "addendum":
            return self.view.status in ("submitted", "acknowledged")
        return True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("acknowledge", "addendum"):
            return self._may(action)
        return True

    # -- acknowledge, addendum -----------------------------------------------------------------------

    def action_acknowledge(self) -> None:
        v = self.view
        title = t("handover.ack.title", date=v.shift_date.strftime("%Y/%m/%d"), from_shift=clean_line(v.from_shift),
                  to_shift=clean_line(v.to_shift))
        def given(reply: str | None) -> None:
            if reply is not None:
                self.query_one("#ack-banner", Static).display = False
                self._state(Text(t("handover.ack.sending"), style="bold"))  # at once, in place
                self._write("acknowledge", reply)

        self.app.push_screen(LineDialog(title, "", t("handover.ack.placeholder")), given)

    def action_addendum(self) -> None:
        draft, self.addendum_draft = self.addendum_draft, ""
        self.app.push_screen(TextDialog(t("handover.addendum.title"), draft),
                             lambda body: bool(body and body.strip()) and self._write("addendum", body))

    @work(thread=True, exclusive=True, group="handover-doc", exit_on_error=False)
    def _write(self, action: str, text: str) -> None:
        from store.handover.lifecycle import acknowledge, add_addendum

        services = self.app.services
        with services.db.write() as session:
            if action == "acknowledge":
                view = acknowledge(session, services.now(), self.view.id, services.agent, text)
            else:
                view = add_addendum(session, services.now(), self.view.id, services.agent, text)
        self.post_message(self.Changed(view))

    @on(Changed)
    def _changed(self, message: Changed) -> None:
        acknowledged = message.view.status == "acknowledged" and self.view.status != "acknowledged"
        self.view = message.view
        self._show()
        self.notify(t("handover.ack.done") if acknowledged else t("handover.addendum.done"))

    def action_copy_links(self) -> None:
        """Copy the URLs written in the handover (as text, one a line): never opened from here."""
        urls = list(dict.fromkeys(_URL.findall(to_markdown(self.view))))
        if not urls:
            self.notify(t("handover.links.none"))
            return
        self.app.copy_to_clipboard("\n".join(urls))
        self.notify(t("handover.links.copied", n=len(urls)))

    def action_history(self) -> None:
        self.app.handover_route("show_history")

    def action_back(self) -> None:
        self.dismiss()
