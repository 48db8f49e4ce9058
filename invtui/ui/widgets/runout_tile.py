"""Dashboard tile: items running out within their lead time (open RUNS OUT SOON alerts, issue 17).

A widget of its own that loads its own number (invtui.services.demand.running_out), so the
dashboard's one load stays as it is; it reloads when the dashboard does.
"""

from __future__ import annotations

from invtui.services import demand
from invtui.ui.service_call import call_service
from invtui.ui.widgets.kpi_tile import KpiTile, compact


class RunOutTile(KpiTile):
    """'Run out' over the number of items whose days of cover are below their lead time."""

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002
        super().__init__("Run out", id=id)

    def reload(self) -> None:
        call_service(self, demand.running_out, self._show, group="runout-tile", exclusive=True)

    def _show(self, count: int) -> None:
        self.value = f"{compact(count)} soon"
        self.alarm = count > 0
