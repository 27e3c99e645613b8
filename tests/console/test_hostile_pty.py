"""Hostile text through every screen and command, judged on the raw bytes a terminal receives.

The real `shiftdesk` runs on a 100x30 pseudo-terminal over a database whose subjects, bodies,
customer and agent names, categories, notes, handover sections and user templates carry the
hostile corpus between markers (tests/support/hostile_seed.py). Keys drive it through the
queue and its detail pane, the composer, a dialog listing agents, a toast naming one, the
handover editor, its merge screen, the history, the submitted handover and the SLA panel;
then the commands print reports, audit trails, handover exports, agents and templates.
`support.terminal_bytes.problems` must find nothing, and enough marked text must have been
drawn for that to mean something.
"""

from __future__ import annotations

import pytest
from support.hostile_seed import MARKS, marked, seed_hostile, write_templates
from support.pty_term import PtyApp, run_cli
from support.terminal_bytes import drawn, problems

pytestmark = pytest.mark.slow

F3, F4, CTRL_N, CTRL_O, CTRL_R, ESC, DOWN = "\x1bOR", "\x1bOS", "\x0e", "\x0f", "\x12", "\x1b", "\x1b[B"
KEYS = list(MARKS)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    where = tmp_path_factory.mktemp("hostile-pty")
    path = where / "hostile.db"
    ids = seed_hostile(path)
    templates = write_templates(where / "templates.toml")
    env = {"SHIFTDESK_LANG": "en", "SHIFTDESK_TEMPLATES": str(templates), "SHIFTDESK_DB": str(path)}
    return path, ids, env


def console(env: dict[str, str], who: str) -> PtyApp:
    app = PtyApp(["--as", who, "--lang", "en"], env=env)
    app.wait_for("QZ", timeout=40)
    app.pump(1.0)
    return app


def check(raw: bytes, *, at_least: int) -> None:
    found = problems(raw)
    assert found == [], "\n".join(found[:20])
    shown = drawn(raw)
    assert len(shown) >= at_least, (sorted(shown), raw[-3000:])


def test_queue_detail_composer_dialog_and_toast(hostile):
    _path, _ids, env = hostile
    app = console(env, "amy")
    try:
        for _ in range(len(KEYS)):  # every ticket's row and detail pane
            app.send("j", settle=0.5)
        shown = app.mark()
        app.send("r", settle=2.5)  # the composer on the last one
        app.wait_for("Send+solve", start=shown)
        app.send(ESC, settle=1.0)
        app.send("/", settle=0.3)  # to mallory's ticket: the claim names her
        app.send(KEYS[1], settle=0.3)
        app.send("\r", settle=1.5)
        shown = app.mark()
        app.send("c", settle=2.5)
        app.wait_for("was already claimed by", start=shown)  # the toast, naming mallory
        assert app.alive()
    finally:
        app.close()
    check(bytes(app.out), at_least=10)


def test_handover_editor_merge_history_and_assign_dialog(hostile):
    from store.db.engine import open_database
    from store.handover.lifecycle import get_handover, save_draft
    from store.team.agents import find_agent

    path, ids, env = hostile
    app = console(env, "lead.lin")
    try:
        shown = app.mark()
        app.send("a", settle=1.5)  # assign: a dialog listing every agent, mallory among them
        app.wait_for("Enter to choose", start=shown)
        app.send(ESC, settle=0.8)
        shown = app.mark()
        app.send(F4, settle=3.0)  # the handover editor on the hostile draft
        app.wait_for("In progress (", start=shown)
        app.send(CTRL_N, settle=0.8)  # the in-progress list, where the hostile tickets are
        shown = app.mark()
        app.send("n", settle=1.0)  # annotate an item: a line dialog
        app.wait_for("Handover note for", start=shown)
        app.send(ESC, settle=0.8)
        for _ in range(5):  # every other section: special cases, system, next shift, summary
            app.send(CTRL_N, settle=0.8)
        # Another lead saves the draft meanwhile; my next save is refused, and ctrl+r merges.
        db = open_database(path)
        with db.write() as s:
            wang = find_agent(s, "lead.wang")
            view = get_handover(s, ids["handover"])
            save_draft(s, view.updated_at, view.id, view.content.with_text("next", marked(KEYS[5]) + "\nwang"),
                       view.version, wang)
        db.dispose()
        for _ in range(4):
            app.send(CTRL_N, settle=0.5)
        app.send("x", settle=5.0)  # autosave: refused
        shown = app.mark()
        app.send(CTRL_R, settle=2.5)  # the merge screen: theirs and mine side by side
        app.wait_for("Merge the handover draft", start=shown)
        app.send(ESC, settle=1.0)
        shown = app.mark()
        app.send(CTRL_O, settle=2.5)  # history
        app.wait_for("Handover history", start=shown)
        app.send(ESC, settle=1.0)
        assert app.alive()
    finally:
        app.close()
    check(bytes(app.out), at_least=8)


def test_submitted_handover_and_sla_panel(hostile):
    from store.db.engine import open_database
    from store.handover.lifecycle import get_handover, submit
    from store.team.agents import find_agent

    path, ids, env = hostile
    db = open_database(path)
    with db.write() as s:
        lin = find_agent(s, "lead.lin")
        view = get_handover(s, ids["handover"])
        if view.status == "draft":
            submit(s, view.updated_at, view.id, view.content, view.version, lin)
    db.dispose()
    app = console(env, "lead.wang")
    try:
        # The incoming lead is shown the unacknowledged handover first thing; F4 keeps it.
        app.wait_for(f"Handover #{ids['handover']}", timeout=20)
        app.send(F4, settle=2.0)
        for _ in range(4):
            app.send("\x1b[6~", settle=0.6)  # page down through it
        app.send(ESC, settle=1.0)
        assert app.alive()
    finally:
        app.close()
    check(bytes(app.out), at_least=4)
    panel = console(env, "chief")
    try:
        shown = panel.mark()
        panel.send(F3, settle=4.0)
        panel.wait_for("Live SLA panel", start=shown)
        assert panel.alive()
    finally:
        panel.close()
    check(bytes(panel.out), at_least=2)


@pytest.mark.parametrize("argv", [
    ("report",), ("report", "--format", "csv"), ("report", "--format", "json"),
    ("report", "--by", "category"), ("report", "--by", "category", "--format", "csv"),
    ("audit", "--ticket", "2"), ("audit", "--ticket", "2", "--format", "json"),
    ("audit", "--entity", "agent"),
    ("handover", "export", "--id", "1", "--format", "md"), ("handover", "export", "--id", "1", "--format", "json"),
    ("agents", "list"), ("templates", "list"), ("templates", "list", "--format", "json"),
    ("report", "--by", "x\x1b]0;pwned\x07"), ("report", "--format", "x\x1b]52;c;ZXZpbA==\x07"),
], ids=lambda argv: " ".join(argv).encode("unicode_escape").decode())
def test_commands(hostile, argv):
    _path, _ids, env = hostile
    code, raw = run_cli(["--as", "chief", *argv], env=env)
    found = problems(raw, payloads=[*_payloads(), *argv])
    assert found == [], "\n".join(found[:20])
    assert b"Traceback" not in raw, raw[-2000:]
    if not argv[-1].startswith("x\x1b"):
        assert code == 0, raw[-2000:]


def _payloads() -> list[str]:
    from support.hostile_seed import PAYLOADS

    return list(PAYLOADS.values())


def test_the_checker_sees_raw_sequences():
    """The judge itself: raw payloads are caught, their visible stand-ins are not."""
    from console.sanitize import clean_line

    raw = ("QZ05" + "\x1b]0;pwned title\x07title set" + "QZ05").encode()
    assert problems(raw)
    assert problems(b"\x1b[1;1H\xc2\x9b2J") and problems("a\u202eb".encode()) and problems(b"\x1bP$q m\x1b\\")
    safe = ("\x1b[1;1H\x1b[38;5;2m" + "QZ05" + clean_line("\x1b]0;pwned title\x07title set") + "QZ05\x1b[0m"
            "\x1b]22;default\x07").encode()
    assert problems(safe) == [] and drawn(safe) == {"QZ05"}
