"""The queue's filter box and the composer's editor are the safe widgets (console/screens/safe_inputs.py):
hostile text pasted into them arrives as visible stand-ins, through the one sanitiser."""

from __future__ import annotations

from support.pilot import goto, until
from textual import events
from textual.widgets import Input

from console.sanitize import clean_editable
from console.screens.safe_inputs import SafeInput, SafeTextArea

SIZE = (160, 45)
HOSTILE = "evil\x1b]52;c;AAAA\x07\u202e \x9b31m\r\nnext"


async def test_the_queue_filter_is_a_safe_input(queue_app, queue_ui):
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        box = app.screen.query_one("#queue-filter", Input)
        assert isinstance(box, SafeInput)
        await pilot.press("slash")
        assert app.focused is box
        app.post_message(events.Paste(HOSTILE))  # as the driver does
        await pilot.pause()
        assert box.value and box.value.isprintable()
        assert not any(c in box.value for c in "\x1b\x07\u202e\x9b\r\n")
        assert box.value.startswith("evil␛]52;c;AAAA␇")


async def test_the_composer_editor_is_a_safe_text_area(queue_app, queue_ui, seed_small):
    from console.screens.composer.screen import ComposerScreen

    tid = seed_small.tickets["mine"]
    app = queue_app("amy")
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await goto(pilot, tid)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ComposerScreen) and app.screen._data)
        editor = app.screen.editor
        assert isinstance(editor, SafeTextArea)
        editor.focus()
        app.post_message(events.Paste(HOSTILE))
        await pilot.pause()
        editor.insert("\x1b[2J")  # a programmatic insert takes the same way in
        editor.load_text(editor.text + "\x07")
        assert editor.text == clean_editable(HOSTILE + "\x1b[2J\x07")
        assert "\x1b" not in editor.text and "\r" not in editor.text and "\u202e" not in editor.text
