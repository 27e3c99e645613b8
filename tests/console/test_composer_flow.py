"""Pilot tests of the composer opened from the queue: pick, fill, send, and what sending changes."""

from __future__ import annotations

from sqlmodel import select
from support.pilot import goto, toasts, until

from store.models import SlaClock, TemplateUsage, Ticket, TicketEvent
from store.replies.drafts import load_draft, save_draft
from store.tickets.actions import add_reply

SIZE = (160, 45)


def replies(seed, ticket_id: int) -> list[TicketEvent]:
    with seed.db.read() as session:
        return list(session.exec(select(TicketEvent).where(TicketEvent.ticket_id == ticket_id,
                                                           TicketEvent.kind == "agent_reply")
                                 .order_by(TicketEvent.id)).all())


def first_reply(seed, ticket_id: int) -> SlaClock:
    with seed.db.read() as session:
        return session.exec(select(SlaClock).where(SlaClock.ticket_id == ticket_id,
                                                   SlaClock.metric == "first_reply")).one()


async def open_composer(pilot, ui, ticket_id: int):
    """From the queue: cursor on the ticket, `r`, and wait until the ticket is loaded."""
    from console.screens.composer.screen import ComposerScreen

    await ui.settle(pilot)
    await goto(pilot, ticket_id)
    await pilot.press("r")
    await until(pilot, lambda: isinstance(pilot.app.screen, ComposerScreen) and pilot.app.screen._data)
    await pilot.pause()
    return pilot.app.screen


async def send_and_return(pilot, ui, key: str = "ctrl+s") -> None:
    from console.screens.queue.screen import QueueScreen

    await pilot.press(key)
    await until(pilot, lambda: isinstance(pilot.app.screen, QueueScreen))
    await ui.settle(pilot)


async def test_pick_by_title_fill_send_and_the_row_shows_it(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["at_risk"]  # first reply due in 20 minutes
    app = queue_app("amy", "en")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        before = queue_ui.row_text(app, tid)
        assert before.split()[1] == "20m" and " new " in before  # the first-reply countdown
        composer = await open_composer(pilot, queue_ui, tid)
        assert app.focused is composer.picker.query_one("Input")
        await pilot.press(*"exchange req")
        assert composer.picker.keys[0] == "return-exchange.en"
        await pilot.press("enter")
        editor = composer.editor
        assert editor.text.startswith("Hi Bob Lee, we've received your return request")
        assert "陳雅婷" in editor.text  # {agent}
        assert [h.name for h in editor.holes()] == ["product", "order_id", "details"]
        # The first hole is selected: typing replaces it; F3 selects the next one.
        await pilot.press(*"Trail Runner", "f3", *"A1234", "f3", *"the receipt and the serial number")
        assert editor.holes() == []
        assert "order number A1234 and the following: the receipt" in editor.text
        await send_and_return(pilot, queue_ui)
        clock = first_reply(seed_small, tid)
        assert (clock.state, clock.outcome) == ("stopped", "met")
        sent = replies(seed_small, tid)
        assert [e.actor_id for e in sent] == [seed_small.agents["amy"]]
        assert sent[0].body == editor.text and sent[0].data == {"template": "return-exchange.en"}
        after = queue_ui.row_text(app, tid)
        assert " open " in after and after.split()[1] == "22h20m"  # now the resolution clock
        assert "Trail Runner" in queue_ui.screen_text(app)  # the reply is in the thread below
        assert any(f"#{tid}" in m and "first reply: met" in m for m in toasts(app))
        with seed_small.db.read() as session:
            assert session.exec(select(TemplateUsage.template_key, TemplateUsage.agent_id)).all() == [
                ("return-exchange.en", seed_small.agents["amy"])]
            assert load_draft(session, seed_small.agents["amy"], tid) is None


async def test_an_unfilled_placeholder_blocks_sending(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["at_risk"]
    app = queue_app("amy", "en")
    async with app.run_test(size=SIZE) as pilot:
        composer = await open_composer(pilot, queue_ui, tid)
        await pilot.press(*"return", "enter", *"Trail Runner")  # {order_id} and {details} stay open
        await pilot.press("ctrl+s")
        await pilot.pause(0.2)
        assert app.screen is composer
        assert replies(seed_small, tid) == []
        assert any("placeholders still open (2): {order_id}, {details}" in m for m in toasts(app))
        editor = composer.editor
        assert editor.selected_text == "{order_id}"  # shown where it sits
        holes_line = composer.query_one("#composer-holes").render().plain
        assert "{order_id} line 5, col 30" in holes_line
        # Writing over the placeholder text by hand counts as filling it.
        await pilot.press(*"A1234", "f3", *"receipt", "f9")
        await until(pilot, lambda: app.screen is not composer)
        assert [e.body.count("A1234") for e in replies(seed_small, tid)] == [1]
        with seed_small.db.read() as session:
            assert session.get(Ticket, tid).status == "solved"


async def test_next_blank_starts_with_the_first_blank_after_a_pick(queue_app, queue_ui, seed_small):
    """r, "order delay", Enter, F3, text, F3, text: the blanks fill in reading order (issue 13)."""
    tid = seed_small.tickets["mine"]
    app = queue_app("amy", "en")
    async with app.run_test(size=SIZE) as pilot:
        composer = await open_composer(pilot, queue_ui, tid)
        await pilot.press(*"order delay", "enter")
        await pilot.pause()
        editor = composer.editor
        names = [hole.name for hole in editor.holes()]
        assert len(names) >= 2, names
        assert editor.selected_text == "{" + names[0] + "}"  # picked for the agent, ready to type over
        await pilot.press("f3", *"carrier backlog", "f3", *"coupon")
        text = editor.text
        assert "{" + names[0] + "}" not in text and "{" + names[1] + "}" not in text
        assert text.index("carrier backlog") < text.index("coupon")  # first blank, then the second
        assert [hole.name for hole in editor.holes()] == names[2:]


async def test_without_a_template_and_set_pending(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["chinese"]
    app = queue_app("amy", "zh-TW")
    async with app.run_test(size=SIZE) as pilot:
        composer = await open_composer(pilot, queue_ui, tid)
        await pilot.press("tab", "tab")  # search box, template list, editor
        assert app.focused is composer.editor
        await pilot.press(*"您好，這款耳機保固一年，收據請留著。")
        await until(pilot, lambda: composer.query_one("#composer-share").share == 1.0)
        await send_and_return(pilot, queue_ui, "f5")
        with seed_small.db.read() as session:
            ticket = session.get(Ticket, tid)
            assert (ticket.status, ticket.reply_count) == ("pending", 1)
            assert session.exec(select(TemplateUsage)).all() == []
        assert replies(seed_small, tid)[0].data == {}


async def test_customer_text_fills_in_literally(queue_app, queue_ui, seed_small):
    from store.models import Customer

    tid = seed_small.tickets["at_risk"]
    with seed_small.db.write() as session:
        customer = session.get(Customer, session.get(Ticket, tid).customer_id)
        customer.name = "[red]x[/] \x1b[2J\x9b31m"
        session.add(customer)
    app = queue_app("amy", "en")
    async with app.run_test(size=SIZE) as pilot:
        composer = await open_composer(pilot, queue_ui, tid)
        await pilot.press(*"return", "enter")
        text = composer.editor.text
        assert text.startswith("Hi [red]x[/] ␛[2J⟨U+009B⟩31m, we've received")
        assert not any((ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F for c in text)
        assert "[red]x[/] ␛[2J" in queue_ui.screen_text(app)


async def test_stale_ticket_asks_before_sending_and_keeps_the_text(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["english"]
    app = queue_app("amy", "en")
    async with app.run_test(size=SIZE) as pilot:
        composer = await open_composer(pilot, queue_ui, tid)
        await pilot.press("tab", "tab", *"Let me reset it for you.")
        seed_small.act(add_reply, tid, seed_small.agents["ben"], "Ben here: done already.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog")
        dialog_text = queue_ui.screen_text(app)
        assert "Ben Lin replied to the customer" in dialog_text and "Ben here: done already." in dialog_text
        await pilot.press("escape")  # keep editing
        await pilot.pause()
        assert app.screen is composer and composer.editor.text == "Let me reset it for you."
        assert [e.actor_id for e in replies(seed_small, tid)] == [seed_small.agents["ben"]]
        seed_small.act(add_reply, tid, seed_small.agents["ben"], "And once more.")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog")
        assert "And once more." in queue_ui.screen_text(app)
        app.screen.query_one("#confirm-yes").press()
        await until(pilot, lambda: type(app.screen).__name__ == "QueueScreen")
        assert [e.body for e in replies(seed_small, tid)][-1] == "Let me reset it for you."


async def test_draft_survives_a_restart(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["mine"]
    amy = seed_small.agents["amy"]

    def stored():
        with seed_small.db.read() as session:
            return load_draft(session, amy, tid)

    first = queue_app("amy", "en")
    async with first.run_test(size=SIZE) as pilot:
        composer = await open_composer(pilot, queue_ui, tid)
        await pilot.press(*"return or", "enter")
        await pilot.press(*"Order A7788")
        # Saved by the autosave timer alone, as after a crash: nobody left the composer.
        await until(pilot, lambda: stored() is not None and "Order A7788" in stored().body, timeout=6)
        text = composer.editor.text
        key = composer._template_key
    assert stored().template_key == key and key.endswith(".en")
    second = queue_app("amy", "en")
    async with second.run_test(size=SIZE) as pilot:
        composer = await open_composer(pilot, queue_ui, tid)
        assert composer.editor.text == text
        assert second.focused is composer.editor
        assert "Template: " in composer.query_one("#composer-template").render().plain
        assert [c.key for c in composer.picker._choices if c.current] == [key]  # marked in the list
        await pilot.press("escape")
        await queue_ui.settle(pilot)
    assert stored().body == text


async def test_leaving_saves_and_discard_deletes(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["unassigned"]
    amy = seed_small.agents["amy"]
    with seed_small.db.write() as session:
        save_draft(session, agent_id=amy, ticket_id=tid, body="old", at=seed_small.clock.now())
    app = queue_app("amy", "zh-TW")
    async with app.run_test(size=SIZE) as pilot:
        composer = await open_composer(pilot, queue_ui, tid)
        assert composer.editor.text == "old"
        await pilot.press(*" and new", "escape")
        await until(pilot, lambda: not [w for w in app.workers if w.group == "composer-leave"
                                             and not w.is_finished])
        with seed_small.db.read() as session:
            assert load_draft(session, amy, tid).body == "old and new"
        composer = await open_composer(pilot, queue_ui, tid)
        await pilot.press("f8")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmDialog")
        app.screen.query_one("#confirm-yes").press()
        await until(pilot, lambda: app.screen is composer and composer.editor.text == "")
        await until(pilot, lambda: composer._drafts.saved.body == "")
        with seed_small.db.read() as session:
            assert load_draft(session, amy, tid) is None


async def test_a_reply_claims_an_unassigned_ticket_and_says_so(queue_app, queue_ui, seed_small):
    """Zendesk and Freshdesk give an unassigned ticket to whoever answers it; so does Shiftdesk."""
    tid = seed_small.tickets["english"]  # unassigned
    app = queue_app("amy", "en")
    async with app.run_test(size=SIZE) as pilot:
        composer = await open_composer(pilot, queue_ui, tid)
        await pilot.press("tab", "tab", *"Use the reset link on the sign-in page.")
        assert app.focused is composer.editor
        await send_and_return(pilot, queue_ui)
        with seed_small.db.read() as session:
            assert session.get(Ticket, tid).assignee_id == seed_small.agents["amy"]
        assert any(f"#{tid} was unassigned and is now yours" in m for m in toasts(app))
        await until(pilot, lambda: "陳雅婷" in queue_ui.row_text(app, tid))
        history = app.screen.detail.plain.split("History", 1)[1]
        assert "took by replying  assignee — → 陳雅婷" in history


async def test_a_lead_replying_to_someone_elses_ticket_leaves_it_theirs(queue_app, queue_ui, seed_small):
    tid = seed_small.tickets["bens"]
    app = queue_app("lead.lin", "en")
    async with app.run_test(size=SIZE) as pilot:
        await open_composer(pilot, queue_ui, tid)
        await pilot.press("tab", "tab", *"Checking with the warehouse.")
        await send_and_return(pilot, queue_ui)
        with seed_small.db.read() as session:
            assert session.get(Ticket, tid).assignee_id == seed_small.agents["ben"]
        assert [e.actor_id for e in replies(seed_small, tid)] == [seed_small.agents["lead.lin"]]
        assert not any("now yours" in m for m in toasts(app))


async def test_blanks_filled_in_are_not_personal_and_fields_are_shown(queue_app, queue_ui, seed_small):
    """Only what the agent wrote counts as theirs; the ticket fields a template fills are on screen."""
    from console.screens.dialogs import ConfirmDialog
    from store.tickets.actions import create_ticket

    tid = seed_small.act(create_ticket, subject="Return request for order A7788", priority="high",
                         customer_id=seed_small.customers["Bob Lee"], channel="email", language="en",
                         category="售後支援/退換貨", body="It arrived broken.",
                         fields={"order_id": "A7788", "eta": "2024-01-18", "_intake": {"guessed": []}}).id
    app = queue_app("amy", "en")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        assert "Fields eta 2024-01-18 · order_id A7788" in app.screen.detail.plain
        assert "_intake" not in app.screen.detail.plain
        composer = await open_composer(pilot, queue_ui, tid)
        assert "eta 2024-01-18 · order_id A7788" in composer.query_one("#composer-head").render().plain
        await pilot.press(*"exchange req", "enter")
        editor = composer.editor
        assert "order number A7788" in editor.text  # filled from the field shown above
        assert [h.name for h in editor.holes()] == ["product", "details"]
        await pilot.press(*"Trail Runner", "f3", *"the receipt and the serial number")
        meter = composer.query_one("#composer-share")
        await until(pilot, lambda: meter.share is not None and editor.holes() == [])
        await pilot.pause(0.5)
        await until(pilot, lambda: meter.share == 0.0)  # blanks filled in: nothing of the agent's own yet
        await pilot.press("ctrl+n")  # start blank: only fills would be lost, so nothing is asked
        await pilot.pause(0.2)
        assert not isinstance(app.screen, ConfirmDialog) and editor.text == ""
        await pilot.press("f2", *"exchange req", "enter")
        await pilot.pause()
        await pilot.press(*"Trail Runner", "f3", *"the receipt")
        editor.move_cursor(editor.document.end)
        await pilot.press(*" Sorry about the trouble!")
        assert editor.text.endswith("Sorry about the trouble!"), editor.text
        await until(pilot, lambda: meter.share is not None and meter.share > 0.0)
        await pilot.press("ctrl+n")  # now there is writing of the agent's own to lose: asked first
        await until(pilot, lambda: isinstance(app.screen, ConfirmDialog))
