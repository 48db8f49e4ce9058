"""A horizontal bar chart whose bars are chosen with the keyboard (the seed's hover tooltip, by key).

Left/right (or h/l, up/down) select a bar; the parent hears `Selected` and shows its details;
Enter posts `Opened` so the parent can open the matching filtered list.

Each bar is one text row, "label count ████", so a label can never drift beside another row's
bar, no row is dropped for lack of height, and the length is plain arithmetic:
`round(count / largest * room)` cells, at least one for any count above zero. The selected row
is marked by "▸" and reversed label, never by a longer bar.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from invtui.ui.bindings import bindings_for

BLOCK = "█"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, count, and the first few details ("Bolt M6 - 3 at WH1-A-03")."""

    key: str
    label: str
    count: int
    details: tuple[str, ...] = ()


def bar_cells(count: int, largest: int, room: int) -> int:
    """How many cells a bar of `count` gets when the `largest` bar fills `room` cells."""
    if count <= 0 or largest <= 0 or room <= 0:
        return 0
    return max(1, round(count * room / largest))


class BarChart(Widget, can_focus=True):
    BINDINGS = bindings_for("chart")

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
        self.refresh(layout=True)
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
        self.refresh()
        self._announce()

    def on_focus(self) -> None:
        self._announce()

    def on_click(self, event: events.Click) -> None:
        row = event.y - 1  # the title takes the first line
        if 0 <= row < len(self.bars):
            self.selected = row

    def _announce(self) -> None:
        if self.bars:
            self.post_message(self.Selected(self, self.bars[self.selected], self.total))

    def get_content_height(self, container: object, viewport: object, width: int) -> int:
        return 1 + max(1, len(self.bars))

    def lines(self, width: int) -> list[Text]:
        """The chart as text rows of `width` cells: the title, then one row per bar."""
        rows = [Text(self.chart_title, style="bold", justify="center", no_wrap=True, overflow="ellipsis")]
        if not self.bars:
            rows.append(Text("Loading…", style="dim"))
            return rows
        label_width = max(len(bar.label) for bar in self.bars)
        count_width = max(len(f"{bar.count:,}") for bar in self.bars)
        room = max(0, width - (2 + label_width + 1 + count_width + 1))
        largest = max(bar.count for bar in self.bars)
        for index, bar in enumerate(self.bars):
            picked = index == self.selected
            row = Text(no_wrap=True, overflow="crop")
            row.append("▸ " if picked else "  ", style="bold")
            row.append(bar.label.ljust(label_width), style="reverse bold" if picked else "")
            row.append(f" {bar.count:>{count_width},} ")
            row.append(BLOCK * bar_cells(bar.count, largest, room), style=self.bar_colors.get(bar.key, "blue"))
            rows.append(row)
        return rows

    def render(self) -> Text:
        return Text("\n").join(self.lines(self.content_region.width or self.size.width))
