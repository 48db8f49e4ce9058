"""Dashboard (`1`): KPI tiles and the stock-status and PO-status charts.

The seed showed a chart's details on mouse hover; here left/right (h/l) picks a bar and the
panel under the charts shows its name, count, share and first five items. Tab moves between
the two charts; Enter opens the matching list.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from rich.text import Text
from textual.containers import Horizontal
from textual.widget import Widget
from textual.widgets import Static

from invtui.services import dashboard
from invtui.ui.tick import StaleTick
from invtui.ui.messages import EventArrived
from invtui.ui.screens.base import BaseScreen
from invtui.ui.widgets.bar_chart import Bar, BarChart
from invtui.ui.widgets.count_summary import CountSummaryLine
from invtui.ui.widgets.kpi_tile import KpiTile, compact
from invtui.ui.widgets.runout_tile import RunOutTile

STOCK_COLORS = {"OK": "green", "LOW_STOCK": "dark_orange", "OUT_OF_STOCK": "red"}


class DashboardScreen(BaseScreen):
    TITLE_TEXT = "Dashboard"
    MODE = "dashboard"
    AUTO_FOCUS = "#stock-chart"

    def __init__(self) -> None:
        super().__init__()
        self._stale = False
        self._loading = False
        self._load_started = 0.0
        self._next_allowed = 0.0

    def body(self) -> Iterable[Widget]:
        with Horizontal(id="kpis"):
            yield KpiTile("SKUs", id="kpi-skus")
            yield KpiTile("Units", id="kpi-units")
            yield KpiTile("Value", id="kpi-value")
            yield KpiTile("Alerts", id="kpi-alerts")
            yield KpiTile("Unread", id="kpi-unread")
            yield KpiTile("Open POs", short="POs", id="kpi-pos")
            yield RunOutTile(id="kpi-runout")
        with Horizontal(id="charts"):
            yield BarChart("Stock status", id="stock-chart")
            yield BarChart("Purchase orders", id="po-chart")
        yield CountSummaryLine(id="count-summary")
        yield Static("Loading…", id="bar-detail")

    def on_mount(self) -> None:
        super().on_mount()
        # Events mark the dashboard stale; it reloads at most once a second.
        self._tick = StaleTick(self, self._reload_if_stale)

    def reload(self) -> None:
        actor = self.invtui.actor
        if actor is None:
            return
        self._stale, self._loading = False, True
        self._load_started = time.monotonic()
        self.service(lambda session: dashboard.load(session, actor), self._show, group="dashboard",
                     exclusive=True, failed=lambda error: setattr(self, "_loading", False))
        settings = self.invtui.settings
        self.service(lambda session: dashboard.count_summary(session, actor, settings),
                     self.query_one(CountSummaryLine).show, group="dashboard-counts", exclusive=True)

    def on_event_arrived(self, message: EventArrived) -> None:
        event = message.event  # type: ignore[attr-defined]
        # Scans and reasons change no figure here; only a posting or a new interval moves the count line.
        if event.kind != "count.changed" or event.get("action") in ("posted", "interval"):
            self._stale = True
            self._tick.poke()

    def _reload_if_stale(self) -> bool:
        # At most once a second, and never more than a third of the time: on 1M rows a load takes
        # ~0.7 s, and back-to-back loads would starve the toasts and keys of the same process.
        if self._stale and not self._loading and time.monotonic() >= self._next_allowed:
            self.reload()
        return self._stale  # loading, or held back: look again in a second

    def _show(self, data: dashboard.Dashboard) -> None:
        self._loading = False
        took = time.monotonic() - self._load_started
        self._next_allowed = time.monotonic() + max(0.0, 2 * took)
        k = data.kpis
        self.query_one("#kpi-skus", KpiTile).value = compact(k.skus)
        self.query_one("#kpi-units", KpiTile).value = compact(k.units)
        self.query_one("#kpi-value", KpiTile).value = compact(k.stock_value)
        alerts = self.query_one("#kpi-alerts", KpiTile)
        alerts.value = f"{compact(k.low_alerts)} low\n{compact(k.out_alerts)} out"  # one a line: a tile is narrow
        alerts.alarm = bool(k.low_alerts or k.out_alerts)
        self.query_one("#kpi-unread", KpiTile).value = compact(k.unread)
        self.query_one("#kpi-pos", KpiTile).value = compact(k.open_pos)
        self.query_one("#kpi-runout", RunOutTile).reload()
        self.query_one("#stock-chart", BarChart).set_bars([_bar(b) for b in data.stock], STOCK_COLORS)
        self.query_one("#po-chart", BarChart).set_bars([_bar(b) for b in data.purchase_orders])

    def on_bar_chart_selected(self, message: BarChart.Selected) -> None:
        if message.chart.has_focus:
            self.query_one("#bar-detail", Static).update(describe_bar(message.bar, message.total, message.chart.id))

    def on_bar_chart_opened(self, message: BarChart.Opened) -> None:
        bar = message.bar
        if message.chart.id == "stock-chart" and bar.key in ("LOW_STOCK", "OUT_OF_STOCK"):
            self.invtui.open_alerts(alert_type=bar.key)
        else:
            self.notify(f"The {bar.label.lower()} list opens from the "
                        f"{'inventory' if message.chart.id == 'stock-chart' else 'purchase orders'} screen.",
                        title=bar.label)


def _bar(data: dashboard.BarData) -> Bar:
    return Bar(data.key, data.label, data.count, data.details)


def describe_bar(bar: Bar, total: int, chart_id: str | None) -> Text:
    """The tooltip of the seed, as text: name, count, share, first five, "+N more"."""
    unit = "stock rows" if chart_id == "stock-chart" else "purchase orders"
    share = (100.0 * bar.count / total) if total else 0.0
    text = Text()
    text.append(bar.label, style="bold")
    text.append(f" — {bar.count:,} of {total:,} {unit} ({share:.1f}%)\n")
    for line in bar.details:
        text.append(f"• {line}\n")
    more = bar.count - len(bar.details)
    if more > 0:
        text.append(f"+{more:,} more", style="dim")
    return text
