"""A plotext bar chart whose bars are chosen with the keyboard (the seed's hover tooltip, by key).

Left/right (or h/l) select a bar; the parent hears `Selected` and shows its details; Enter posts
`Opened` so the parent can open the matching filtered list.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual_plotext import PlotextPlot


@dataclass(frozen=True)
class Bar:
    """One bar: its label, count, and the first few details ("Bolt M6 - 3 at WH1-A-03")."""

    key: str
    label: str
    count: int
    details: tuple[str, ...] = ()


class BarChart(PlotextPlot, can_focus=True):
    BINDINGS = [
        Binding("left,h", "move(-1)", "Prev bar", show=False),
        Binding("right,l", "move(1)", "Next bar", show=False),
        Binding("enter", "open", "Open list"),
    ]

    selected: reactive[int] = reactive(0)

    class Selected(Message):
        def __init__(self, chart: BarChart, bar: Bar, total: int) -> None:
            super().__init__()
            self.chart, self.bar, self.total = chart, bar, total

    class Opened(Message):
        def __init__(self, chart: BarChart, bar: Bar) -> None:
            super().__init__()
            self.chart, self.bar = chart, bar

    def __init__(self, title: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id)
        self.chart_title = title
        self.bars: list[Bar] = []
        self.bar_colors: dict[str, str] = {}

    def set_bars(self, bars: list[Bar], colors: dict[str, str] | None = None) -> None:
        self.bars = bars
        self.bar_colors = colors or {}
        self.selected = min(self.selected, max(0, len(bars) - 1))
        self._draw()
        self._announce()

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)

    def action_move(self, step: int) -> None:
        if self.bars:
            self.selected = (self.selected + step) % len(self.bars)

    def action_open(self) -> None:
        if self.bars:
            self.post_message(self.Opened(self, self.bars[self.selected]))

    def watch_selected(self) -> None:
        self._draw()
        self._announce()

    def on_focus(self) -> None:
        self._announce()

    def _announce(self) -> None:
        if self.bars:
            self.post_message(self.Selected(self, self.bars[self.selected], self.total))

    def _draw(self) -> None:
        plt = self.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(self.chart_title)
        if not self.bars:
            self.refresh()
            return
        # The selected bar is marked in its label too, so the choice is visible without colour;
        # each label carries its count because small bars beside a big one are a single row high.
        labels = [f"[{b.label} {b.count}]" if i == self.selected else f"{b.label} {b.count}"
                  for i, b in enumerate(self.bars)]
        values = [b.count for b in self.bars]
        # Horizontal bars keep every label readable in 40 columns; plotext draws the first bar at
        # the bottom, so the lists go in reversed to read top-down.
        plt.bar(labels[::-1], values[::-1], color="blue", width=0.5, orientation="horizontal")
        # plotext takes one colour a series: the selected bar is drawn again on top in its colour.
        picked = [v if i == self.selected else 0 for i, v in enumerate(values)]
        plt.bar(labels[::-1], picked[::-1], color=self.bar_colors.get(self.bars[self.selected].key, "orange"), width=0.5,
                orientation="horizontal")
        top = max(values) or 1
        ticks = sorted({0, top // 2, top})
        plt.xticks(ticks, [f"{t:,}" for t in ticks])
        self.refresh()
