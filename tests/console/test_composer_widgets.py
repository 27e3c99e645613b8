"""The composer's widgets on their own: the reply editor, the share meter, the template picker."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult

from console.screens.composer.work import clean_body
from widgets.reply_editor import ReplyEditor, visible_line
from widgets.share_meter import ShareMeter, ShareWords, meter_text
from widgets.template_picker import TemplateChoice, TemplatePicker

WORDS = ShareWords(label="personal", target="target 20%", below="too little")


def test_visible_line_keeps_every_column_where_it_was() -> None:
    raw = "a\x1b[31mb\x07c\x9bd\u202ee\x7f"
    shown = visible_line(raw)
    assert len(shown) == len(raw)
    assert shown == "a␛[31mb␇c\ufffdd\ufffde␡"
    assert visible_line("平常的字 {x}") == "平常的字 {x}"


def test_meter_marks_the_target_and_warns_below_it() -> None:
    low = meter_text(0.05, 0.2, WORDS)
    assert "  5%" in low.plain and low.plain.endswith("too little")
    bar = low.plain.split("  ")[1]
    assert len(bar) == 20 and bar.index("│") == 4 and bar.startswith("█")
    high = meter_text(0.5, 0.2, WORDS)
    assert " 50%" in high.plain and "too little" not in high.plain
    assert meter_text(None, 0.2, WORDS).plain.count("…") == 1


class EditorApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ReplyEditor("Hi {customer}, {details}\nsee {details} and {{literal}}", clean=clean_body)
        yield ShareMeter(WORDS, target=0.2, share_of=lambda base, text: 0.5 if text != base else 0.0)
        yield TemplatePicker(placeholder="search", empty="nothing")


async def test_holes_are_only_the_names_told_and_paste_is_cleaned() -> None:
    app = EditorApp()
    async with app.run_test() as pilot:
        editor = app.query_one(ReplyEditor)
        assert editor.holes() == []  # nothing is a hole until the owner says so
        editor.set_holes({"details"})
        assert [(h.name, h.row, h.column) for h in editor.holes()] == [("details", 0, 15), ("details", 1, 4)]
        editor.focus()
        editor.move_cursor((0, 0))
        assert editor.jump_to_hole(1).location == (0, 15)
        assert editor.selected_text == "{details}"
        app.post_message(events.Paste("evil\x1b]52;c;AAAA\x07 text\r\nnext"))  # as the driver does
        await pilot.pause()
        assert "\x1b" not in editor.text and "\x07" not in editor.text and "\r" not in editor.text
        assert editor.text.startswith("Hi {customer}, evil␛]52;c;AAAA␇ text\nnext\nsee {details}")
        assert [h.row for h in editor.holes()] == [2]
        assert editor.jump_to_hole(-1).row == 2  # wraps around
        style = editor.get_component_rich_style("reply-editor--hole", partial=True)
        line = editor.get_line(2)
        assert any(span.style == style for span in line.spans)


async def test_meter_measures_after_a_pause_and_drops_stale_results() -> None:
    app = EditorApp()
    async with app.run_test() as pilot:
        meter = app.query_one(ShareMeter)
        meter.measure("base", "base")
        meter.measure("base", "changed")  # the first request never lands
        await pilot.pause(ShareMeter.DELAY + 0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert meter.share == 0.5 and not meter.below_target
        meter.measure("base", "base")
        await pilot.pause(ShareMeter.DELAY + 0.2)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert meter.share == 0.0 and meter.below_target and meter.has_class("-below")


async def test_picker_moves_while_typing_and_posts_the_key() -> None:
    chosen: list[str] = []

    class PickerApp(EditorApp):
        def on_template_picker_chosen(self, message: TemplatePicker.Chosen) -> None:
            chosen.append(message.key)

    app = PickerApp()
    async with app.run_test() as pilot:
        picker = app.query_one(TemplatePicker)
        picker.show([TemplateChoice("a", "[b]Alpha[/b]", "zh"), TemplateChoice("b", "Beta", "en", current=True)])
        picker.focus_search()
        await pilot.press("down", "enter")
        assert chosen == ["b"]
        assert "[b]Alpha[/b]" in str(picker.query_one("#template-options").get_option_at_index(0).prompt)
        picker.show([])
        await pilot.press("enter")
        assert chosen == ["b"]
