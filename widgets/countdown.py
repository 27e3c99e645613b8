"""SLA countdowns as text: `42m`, `1h05m`, `2d3h`, `-12m` overdue, coloured by state.

Nothing here counts down by itself: every call gets the due time and "now" and works out what
is left, so a frozen clock gives a frozen picture and a 1 Hz repaint gives a live one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.style import Style
from rich.text import Text

__all__ = ["PAUSE_MARK", "ClockFace", "Palette", "clock_text", "countdown", "format_span", "paused"]

PAUSE_MARK = "‖"  # one cell wide everywhere, unlike the emoji-like pause symbol


@dataclass(frozen=True, slots=True)
class Palette:
    """Rich styles resolved from a widget's component classes (so themes apply)."""

    error: Style
    warning: Style
    success: Style
    muted: Style
    accent: Style


# For use outside a widget (plain Rich output, tests); widgets resolve theirs from CSS.
DEFAULT_PALETTE = Palette(error=Style(color="red", bold=True), warning=Style(color="yellow"),
                          success=Style(color="green"), muted=Style(dim=True), accent=Style(color="cyan"))


def format_span(seconds: float) -> str:
    """A duration in the queue's compact form; negative means overdue."""
    whole = int(abs(seconds))
    if whole < 60:
        body = f"{whole}s"
    elif whole < 3600:
        body = f"{whole // 60}m"
    elif whole < 86400:
        body = f"{whole // 3600}h{whole % 3600 // 60:02d}m"
    else:
        body = f"{whole // 86400}d{whole % 86400 // 3600}h"
    return f"-{body}" if seconds < 0 and whole > 0 else body


def countdown(due: datetime, now: datetime, *, risk_at: datetime | None = None,
              palette: Palette = DEFAULT_PALETTE) -> Text:
    """Time left until `due`: error colour once overdue, warning colour once at risk."""
    left = (due - now).total_seconds()
    if left <= 0:
        return Text(format_span(left), style=palette.error)
    if risk_at is not None and now >= risk_at:
        return Text(format_span(left), style=palette.warning)
    return Text(format_span(left))


def paused(left_seconds: int, *, palette: Palette = DEFAULT_PALETTE) -> Text:
    """A paused clock: the pause mark and what it will have left when it resumes."""
    style = palette.error if left_seconds <= 0 else palette.muted
    return Text(f"{PAUSE_MARK}{format_span(left_seconds)}", style=style)


@dataclass(frozen=True, slots=True)
class ClockFace:
    """One clock as the detail pane shows it; the caller supplies the words."""

    label: str  # the metric's name
    state: str  # running | paused | met | breached | cancelled
    state_label: str  # the state in words, shown when the clock no longer counts down
    due: datetime | None = None
    risk_at: datetime | None = None
    paused_left: int | None = None
    note: str = ""  # e.g. the due time in local time


def clock_text(face: ClockFace, now: datetime, *, palette: Palette = DEFAULT_PALETTE,
               label_width: int = 0) -> Text:
    """One line of the detail pane's clock list."""
    from rich.cells import set_cell_size

    line = Text(set_cell_size(face.label, label_width) if label_width else face.label)
    line.append("  ")
    if face.state == "running" and face.due is not None:
        line.append_text(countdown(face.due, now, risk_at=face.risk_at, palette=palette))
    elif face.state == "paused" and face.paused_left is not None:
        line.append_text(paused(face.paused_left, palette=palette))
        line.append(" ")
        line.append(face.state_label, style=palette.muted)
    else:
        style = {"breached": palette.error, "met": palette.success}.get(face.state, palette.muted)
        line.append(face.state_label, style=style)
    if face.note:
        line.append("  ")
        line.append(face.note, style=palette.muted)
    return line
