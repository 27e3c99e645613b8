"""Intake per hour of the day: one bar per hour for today, with a tick at the 7-day average.

Drawn as the seeds draw their daily curve (`10:00 ████████████ 30%`), one line per hour, so
it reads in any terminal. The current hour is highlighted; hours still to come are dim.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

__all__ = ["HourChart", "HourSeries"]

BLOCKS = " ▏▎▍▌▋▊▉█"


@dataclass(frozen=True)
class HourSeries:
    """24 counts for today and the 24 averages to compare with; `current` is the hour now."""

    today: tuple[int, ...]
    average: tuple[float, ...]
    current: int
    legend: str = ""


def bar(value: float, scale: float, width: int) -> str:
    """A bar of `value` in eighths of a cell, `width` cells at `scale`."""
    if scale <= 0 or width <= 0:
        return ""
    eighths = round(max(value, 0) / scale * width * 8)
    full, part = divmod(min(eighths, width * 8), 8)
    return "█" * full + (BLOCKS[part] if part else "")


class HourChart(Widget):
    DEFAULT_CSS = """
    HourChart {
        height: auto;
        min-height: 26;
    }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.series: HourSeries | None = None

    def show(self, series: HourSeries) -> None:
        if series != self.series:
            self.series = series
            self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return 25

    def render(self) -> Text:
        series = self.series
        if series is None:
            return Text("")
        label_width, number_width = 3, 14
        width = max(self.size.width - label_width - number_width - 1, 4)
        scale = max(max(series.today, default=0), max(series.average, default=0.0), 1)
        out = Text(no_wrap=True, overflow="crop")
        if series.legend:
            out.append(series.legend + "\n", style="dim")
        for hour in range(24):
            count, avg = series.today[hour], series.average[hour]
            style = "bold reverse" if hour == series.current else ("dim" if hour > series.current else "")
            out.append(f"{hour:02d} ", style=style)
            drawn = bar(count, scale, width)
            mark = min(round(avg / scale * width), width - 1)
            line = list(drawn.ljust(width))
            colour = "green" if count >= avg else "cyan"
            for i, ch in enumerate(line):
                if i == mark:
                    out.append("┊" if ch == " " else ch, style="bold yellow" if ch == " " else f"{colour} on grey23")
                else:
                    out.append(ch, style=colour)
            out.append(f" {count:>5} ", style=style)
            out.append(f"{avg:>7.1f}" + ("\n" if hour < 23 else ""), style="dim")
        return out
