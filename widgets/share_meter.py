"""How much of a reply is the agent's own writing, against the handbook's target; a warning below it.

It draws the share (0..1, or None while unknown), the target and the words it is given. Below
the target it turns to the warning colour; it never blocks anything. `measure()` works the
share out with the function it was given, debounced and in a thread worker, because that
comparison grows with the square of the text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style, StyleType
from rich.text import Text
from textual import work
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

__all__ = ["ShareMeter", "ShareWords", "meter_text"]

BAR_CELLS = 20
FULL, EMPTY, MARK = "█", "░", "│"


@dataclass(frozen=True, slots=True)
class ShareWords:
    """The meter's words in the screen's language."""

    label: str  # "personal"
    target: str  # "target {target}%" is formatted by the caller: e.g. "target 20%"
    below: str  # the warning shown under the target
    unknown: str = "…"


def meter_text(share: float | None, target: float, words: ShareWords, *, warn_style: StyleType = "",
               ok_style: StyleType = "") -> Text:
    """`personal  ████│░░░░  34%  target 20%`, with the target marked on the bar."""
    text = Text(words.label)
    text.append("  ")
    mark = min(BAR_CELLS - 1, max(0, round(target * BAR_CELLS)))
    filled = 0 if share is None else min(BAR_CELLS, max(0, round(share * BAR_CELLS)))
    below = share is not None and share < target
    style = warn_style if below else ok_style
    bar = "".join(MARK if i == mark and i >= filled else (FULL if i < filled else EMPTY) for i in range(BAR_CELLS))
    text.append(bar, style=style)
    text.append("  ")
    text.append(words.unknown if share is None else f"{share * 100:3.0f}%", style=style)
    text.append("  ")
    text.append(words.target)
    if below:
        text.append("  ")
        text.append(words.below, style=warn_style)
    return text


class ShareMeter(Static):
    """One line: the personal share as a bar and a percentage, the target, a warning when short."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"share-meter--warn", "share-meter--ok"}
    DEFAULT_CSS = """
    ShareMeter {
        height: 1;
        & > .share-meter--warn { color: $text-warning; text-style: bold; }
        & > .share-meter--ok { color: $text-success; }
    }
    """

    DELAY = 0.4  # seconds of quiet typing before measuring

    class Measured(Message):
        """A share worked out for the text as it was `generation` edits ago (stale ones are dropped)."""

        def __init__(self, share: float | None, generation: int) -> None:
            super().__init__()
            self.share, self.generation = share, generation

    def __init__(self, words: ShareWords, *, target: float, share_of: Callable[[str, str], float],
                 name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(Text(""), name=name, id=id, classes=classes)
        self._words = words
        self._target = target
        self._share_of = share_of  # (template text, final text) -> personal share
        self._share: float | None = None
        self._generation = 0
        self._timer: Timer | None = None

    @property
    def share(self) -> float | None:
        return self._share

    @property
    def below_target(self) -> bool:
        return self._share is not None and self._share < self._target

    def on_mount(self) -> None:
        self._draw()

    def measure(self, base: str, text: str) -> None:
        """Measure `text` against `base` once typing pauses (earlier requests are dropped)."""
        if self._timer is not None:
            self._timer.stop()
        self._generation += 1
        generation = self._generation
        self._timer = self.set_timer(self.DELAY, lambda: self._measure(base, text, generation))

    @work(thread=True, exclusive=True, group="share-meter", exit_on_error=False)
    def _measure(self, base: str, text: str, generation: int) -> None:
        share = self._share_of(base, text) if text.strip() else None
        self.post_message(self.Measured(share, generation))

    def on_share_meter_measured(self, message: Measured) -> None:
        message.stop()
        if message.generation == self._generation:
            self.show_share(message.share)

    def show_share(self, share: float | None) -> None:
        self._share = None if share is None else max(0.0, min(1.0, share))
        self.set_class(self.below_target, "-below")
        self._draw()

    def _draw(self) -> None:
        warn: Style = self.get_component_rich_style("share-meter--warn", partial=True)
        ok: Style = self.get_component_rich_style("share-meter--ok", partial=True)
        self.update(meter_text(self._share, self._target, self._words, warn_style=warn, ok_style=ok))
