"""One KPI on the dashboard: a label over a big number."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from invtui.ui.numbers import SCALES


def compact(number: float) -> str:
    """1234 -> 1,234; 708645 -> 709k; 71485794 -> 71.5M; 4392595949 -> 4.39B: three significant
    digits from 100,000 on, because a tile is 13 columns wide (7 at 60 columns)."""
    value = float(number)
    if abs(value) < 1e5:
        return f"{value:,.0f}"
    for size, suffix in SCALES:
        scaled = value / size
        text = f"{scaled:.3g}" if abs(scaled) < 100 else f"{scaled:.0f}"
        if abs(float(text)) < 1000 or size == SCALES[-1][0]:
            return text + suffix
    raise AssertionError("unreachable: the last scale always returns")


class KpiTile(Static):
    """Shows `label` over `value` (which may hold a line break: "12 low\n3 out"); `alarm` marks it,
    in words too: the label reads "Alerts ▲". `short` is the label where the tile is narrow."""

    value: reactive[str] = reactive("…")
    alarm: reactive[bool] = reactive(False)

    def __init__(self, label: str, *, short: str = "", id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes="kpi")
        self.label = label
        self.short = short or label

    def render(self) -> Text:
        # "Alerts ▲", else the short label, else the mark first ("▲Alerts"): it never wraps or goes.
        width = self.content_size.width or 80
        label = self.label if len(self.label) + (2 if self.alarm else 0) <= width else self.short
        text = Text(no_wrap=True, overflow="ellipsis")
        if self.alarm and len(label) + 2 > width:
            text.append("▲", style="bold")
            text.append(label + "\n", style="dim")
        else:
            text.append(label, style="dim")
            text.append((" ▲" if self.alarm else "") + "\n", style="bold")
        text.append(self.value, style="bold")
        return text

    def watch_alarm(self, alarm: bool) -> None:
        self.set_class(alarm, "alarm")
