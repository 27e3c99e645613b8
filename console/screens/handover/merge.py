"""After a refused save: both versions side by side, and an editable merge that keeps both."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Footer, Label, TextArea

from console import keys
from console.i18n import t
from console.sanitize import clean_line
from console.screens.handover.editor import text_area
from console.screens.safe_inputs import SafeTextArea
from store.handover.content import TEXT_SECTIONS, HandoverContent, merge
from store.handover.lifecycle import HandoverView

SECTION_LABEL = {"special": "handover.special_text", "system": "handover.tab.system", "next": "handover.tab.next"}


class MergeScreen(ModalScreen[HandoverContent | None]):
    """Dismisses with the merged content, or None to keep editing my version (still unsaved)."""

    CSS_PATH = "handover.tcss"
    BINDINGS = keys.bindings(keys.HANDOVER_MERGE)

    def __init__(self, base: HandoverContent, mine: HandoverContent, theirs: HandoverView, me: str) -> None:
        super().__init__()
        keys.localize(self)
        self.mine = mine
        self.theirs = theirs
        self.who = clean_line(theirs.content.saved_by or theirs.author or "?")
        label = t("handover.md.mine", who=clean_line(me))
        self.merged, self.conflicts = merge(base, mine, theirs.content, label)
        # Show every text section the two versions disagree on, the clashing ones first.
        differing = [s for s in TEXT_SECTIONS if mine.text(s) != theirs.content.text(s)]
        self.sections = sorted(differing, key=lambda s: s not in self.conflicts)

    def compose(self) -> ComposeResult:
        with Vertical(id="merge"):
            yield Label(Text(t("handover.merge.title"), style="bold"))
            yield Label(Text(t("handover.merge.help", who=self.who)))
            with VerticalScroll(id="merge-sections"):
                for section in self.sections:
                    yield Label(Text(t(SECTION_LABEL[section]), style="bold underline"), classes="merge-section")
                    with Horizontal(classes="merge-pair"):
                        with Vertical():
                            yield Label(Text(t("handover.merge.theirs", who=self.who)))
                            yield SafeTextArea(self.theirs.content.text(section), read_only=True, soft_wrap=True,
                                           id=f"theirs-{section}", classes="merge-side")
                        with Vertical():
                            yield Label(Text(t("handover.merge.mine")))
                            yield SafeTextArea(self.mine.text(section), read_only=True, soft_wrap=True,
                                           id=f"mine-{section}", classes="merge-side")
                    yield Label(Text(t("handover.merge.result")))
                    yield text_area(section, self.merged.text(section), prefix="merged", classes="merge-result")
                if not self.sections:
                    yield Label(Text(t("handover.merge.clean", who=self.who)))
            with Horizontal(classes="dialog-buttons"):
                yield Button(t("handover.key.save"), variant="primary", id="accept")
                yield Button(t("handover.button.cancel"), id="cancel")
        yield Footer()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "accept":
            self.action_accept()
        else:
            self.action_cancel()

    def result(self) -> HandoverContent:
        content = self.merged
        for section in self.sections:
            content = content.with_text(section, self.query_one(f"#merged-{section}", TextArea).text)
        return content

    def action_accept(self) -> None:
        self.dismiss(self.result())

    def action_cancel(self) -> None:
        self.dismiss(None)
