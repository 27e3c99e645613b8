"""One key table (console/keys.py): bindings with ids, palette entries and labels from it, the
labels in the language of the moment, and a user key map applied by binding id."""

from __future__ import annotations

from conftest import make_services

from console import keys
from console.textual_adapter import notifications
from store.models import Ticket

SIZE = (160, 45)


def test_every_binding_of_every_table_has_a_unique_id_and_a_label_in_the_catalogue():
    from console.i18n import has

    for name, table in keys.TABLES.items():
        ids = [c.id for c in table]
        assert len(ids) == len(set(ids)), name
        for command in table:
            assert not command.label or has(command.label), command
            assert command.palette is None or has(command.palette), command
            assert command.palette_help is None or has(command.palette_help), command


async def test_labels_follow_the_language_of_the_moment_not_the_import(seed_small, queue_ui):
    from console.app import ShiftdeskApp
    from console.i18n import t

    for lang in ("en", "zh-TW", "en"):
        app = ShiftdeskApp(make_services(seed_small, "amy", lang))
        async with app.run_test(size=SIZE) as pilot:
            await queue_ui.settle(pilot)
            footer = queue_ui.screen_text(app).rstrip().splitlines()[-1]
            assert t("queue.key.claim", lang=lang) in footer, (lang, footer)
            other = "zh-TW" if lang == "en" else "en"
            assert t("queue.key.claim", lang=other) not in footer


async def test_a_key_map_moves_the_claim_key(seed_small, queue_ui):
    from console.app import ShiftdeskApp

    app = ShiftdeskApp(make_services(seed_small, "amy", "en"), keymap={"queue.claim": "x"})
    async with app.run_test(size=SIZE) as pilot:
        await queue_ui.settle(pilot)
        await pilot.press("2")  # Unassigned
        await queue_ui.settle(pilot)
        first = app.screen.table.cursor_key
        await pilot.press("c")  # no longer the claim key
        await queue_ui.settle(pilot)
        assert not any("claimed" in str(n.message).lower() for n in notifications(app))
        await pilot.press("x")
        await queue_ui.settle(pilot)
        assert any(f"#{first}" in str(n.message) for n in notifications(app))
        footer = queue_ui.screen_text(app).rstrip().splitlines()[-1]
        assert "x Claim" in footer and "c Claim" not in footer, footer
    with seed_small.db.read() as session:
        assert session.get(Ticket, first).assignee_id == seed_small.agents["amy"]


def test_an_unknown_binding_id_is_logged(caplog):
    class App:
        keymap: dict[str, str] = {}

        def set_keymap(self, mapping):
            self.keymap = mapping

    app = App()
    keys.apply_keymap(app, {"queue.claim": "x", "queue.nope": "y"})
    assert app.keymap == {"queue.claim": "x", "queue.nope": "y"}
    assert "queue.nope" in caplog.text
