"""The queue's action keys: the dialog each opens, the write it starts in a worker, and what the
screen does with the outcome. Mixed into QueueScreen (handlers by name, so the mixin needs no
Textual base class).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.widgets import Input

import console.sanitize as clean
from console.i18n import t
from console.screens.queue.messages import ActionDone, AgentsLoaded, JumpResolved, NextTaken
from store.limits import MAX_ID, check_id
from store.tickets import commands, queue
from store.tickets.queue import QueueQuery

if TYPE_CHECKING:
    from collections.abc import Callable

    from store.tickets.commands import TicketCommand
    from store.views import TicketRow

__all__ = ["QueueActionKeys"]


class QueueActionKeys:
    """Claim, next ticket, assign, status, priority, note, escalate, reply and jump, for QueueScreen."""

    # Provided by QueueScreen.
    table: Any
    detail: Any
    shiftdesk: Any
    query_state: QueueQuery
    _pinned: int | None
    working: int = 0  # writes under way: the bar says so while any is (no blank wait)
    _following: int | None = None  # the ticket keep_working follows: gone from every view is no news

    def _current(self) -> TicketRow | None:
        row = self.table.cursor_row
        if row is None:
            self.notify(t("queue.no_ticket"), severity="warning", markup=False)
        return row

    def _run(self, command: TicketCommand, row: TicketRow) -> None:
        self._write(command, row.id, row.version)

    def _busy(self, step: int) -> None:
        """One more (or one fewer) write under way; the bar shows "working…" meanwhile."""
        self.working = max(0, self.working + step)
        self._render_bar()  # type: ignore[attr-defined]

    def _write(self, command: TicketCommand, ticket_id: int, version: int) -> None:
        self._busy(+1)
        self._write_worker(command, ticket_id, version)

    @work(thread=True, group="queue-write", exit_on_error=False)
    def _write_worker(self, command: TicketCommand, ticket_id: int, version: int) -> None:
        from console.screens.queue.actions import perform

        app = self.shiftdesk  # a failure (the database went away...) is reported by console/failures.py
        self.post_message(ActionDone(perform(app.wait_services(), app.reader, command, ticket_id, version=version)))

    def on_action_done(self, message: ActionDone) -> None:
        self._busy(-1)
        outcome = message.outcome
        self.notify(outcome.message, severity=outcome.severity, markup=False)  # type: ignore[arg-type]
        if outcome.row is not None:
            self.table.replace_row(outcome.row)
        if outcome.changed:
            self.keep_working(outcome.ticket_id)
            if self.detail.shown == outcome.ticket_id:
                self._load_detail(outcome.ticket_id)

    def keep_working(self, ticket_id: int) -> None:
        """Refresh after this agent changed a ticket; if it is the one under the cursor it stays
        selected, in another view (Mine, All open) when the change took it out of this one."""
        if self.table.cursor_key == ticket_id:
            self._following = ticket_id
            self.jump_to(ticket_id, ("mine", "open"))
        else:
            self.reload()

    def action_claim(self) -> None:
        row = self._current()
        if row is not None:
            self._run(commands.Claim(), row)

    def action_next_ticket(self) -> None:
        self._busy(+1)
        self._take_next()

    @work(thread=True, group="queue-write", exit_on_error=False)
    def _take_next(self) -> None:
        from console.screens.queue.actions import take_next

        app = self.shiftdesk
        self.post_message(NextTaken(take_next(app.wait_services(), app.reader)))

    def on_next_taken(self, message: NextTaken) -> None:
        self._busy(-1)
        outcome = message.outcome
        self.notify(outcome.message, severity=outcome.severity, markup=False)  # type: ignore[arg-type]
        if outcome.row is not None:
            self.table.replace_row(outcome.row)
        if outcome.ticket_id:
            self.jump_to(outcome.ticket_id, ("mine", "open"))  # now ours: this view if it holds it, else Mine

    def action_assign(self) -> None:
        row = self._current()
        if row is not None:
            self._load_agents(row.id, row.version, row.assignee_id)

    @work(thread=True, exclusive=True, group="queue-agents", exit_on_error=False)
    def _load_agents(self, ticket_id: int, version: int, current: int | None) -> None:
        from console.screens.queue.actions import agent_choices

        nobody, agents = agent_choices(self.shiftdesk.reader, self.shiftdesk.boot.agent_id, current)
        self.post_message(AgentsLoaded(ticket_id, version, current, agents, nobody))

    def on_agents_loaded(self, message: AgentsLoaded) -> None:
        from console.screens.dialogs import ChoiceDialog

        if not message.agents and not message.nobody:
            self.notify(t("queue.assign.none"), severity="warning", markup=False)
            return
        options = [("", Text(t("dialog.assign.nobody")))] if message.nobody else []
        options += [(str(agent_id), Text.assemble(display, (f"  {login}", "dim")))
                    for agent_id, login, display in message.agents]
        current = "" if message.current is None else str(message.current)

        def chosen(value: str | None) -> None:
            if value is not None:
                command = commands.Assign(check_id("agent", int(value))) if value else commands.Release()
                self._write(command, message.ticket_id, message.version)

        self.app.push_screen(ChoiceDialog(t("dialog.assign.title", id=message.ticket_id), options,
                                          current=current, filterable=True), chosen)

    def _choose(self, make: Callable[[str], TicketCommand], title: str, group: str, values: tuple[str, ...],
                current: str) -> None:
        from console.screens.dialogs import ChoiceDialog
        from console.screens.queue.view import label

        row = self._current()
        if row is None:
            return
        options = [(v, Text(label(group, v))) for v in values]

        def chosen(value: str | None) -> None:
            if value is not None:
                self._run(make(value), row)

        self.app.push_screen(ChoiceDialog(t(title, id=row.id), options, current=current), chosen)

    def action_set_status(self) -> None:
        row = self.table.cursor_row
        self._choose(commands.SetStatus, "dialog.status.title", "status", ("open", "pending", "on_hold", "solved"),
                     row.status if row else "")

    def action_set_priority(self) -> None:
        row = self.table.cursor_row
        self._choose(commands.SetPriority, "dialog.priority.title", "priority", ("urgent", "high", "normal", "low"),
                     row.priority if row else "")

    def _ask(self, make: Callable[[str], TicketCommand], title: str, *, multiline: bool) -> None:
        from console.screens.dialogs import PromptDialog

        row = self._current()
        if row is None:
            return

        def given(value: str | None) -> None:
            if value is not None:
                self._run(make(value), row)

        self.app.push_screen(PromptDialog(t(title, id=row.id), multiline=multiline), given)

    def action_note(self) -> None:
        self._ask(commands.Note, "dialog.note.title", multiline=True)

    def action_escalate(self) -> None:
        self._ask(commands.Escalate, "dialog.escalate.title", multiline=False)

    def action_reply(self) -> None:
        row = self._current()
        if row is not None:
            self.shiftdesk.open_composer(row.id)

    # -- jumping to a ticket -------------------------------------------------------------------------

    def action_jump(self) -> None:
        from console.screens.dialogs import PromptDialog

        def given(value: str | None) -> None:
            digits = (value or "").strip().removeprefix("#")
            if not digits.isdigit():
                return
            try:
                ticket_id = check_id("ticket", int(digits))
            except ValueError:
                self.notify(t("queue.bad_ticket_number", value=digits, max=MAX_ID), severity="warning", markup=False)
                return
            self.jump_to(ticket_id)

        self.app.push_screen(PromptDialog(t("dialog.jump.title"), placeholder=t("dialog.jump.placeholder"),
                                          restrict=r"#?[0-9]*", max_length=19), given)

    def jump_to(self, ticket_id: int, others: tuple[str, ...] = ("open",)) -> None:
        """Put the cursor on a ticket: in this view, else in the first of `others` that holds it,
        else show it below."""
        self._resolve_jump(ticket_id, self.query_state, others)

    @work(thread=True, exclusive=True, group="queue-jump", exit_on_error=False)
    def _resolve_jump(self, ticket_id: int, q: QueueQuery, others: tuple[str, ...]) -> None:
        now = self._now()
        with self.shiftdesk.reader.read() as conn:
            if queue.position(q, ticket_id, conn=conn, now=now) is not None:
                self.post_message(JumpResolved(ticket_id, True, None, None))
                return
            for view in others:
                if queue.position(q.with_(view=view, text=""), ticket_id, conn=conn, now=now) is not None:
                    self.post_message(JumpResolved(ticket_id, True, view, None))
                    return
            status = queue.ticket_status(ticket_id, conn=conn)
        self.post_message(JumpResolved(ticket_id, False, None, None if status is None else clean.clean_line(status)))

    def on_jump_resolved(self, message: JumpResolved) -> None:
        from console.screens.queue.view import label

        ticket_id = message.ticket_id
        following, self._following = self._following == ticket_id, None
        if not message.found and following:  # solved or closed by this agent: the list moves on
            self.reload()
            return
        if not message.found:
            if message.status is None:
                self.notify(t("queue.not_found", id=ticket_id), severity="warning", markup=False)
                return
            self.notify(t("queue.not_in_queue", id=ticket_id, status=label("status", message.status)),
                        markup=False)
            self._pinned = ticket_id
            self.detail.clear(Text(t("detail.loading", id=ticket_id)))
            self._load_detail(ticket_id)
            return
        if message.switch:
            from console.screens.queue.keys import view_label

            self.notify(t("queue.switched_view", id=ticket_id, view=view_label(message.switch)), markup=False)
            self.query_state = self.query_state.with_(view=message.switch, text="")
            self.query_one("#queue-filter", Input).value = ""
            self._render_bar()
        self.table.focus()
        self.reload(anchor=ticket_id, follow=True)
