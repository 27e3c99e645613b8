"""The handover screens show stored text inert, and showing it is not editing it.

A draft another lead saved with escape sequences in its sections opens in the editor with
visible stand-ins; nothing is saved back merely because it was shown. The submitted view's
Markdown parser makes no links from any text, so no click can open a browser.
"""

from __future__ import annotations

from support.handover_seed import END_OF_MORNING, seed

from console.i18n import set_language
from store.clock import FrozenClock

RAW = "see \x1b]52;c;ZXZpbA==\x07 and \x1b]8;;https://evil.example/\x1b\\here\x1b]8;;\x1b\\ \u202eabc"


async def until(pilot, condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {condition}")


async def test_a_hostile_stored_section_shows_inert_and_is_not_saved_back(tmp_path):
    from textual.widgets import TextArea

    from console.app import ShiftdeskApp
    from console.context import CliState
    from console.services import build_services
    from store.handover.lifecycle import get_handover, handover_windows, open_draft, save_draft
    from store.team.agents import find_agent

    set_language("en")
    db, _ids = seed(tmp_path / "h.db")
    with db.write() as s:
        wang = find_agent(s, "lead.wang")
        ending, incoming = handover_windows(s, END_OF_MORNING)
        view = open_draft(s, END_OF_MORNING, wang, ending, incoming)
        view = save_draft(s, END_OF_MORNING, view.id, view.content.with_text("system", RAW), view.version, wang)
    services = build_services(CliState(db_url=str(tmp_path / "h.db"), as_agent="lead.lin", lang="en"),
                              clock=FrozenClock(END_OF_MORNING))
    app = ShiftdeskApp(services)
    async with app.run_test(size=(160, 45)) as pilot:
        await pilot.press("f4")
        await until(pilot, lambda: type(app.screen).__name__ == "HandoverScreen")
        await pilot.pause(0.3)
        area = app.screen.query_one("#text-system", TextArea)
        assert area.text == "see ␛]52;c;ZXZpbA==␇ and ␛]8;;https://evil.example/␛\\here␛]8;;␛\\ ⟨RLO⟩abc"
        assert not app.screen.dirty
        await pilot.pause(4.0)  # past an autosave tick: nothing to save
        assert not app.screen.dirty
    with db.read() as s:
        stored = get_handover(s, view.id)
    assert stored.version == view.version and stored.content.text("system") == RAW
    db.dispose()


def test_the_submitted_view_parser_makes_no_link():
    from console.screens.handover.document import inert_markdown

    text = ("see https://evil.example/x, [click](http://evil.example/) <http://evil.example/a> "
            "![img](http://evil.example/i.png) www.evil.example")
    tokens = inert_markdown().parse(text)
    kinds = {child.type for token in tokens for child in (token.children or [])}
    assert not kinds & {"link_open", "image"}, kinds
    assert "https://evil.example/x" in inert_markdown().render(text)


def test_every_toast_is_plain_cleaned_text(seed_small, monkeypatch):
    from conftest import make_services
    from textual.app import App

    from console.app import ShiftdeskApp

    sent: list[tuple[str, str, bool]] = []
    monkeypatch.setattr(App, "notify", lambda self, message, *, title="", severity="information", timeout=None,
                        markup=True: sent.append((message, title, markup)))
    app = ShiftdeskApp(make_services(seed_small))
    app.notify("[@click=app.quit]x[/] \x1b]52;c;ZXZpbA==\x07", title="\x1b]0;t\x07")
    assert sent == [("[@click=app.quit]x[/] ␛]52;c;ZXZpbA==␇", "␛]0;t␇", False)]
