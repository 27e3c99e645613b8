"""Every screen at the four terminal sizes people use, in zh-TW and English (clock frozen).

One seeded database (conftest's seed_small, copied per test), the screen reached with the keys a
person presses (tests/support/screens.py). Regenerate with `--snapshot-update` and look at the
SVGs: at 80x24 and 100x30 no value stands on end, no header is cut to a stub, the footer keeps
"esc Back"; at 160x45 no tile title is cut.
"""

from __future__ import annotations

import pytest
from support.screens import AGENT, SCREENS

SIZES = ((80, 24), (100, 30), (120, 40), (160, 45))


@pytest.fixture(autouse=True)
def _fixed_paths(monkeypatch, tmp_path):
    """The help screen prints where the settings and the log are: the same paths in every run,
    and none of the user's templates in the composer."""
    monkeypatch.setenv("SHIFTDESK_CONFIG", "/home/agent/.config/shiftdesk/settings.toml")
    monkeypatch.setenv("SHIFTDESK_LOG", "/home/agent/.local/state/shiftdesk/log/shiftdesk.log")
    monkeypatch.setenv("SHIFTDESK_TEMPLATES", str(tmp_path / "no-user-templates.toml"))


@pytest.fixture(autouse=True)
def _no_second_poll(monkeypatch):
    """The panel polls once: a later poll would repaint its (timed) status line mid-picture."""
    from console.screens.panel.screen import PanelScreen

    monkeypatch.setattr(PanelScreen, "INTERVAL", 3600.0)


@pytest.mark.parametrize("lang", ["zh-TW", "en"])
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", list(SCREENS))
def test_layout(snap_compare, queue_app, seed_small, screen, size, lang) -> None:
    app = queue_app(AGENT[screen], lang)

    async def run_before(pilot) -> None:
        await SCREENS[screen](pilot, seed_small)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
