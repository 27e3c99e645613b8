"""F1 and ? open the help of the screen they are pressed on: its keys from console/keys.py, the
legend of its symbols, where the settings and the log are; it scrolls at 80x24 and closes again.
Where a text field has the focus, ? is typed into it instead."""

from __future__ import annotations

import pytest
from support import pilot as harness
from support.screens import AGENT, SCREENS

from console import keys
from console.i18n import t
from console.screens.help import HelpScreen, screen_tables

SMALL = (80, 24)
KIND_TITLE = {"queue": "queue", "status_dialog": "dialog", "composer": "composer", "panel": "panel",
              "handover": "handover", "handover_doc": "handover", "handover_history": "handover"}


def _help_body(app) -> str:
    from rich.console import Console

    console = Console(width=200, record=True, file=__import__("io").StringIO())
    console.print(app.screen.body)
    return console.export_text()


@pytest.mark.parametrize(("screen", "lang"), [(s, "en") for s in SCREENS if s != "help"]
                         + [("queue", "zh-TW"), ("panel", "zh-TW"), ("handover", "zh-TW")])
async def test_f1_opens_the_help_of_the_screen_and_escape_closes_it(queue_app, seed_small, screen, lang):
    app = queue_app(AGENT[screen], lang)
    async with app.run_test(size=SMALL) as pilot:
        await SCREENS[screen](pilot, seed_small)
        under = app.screen
        await pilot.press("f1")
        await harness.until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause()
        text = harness.screen_text(app)
        assert t("help.title", screen=t(f"help.screen.{KIND_TITLE[screen]}")) in text
        body = _help_body(app)
        for name in screen_tables(under):
            for command in keys.TABLES[name]:
                if command.label:
                    assert keys.label(command.label) in body, (name, command.id)
        assert t("help.files") in body and "shiftdesk config path" in body
        assert "shiftdesk config path" not in text or screen == "status_dialog"  # below the fold at 80x24
        await pilot.press("end")  # the help scrolls: its last lines come into view
        await harness.until(pilot, lambda: "shiftdesk config path" in harness.screen_text(app))
        await pilot.press("escape")
        await harness.until(pilot, lambda: app.screen is under)


@pytest.mark.parametrize("screen", [s for s in SCREENS if s != "help"])
async def test_question_mark_opens_help_unless_a_text_field_has_the_focus(queue_app, seed_small, screen):
    from textual.widgets import Input, TextArea

    app = queue_app(AGENT[screen], "en")
    async with app.run_test(size=SMALL) as pilot:
        await SCREENS[screen](pilot, seed_small)
        under, focused = app.screen, app.focused
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        if isinstance(focused, Input | TextArea):
            assert app.screen is under
            assert "?" in (focused.value if isinstance(focused, Input) else focused.text)
        else:
            await harness.until(pilot, lambda: isinstance(app.screen, HelpScreen))
            await pilot.press("question_mark")
            await harness.until(pilot, lambda: app.screen is under)


@pytest.mark.parametrize("lang", ["en", "zh-TW"])
async def test_the_queue_help_explains_every_row_symbol(queue_app, seed_small, lang):
    from console.screens.queue.view import ESCALATED_MARK, NOBODY, VIP_MARK
    from widgets.countdown import PAUSE_MARK

    app = queue_app("amy", lang)
    async with app.run_test(size=SMALL) as pilot:
        await SCREENS["help"](pilot, seed_small)
        body = _help_body(app)
        for mark in (ESCALATED_MARK, VIP_MARK, PAUSE_MARK, NOBODY, "⇅", "#1234", "-12m"):
            assert mark in body, mark
        for key in ("help.legend.escalated", "help.legend.vip", "help.legend.paused", "help.legend.overdue",
                    "help.legend.at_risk", "help.legend.priority"):
            assert t(key) in body.replace("\n", "") or t(key)[:20] in body, key
