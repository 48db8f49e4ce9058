"""Scan mode (`s` on the inventory screen): for USB barcode scanners that type a code and Enter.

Scan a location, then items: each scan adds one to the item's line (one line per item and
location, however often it is scanned); ↑/↓ select a line, a typed number and Enter sets the
selected line's quantity, Delete removes it; F2 switches receive / issue / count; Enter on an
empty line commits the whole batch in one transaction and shows a summary. F3 after a location
scan leaves for a count of that whole location (screens/count.py). Escape on a batch with
lines asks first (y abandons, n or Escape keeps it); nothing is written on abandon. An unknown code
rings the bell, shows the code in red, and the batch goes on.

Codes are looked up in a worker, so a scanner's burst is queued and worked through in the order
it was typed (`ui.scan_input`, shared with counts): a quantity typed right after a code applies to
that code's line.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from invtui.errors import InvtuiError
from invtui.services import inventory, lookup
from invtui.services.lookup import Scanned
from invtui.ui.bindings import bindings_for
from invtui.ui.modals.confirm_modal import ConfirmModal
from invtui.ui.scan_input import TypedEntries, is_quantity
from invtui.ui.service_call import call_service
from invtui.ui.size_class import Column, LayoutAware, columns, layout_for, pick, set_columns
from invtui.ui.styles import style

MODES = ("receive", "issue", "count")
COLUMNS: tuple[Column, ...] = (Column("sku", "SKU"), Column("name", "product"), Column("location", "location"),
                               Column("qty", "qty"))
# Under 60 columns (a handheld scanner): SKU, a short name and the quantity; the line above the
# list says where. The location column comes back once a batch spans two locations.
COMPACT_COLUMNS = ("sku", "name", "qty")
COMPACT_WIDTHS = {"sku": 10, "location": 8, "qty": 4}
PLACEHOLDERS = {False: "scan a location, then items; a number sets the quantity; empty Enter commits",
                True: "location, items; 12 sets qty"}  # compact: 40 columns


def scan_columns(compact: bool, several_locations: bool = False) -> tuple[Column, ...]:
    """The batch list's columns for the layout; compact, they share 40 cells and the name takes what is left."""
    if not compact:
        return COLUMNS
    shown = columns(COLUMNS, "compact", compact=(*COMPACT_COLUMNS, "location") if several_locations else COMPACT_COLUMNS)
    fixed = sum(COMPACT_WIDTHS[column.key] + 2 for column in shown if column.key != "name")  # 2: cell padding
    name_width = 40 - 1 - fixed - 2  # 1: the scrollbar
    return tuple(Column(column.key, column.label, COMPACT_WIDTHS.get(column.key, name_width)) for column in shown)


@dataclass
class ScanLine:
    sku: str
    name: str
    location: str
    quantity: int


class AbandonModal(ConfirmModal):
    """Abandon a scan batch? Only `y` says yes: a scanner's Enter must never throw a batch away."""

    INHERIT_BINDINGS = False
    BINDINGS = bindings_for("scan_abandon")

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._question, id="confirm-question")
            yield Static("y: abandon · n / Escape: keep scanning", classes="modal-hint")


class ScanScreen(LayoutAware, ModalScreen[None]):
    AUTO_FOCUS = "#scan-input"
    BINDINGS = bindings_for("scan")

    def __init__(self) -> None:
        super().__init__()
        self.mode = 0
        self.location: str | None = None
        self.lines: list[ScanLine] = []
        self.selected = 0  # index into `lines` of the line a typed quantity or Delete acts on
        self.entries: TypedEntries[str] = TypedEntries(self._entry)  # held while a lookup or commit runs

    def compose(self) -> ComposeResult:
        self.size_layout = layout_for(self.app.size.width)
        with Vertical(id="scan-box"):
            yield Static("", id="scan-mode")
            yield Static("", id="scan-location")
            yield Input(placeholder=PLACEHOLDERS[self.compact], id="scan-input")
            yield Static("", id="scan-message")
            table: DataTable[Text] = DataTable(id="scan-lines", cursor_type="row")
            table.can_focus = False  # a scanner's Tab must not take the focus away from the input
            set_columns(table, scan_columns(self.compact))
            yield table
            # One of the two hints shows (app.tcss): the short one under 60 columns.
            yield Static("F2 mode · ↑↓ line · 12⏎ qty · Delete: remove line · ⏎ commit · Esc abandon",
                         classes="modal-hint full-hint")
            yield Static("F2 mode ↑↓ line Del drop ⏎ commit Esc", classes="modal-hint compact-hint")

    def layout_changed(self) -> None:
        self.query_one("#scan-input", Input).placeholder = PLACEHOLDERS[self.compact]
        self._show_state()

    def on_mount(self) -> None:
        self._show_state()

    def _show_state(self) -> None:
        words = " / ".join(m.upper() if i == self.mode else m for i, m in enumerate(MODES))
        self.query_one("#scan-mode", Static).update(Text(f"Scan mode: {words}", style="bold"))
        # Short enough for a 40-column scanner: "Location: WH1-A-01 · 2 lines, 14 units".
        where = self.location or "none yet, scan one first"
        count, units = len(self.lines), sum(line.quantity for line in self.lines)
        totals = f" · {count} line{'s' if count != 1 else ''}, {units} unit{'s' if units != 1 else ''}" if count else ""
        self.query_one("#scan-location", Static).update(f"Location: {where}{totals}")
        table = self.query_one("#scan-lines", DataTable)
        shown = scan_columns(self.compact, len({line.location for line in self.lines}) > 1)
        if tuple(column.key.value for column in table.ordered_columns) != tuple(column.key for column in shown):
            set_columns(table, shown)
        table.clear()
        for line in self.lines:
            cells = (Text(line.sku), Text(line.name, no_wrap=True, overflow="ellipsis"), Text(line.location),
                     Text(str(line.quantity)))
            table.add_row(*pick(cells, COLUMNS, shown))
        table.show_cursor = bool(self.lines)
        if self.lines:
            self.selected = max(0, min(self.selected, len(self.lines) - 1))
            table.move_cursor(row=self.selected)

    def _say(self, message: str, *, bad: bool = False) -> None:
        text = Text(("✖ " if bad else "") + message, style=style(self.app, "danger") if bad else "")
        self.query_one("#scan-message", Static).update(text)
        if bad:
            self.app.bell()

    def action_cycle_mode(self) -> None:
        self.mode = (self.mode + 1) % len(MODES)
        self._show_state()

    def action_select(self, step: int) -> None:
        if self.lines:
            self.selected = max(0, min(self.selected + step, len(self.lines) - 1))
            self._show_state()

    def action_delete_line(self) -> None:
        field = self.query_one("#scan-input", Input)
        if field.value:
            field.action_delete_right()
            return
        if not self.lines:
            return
        gone = self.lines.pop(self.selected)
        self._say(f"Removed {gone.sku} at {gone.location} ({gone.quantity})")
        self._show_state()

    def action_abandon(self) -> None:
        if not self.lines:
            self.dismiss(None)
            return
        count = len(self.lines)

        def answered(abandon: bool | None) -> None:
            if abandon:
                self.app.notify(f"Scan batch abandoned: {count} line(s), nothing written.", title="Scan")
                self.dismiss(None)
            else:
                self._say("Batch kept: go on scanning")

        self.app.push_screen(AbandonModal(f"Abandon this batch of {count} line(s)? Nothing of it is written."),
                             answered)

    def action_count_here(self) -> None:
        """F3 after a location was scanned: leave scan mode for a count of that location."""
        from invtui.ui.screens.count import open_count

        if self.location is None:
            self._say("Scan a location first, then F3 counts it", bad=True)
        elif self.lines:
            self._say("Commit (empty Enter) or abandon (Escape) this batch before counting", bad=True)
        else:
            where, below = self.location, self.app.screen_stack[-2]  # the stock screen opened scan mode
            self.dismiss(None)
            open_count(below, where, lambda _: below.reload() if hasattr(below, "reload") else None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.entries.submitted(event)

    def _entry(self, entry: str) -> None:
        """One typed entry, in order: a lookup or a commit holds the ones behind it."""
        if not entry:
            self._commit()
        elif is_quantity(entry) and self.lines:
            self._set_quantity(int(entry))
        else:
            self.entries.hold()
            call_service(self, lambda s: lookup.resolve_scan(s, entry), self._scanned, group="scan",
                         failed=lambda error: self._unknown(entry), toast_refusals=False)

    def _done(self) -> None:
        self.entries.release()

    def _set_quantity(self, quantity: int) -> None:
        line = self.lines[self.selected]
        if quantity == 0 and MODES[self.mode] != "count":
            self._say(f"{line.sku}: type 1 or more, or Delete to remove the line", bad=True)
            return
        line.quantity = quantity
        self._say(f"{line.sku}: quantity {quantity}")
        self._show_state()

    def _unknown(self, code: str) -> None:
        self._say(f"Unknown code {code!r}", bad=True)
        self._done()

    def _scanned(self, found: Scanned) -> None:
        if found.kind == "location":
            self.location = found.code
            self._say(f"Location {found.code} · F3: count this whole location")
        elif self.location is None:
            self._say(f"Scan a location before items ({found.code} not added)", bad=True)
        else:
            key = (found.code, self.location)
            index = next((n for n, line in enumerate(self.lines) if (line.sku, line.location) == key), None)
            if index is None:
                self.lines.append(ScanLine(found.code, found.name, self.location, 1))
                index = len(self.lines) - 1
            else:
                self.lines[index].quantity += 1
            self.selected = index
            self._say(f"+1 {found.code} {found.name} (now {self.lines[index].quantity})")
        self._show_state()
        self._done()

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
            self.selected = 0
            self._say(summary)
            self._show_state()
            self._done()

        def refused(error: InvtuiError | None) -> None:
            self._say(error.message if error else "Commit failed", bad=True)
            self._done()

        self.entries.hold()
        call_service(self, call, done, group="scan-commit", failed=refused, toast_refusals=False)
