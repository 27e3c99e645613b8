"""KPI tiles: a title, a big value, a band that colours it, and a line of detail.

The tiles take plain values (`TileView`) and repaint only the tiles whose view changed, so a
live panel can hand them a full set on every refresh.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Group
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Static

__all__ = ["BAND_STYLES", "KpiTile", "KpiTiles", "TileView"]

# Band names come from the caller (store.rollups.metrics uses these); unknown bands stay plain.
BAND_STYLES = {"excellent": "bold green", "good": "green", "fair": "yellow", "low": "yellow", "act": "bold red",
               "alarm": "bold red", "warn": "yellow", "bad": "bold red"}


@dataclass(frozen=True)
class TileView:
    """What one tile shows; `band_label` is the band in the user's language."""

    key: str
    title: str
    value: str
    band: str | None = None
    band_label: str = ""
    detail: str = ""


class KpiTile(Static):
    DEFAULT_CSS = """
    KpiTile {
        border: round $panel-lighten-2;
        padding: 0 1;
        height: 5;
        min-width: 16;
    }
    KpiTile.-excellent, KpiTile.-good { border: round $success; }
    KpiTile.-fair, KpiTile.-low, KpiTile.-warn { border: round $warning; }
    KpiTile.-act, KpiTile.-alarm, KpiTile.-bad { border: round $error; }
    """

    def __init__(self, view: TileView, **kwargs) -> None:
        super().__init__(**kwargs)
        self.view: TileView | None = None
        self.show(view)

    def show(self, view: TileView) -> None:
        if view == self.view:
            return
        if self.view is not None and self.view.band:
            self.remove_class(f"-{self.view.band}")
        self.view = view
        if view.band:
            self.add_class(f"-{view.band}")
        style = BAND_STYLES.get(view.band or "", "bold")
        value = Text(view.value, style=style)
        if view.band_label:
            value.append(f"  {view.band_label}", style=style)
        self.border_title = view.title
        self.update(Group(value, Text(view.detail, style="dim")))


class KpiTiles(Grid):
    """A grid of tiles keyed by `TileView.key`; `show()` updates them in place."""

    DEFAULT_CSS = """
    KpiTiles {
        grid-size: 4;
        grid-gutter: 0 1;
        height: auto;
    }
    """

    def __init__(self, views: Sequence[TileView] = (), **kwargs) -> None:
        super().__init__(**kwargs)
        self._initial = list(views)
        self._tiles: dict[str, KpiTile] = {}

    def compose(self) -> ComposeResult:
        for view in self._initial:
            tile = KpiTile(view, id=f"tile-{view.key}")
            self._tiles[view.key] = tile
            yield tile

    def show(self, views: Sequence[TileView]) -> None:
        for view in views:
            tile = self._tiles.get(view.key)
            if tile is None:
                tile = KpiTile(view, id=f"tile-{view.key}")
                self._tiles[view.key] = tile
                self.mount(tile)
            else:
                tile.show(view)

    def value_of(self, key: str) -> str | None:
        """The value a tile shows (tests and screen readers)."""
        tile = self._tiles.get(key)
        return None if tile is None or tile.view is None else tile.view.value
