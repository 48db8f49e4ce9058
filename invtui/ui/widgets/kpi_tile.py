"""One KPI on the dashboard: a label over a big number."""

from __future__ import annotations

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


def compact(number: float) -> str:
    """1234 -> 1,234; 71485794 -> 71.5M; 4392595949 -> 4.39B: a tile is 13 columns wide."""
    value = float(number)
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e5, "k")):
        if abs(value) >= size:
            scaled = value / size
            return f"{scaled:.3g}{suffix}" if scaled < 100 else f"{scaled:.0f}{suffix}"
    return f"{value:,.0f}"


class KpiTile(Static):
    """Shows `label` and `value`; `alarm` marks it (in words too: the value reads '12 ▲')."""

    value: reactive[str] = reactive("…")
    alarm: reactive[bool] = reactive(False)

    def __init__(self, label: str, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__(id=id, classes="kpi")
        self.label = label

    def render(self) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        text.append(self.label + "\n", style="dim")
        text.append(self.value + (" ▲" if self.alarm else ""), style="bold")
        return text

    def watch_alarm(self, alarm: bool) -> None:
        self.set_class(alarm, "alarm")
