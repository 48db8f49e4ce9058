"""`b`: the background task status (the seed's /background-task/status): recent sweeps, next run."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from invtui.services import sweep
from invtui.services.sweep import SweepStatus
from invtui.ui.bindings import bindings_for
from invtui.ui.service_call import call_service
from invtui.ui.styles import style


class BackgroundScreen(ModalScreen[None]):
    BINDINGS = bindings_for("background")

    def compose(self) -> ComposeResult:
        with Vertical(id="background-box"):
            yield Static("Background sweeps", id="background-title")
            yield Static("", id="background-state")
            table: DataTable[Text] = DataTable(id="background-runs", cursor_type="row", zebra_stripes=True)
            for label in ("started", "trigger", "ms", "new", "esc", "res", "result"):
                table.add_column(label)
            yield table
            yield Static("c check now · Escape closes", classes="modal-hint")

    def on_mount(self) -> None:
        self.reload()

    def reload(self) -> None:
        call_service(self, lambda s: sweep.sweep_status(s, limit=20), self._show, group="background", exclusive=True)

    def _show(self, status: SweepStatus) -> None:
        app = self.app
        clock = app.clock  # type: ignore[attr-defined]
        scheduler = getattr(app, "scheduler", None)
        if scheduler is not None and scheduler.running:
            state = f"Scheduler running here: every {app.settings.check_interval_seconds} s, next at "  # type: ignore[attr-defined]
            state += clock.local(scheduler.next_run_time)
        else:
            state = "Scheduler not running in this app"
        state += " · a sweep is running now" if status.running else ""
        self.query_one("#background-state", Static).update(state)
        table = self.query_one("#background-runs", DataTable)
        table.clear()
        for run in status.runs:
            if run.skipped:
                result = Text("skipped (another process sweeping)", style="dim")
            elif run.error:
                result = Text(f"FAILED: {run.error}", style=style(app, "danger"))
            else:
                result = Text(f"ok, {run.rows_scanned:,} rows")
            table.add_row(Text(clock.local(run.started_at)), Text(run.trigger),
                          Text("" if run.duration_ms is None else str(run.duration_ms)),
                          Text(str(run.created_count)), Text(str(run.escalated_count)), Text(str(run.resolved_count)),
                          result)
        if not status.runs:
            table.add_row(*(Text("") for _ in range(6)), Text("no sweep has run yet"))

    def action_check_now(self) -> None:
        self.app.action_check_now()  # type: ignore[attr-defined]

    def action_close(self) -> None:
        self.dismiss(None)
