"""The dashboard's count line: how many locations are due for a count, and last week's accuracy."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from invtui.services.dashboard import CountSummary


def describe_counts(summary: CountSummary) -> Text:
    """'Counts  2 due · 7 days: 96% right first time (48 of 50 lines) · differences 12.50'."""
    text = Text(no_wrap=True, overflow="ellipsis")
    text.append("Counts  ", style="dim")
    text.append(f"{summary.due:,} due", style="bold")
    text.append(f" · {summary.days} days: ", style="dim")
    if summary.accuracy is None:
        text.append("nothing counted")
        return text
    text.append(f"{summary.accuracy:.0%}", style="bold")
    text.append(f" right first time ({summary.right_first_time:,} of {summary.lines:,} lines)")
    text.append(" · differences ", style="dim")
    text.append(f"{summary.difference_value:,.2f}", style="bold")
    return text


class CountSummaryLine(Static):
    """One line; the dashboard loads its figures apart from the KPIs, so neither waits on the other."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__("Counts  …", id=id)

    def show(self, summary: CountSummary) -> None:
        self.update(describe_counts(summary))
