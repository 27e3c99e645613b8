"""Merging after a refused save, and folding fresh data into a draft: nothing a lead wrote is lost."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from store.handover.content import HandoverContent, TicketItem, merge, merge_text, refreshed

LABEL = "--- mine ---"


def item(tid: int, note: str = "", subject: str = "s") -> TicketItem:
    return TicketItem(ticket_id=tid, subject=subject, priority="normal", status="open", note=note)


BASE = HandoverContent(pending=(item(1), item(2), item(3)), texts={"special": "", "system": "A", "next": "base"})


def test_one_sided_changes_merge_cleanly() -> None:
    mine = BASE.with_text("next", "base + mine").annotate("pending", 0, "先處理")
    theirs = BASE.with_text("system", "A + theirs").move("pending", 2, -1)
    merged, conflicts = merge(BASE, mine, theirs, LABEL)
    assert conflicts == ()
    assert (merged.text("next"), merged.text("system")) == ("base + mine", "A + theirs")
    assert [(i.ticket_id, i.note) for i in merged.pending] == [(1, "先處理"), (3, ""), (2, "")]


def test_both_appending_keeps_both_additions() -> None:
    text, clash = merge_text("base", "base\n林", "base\n王", LABEL)
    assert clash and text == "base\n王\n林"


def test_both_rewriting_keeps_both_under_a_label() -> None:
    text, clash = merge_text("base", "林重寫", "王重寫", LABEL)
    assert clash and text == f"王重寫\n\n{LABEL}\n林重寫\n"


def test_removals_and_notes_from_both_sides() -> None:
    mine = BASE.remove("pending", 1).annotate("pending", 1, "mine on 3")  # removes 2, notes 3
    theirs = BASE.annotate("pending", 2, "theirs on 3").remove("pending", 0)  # removes 1
    merged, _ = merge(BASE, mine, theirs, LABEL)
    assert [(i.ticket_id, i.note) for i in merged.pending] == [(3, "theirs on 3 / mine on 3")]
    assert set(merged.removed["pending"]) == {1, 2}


def test_a_note_on_an_item_they_removed_survives() -> None:
    mine = BASE.annotate("pending", 0, "keep me")
    theirs = BASE.remove("pending", 0)
    merged, _ = merge(BASE, mine, theirs, LABEL)
    assert (1, "keep me") in [(i.ticket_id, i.note) for i in merged.pending]


texts = st.text(alphabet="ab林\n ", max_size=12)


@settings(max_examples=300, deadline=None)
@given(texts, texts, texts)
def test_merge_text_never_drops_a_changed_side(base: str, mine: str, theirs: str) -> None:
    merged, _ = merge_text(base, mine, theirs, LABEL)
    if mine != base:
        assert mine.strip() in merged or mine[len(base):] in merged
    if theirs != base:
        assert theirs.strip() in merged or theirs in merged


def test_refresh_keeps_order_notes_and_removals() -> None:
    current = HandoverContent(pending=(item(3, "note 3"), item(1), item(9, "gone but noted"), item(8)),
                              removed={"pending": (5,)})
    fresh = HandoverContent(pending=(item(1, subject="new facts"), item(3), item(5), item(7)))
    out = refreshed(current, fresh)
    assert [(i.ticket_id, i.note, i.subject) for i in out.pending] == [
        (3, "note 3", "s"), (1, "", "new facts"), (9, "gone but noted", "s"), (7, "", "s")]


def test_json_round_trip() -> None:
    content = BASE.annotate("pending", 1, "x").remove("pending", 0)
    assert HandoverContent.from_json(content.to_json()) == content
