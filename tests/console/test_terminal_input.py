"""One byte that is not UTF-8, typed or pasted, must not end the console (it used to exit 0).

The real `shiftdesk` runs on a pseudo-terminal; the bytes go in as a terminal sends them.
"""

from __future__ import annotations

from support.pty_term import PtyApp


def test_an_invalid_byte_is_replaced_and_the_console_keeps_reacting(seed_small):
    app = PtyApp(["--db", str(seed_small.path), "--as", "amy", "--lang", "en"])
    try:
        app.wait_for("Thread", timeout=30)  # the detail pane of the first ticket: the queue is up
        mark = len(app.out)
        app.send(b"\xff", settle=1.0)  # a lone invalid byte on the queue screen
        assert app.alive(), bytes(app.out[mark:])[-2000:]
        app.send(b"/", settle=0.5)  # the filter takes the keys that follow
        app.send(b"zz\xffqq", settle=1.0)  # and one inside text, as a Latin-1 paste would bring
        assert app.alive(), bytes(app.out[mark:])[-2000:]
        shown = app.wait_for("zz\ufffdqq", timeout=10, start=mark)  # replaced, visibly, in place
        assert shown > mark
        assert b"UnicodeDecodeError" not in app.out
    finally:
        code = app.close()
    assert code == 0
