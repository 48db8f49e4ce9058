"""Scan mode (`s` on the inventory screen): for USB barcode scanners that type a code and Enter.

Scan a location, then items: each scan adds one; typing a number and Enter sets the quantity of
the last item; F2 switches receive / issue / count; Enter on an empty line commits the whole
batch in one transaction and shows a summary; Escape abandons it with nothing written. An unknown
code rings the bell, shows the code in red, and the batch goes on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from invtui.errors import InvtuiError
from invtui.services import inventory, lookup
from invtui.ui.service_call import call_service
from invtui.ui.styles import style

MODES = ("receive", "issue", "count")
# A scanner types 8 to 14 digits for an EAN/UPC; a person typing a quantity types a few.
QUANTITY = re.compile(r"^\d{1,7}$")


@dataclass
class ScanLine:
    sku: str
    name: str
    location: str
    quantity: int


@dataclass(frozen=True)
class Resolved:
    kind: str  # "location" | "product"
    code: str
    name: str


def resolve(session, code: str) -> Resolved:  # type: ignore[no-untyped-def]
    """A scanned code is a location code, or a product's SKU or barcode."""
    try:
        place = lookup.location(session, code)
        return Resolved("location", place.code, place.name)
    except InvtuiError:
        product = lookup.product(session, code)
        return Resolved("product", product.sku, product.name)


class ScanScreen(ModalScreen[None]):
    AUTO_FOCUS = "#scan-input"
    BINDINGS = [
        Binding("f2", "cycle_mode", "Mode"),
        Binding("escape", "abandon", "Abandon batch"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.mode = 0
        self.location: str | None = None
        self.lines: list[ScanLine] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="scan-box"):
            yield Static("", id="scan-mode")
            yield Static("", id="scan-location")
            yield Input(placeholder="scan a location, then items; a number sets the quantity; empty Enter commits",
                        id="scan-input")
            yield Static("", id="scan-message")
            table: DataTable[Text] = DataTable(id="scan-lines", show_cursor=False)
            table.add_columns("SKU", "product", "location", "qty")
            yield table
            yield Static("F2 receive/issue/count · Enter on empty line: commit · Escape: abandon",
                         classes="modal-hint")

    def on_mount(self) -> None:
        self._show_state()

    def _show_state(self) -> None:
        words = " / ".join(m.upper() if i == self.mode else m for i, m in enumerate(MODES))
        self.query_one("#scan-mode", Static).update(Text(f"Scan mode: {words}", style="bold"))
        where = self.location or "none yet: scan a location first"
        self.query_one("#scan-location", Static).update(f"Location: {where} · {len(self.lines)} line(s), "
                                                         f"{sum(line.quantity for line in self.lines)} unit(s)")
        table = self.query_one("#scan-lines", DataTable)
        table.clear()
        for line in self.lines:
            table.add_row(Text(line.sku), Text(line.name), Text(line.location), Text(str(line.quantity)))
        if self.lines:
            table.move_cursor(row=len(self.lines) - 1)

    def _say(self, message: str, *, bad: bool = False) -> None:
        text = Text(("✖ " if bad else "") + message, style=style(self.app, "danger") if bad else "")
        self.query_one("#scan-message", Static).update(text)
        if bad:
            self.app.bell()

    def action_cycle_mode(self) -> None:
        self.mode = (self.mode + 1) % len(MODES)
        self._show_state()

    def action_abandon(self) -> None:
        if self.lines:
            self.app.notify(f"Scan batch abandoned: {len(self.lines)} line(s), nothing written.", title="Scan")
        self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        code = event.value.strip()
        event.input.value = ""
        if not code:
            self._commit()
        elif QUANTITY.match(code) and self.lines:
            self.lines[-1].quantity = int(code)
            self._say(f"{self.lines[-1].sku}: quantity {code}")
            self._show_state()
        else:
            call_service(self, lambda s: resolve(s, code), self._scanned, group="scan",
                         failed=lambda error: self._say(f"Unknown code {code!r}", bad=True), toast_refusals=False)

    def _scanned(self, found: Resolved) -> None:
        if found.kind == "location":
            self.location = found.code
            self._say(f"Location {found.code}")
        elif self.location is None:
            self._say(f"Scan a location before items ({found.code} not added)", bad=True)
            return
        else:
            last = self.lines[-1] if self.lines else None
            if last and (last.sku, last.location) == (found.code, self.location):
                last.quantity += 1
            else:
                self.lines.append(ScanLine(found.code, found.name, self.location, 1))
            self._say(f"+1 {found.code} {found.name}")
        self._show_state()

    def _commit(self) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        if not self.lines or actor is None:
            self._say("Nothing scanned yet", bad=not self.lines)
            return
        mode = MODES[self.mode]
        lines = [(line.sku, line.location, line.quantity) for line in self.lines]
        if mode == "count":
            call = lambda s: inventory.apply_counts(s, actor, lines, reason="scan count")  # noqa: E731
        else:
            call = lambda s: inventory.apply_batch(s, actor, [(sku, loc, mode, qty) for sku, loc, qty in lines])  # noqa: E731

        def done(result: object) -> None:
            units = sum(qty for _, _, qty in lines)
            summary = f"{mode.title()}: {len(lines)} line(s), {units} unit(s) committed"
            self.app.notify(summary, title="Scan batch")
            self.lines = []
            self._say(summary)
            self._show_state()

        call_service(self, call, done, group="scan-commit",
                     failed=lambda error: self._say(error.message if error else "Commit failed", bad=True),
                     toast_refusals=False)
