"""Purchase orders (`4`): the list by status; Enter opens a PO to add lines, submit, approve,
receive or cancel; `n` drafts a new PO; `g` drafts POs from the low-stock alerts."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.validation import Function
from textual.widget import Widget
from textual.widgets import DataTable, Input, Label, Static

from invtui.domain import validation
from invtui.domain.roles import Permission
from invtui.domain.validation import MAX_QUANTITY
from invtui.services import catalog, purchasing
from invtui.services.purchasing import POSummary, POView
from invtui.services.tx import ServiceSession
from invtui.ui.bindings import bindings_for, enter_help
from invtui.ui.messages import EventArrived, Resynced
from invtui.ui.modals.confirm_modal import ConfirmModal
from invtui.ui.modals.fields_modal import Choices, FieldsModal
from invtui.ui.modals.form_modal import DomainCheck, FormModal
from invtui.ui.numbers import number_cell
from invtui.ui.screens.base import BaseScreen
from invtui.ui.service_call import call_service
from invtui.ui.size_class import columns, layout_for, pick, set_columns
from invtui.ui.styles import style
from invtui.ui.widgets.paged_table import Column, Page, PagedTable, ShowsPagedList

FILTERS = (None, "draft", "submitted", "approved", "partially_received", "received", "cancelled")
STATUS_MEANING = {"draft": "quiet", "submitted": "warn", "approved": "ok", "partially_received": "warn",
                  "received": "quiet", "cancelled": "quiet"}
PAGE = 100
# Widths add up to 78 columns with the cell padding; "to": the location it delivers to (a bin
# code is 8 wide), "by": who drafted it. The number of lines is in the PO (Enter).
COLUMNS = (Column("number", "PO", 9), Column("status", "status", 10), Column("supplier", "supplier", 10),
           Column("location", "to", 8), Column("ordered", "ordered", 7), Column("received", "recv", 5),
           Column("total", "total", 8), Column("by", "by", 5))
# Under 80 columns where it goes, received and who drafted it go (Enter shows them); under 60, the supplier too.
NARROW_COLUMNS = ("number", "status", "supplier", "ordered", "total")
COMPACT_COLUMNS = ("number", "status", "total")


def location_choices(locations: list[tuple[str, str]]) -> Choices:
    """Type-ahead over active locations; strict while the list is complete (the service judges the rest)."""
    return Choices(locations, strict=len(locations) < catalog.CHOICES_MAX)


def po_columns(layout: str) -> tuple[Column, ...]:
    """The PO list's columns for the layout (size_class.layout_for)."""
    return columns(COLUMNS, layout, NARROW_COLUMNS, COMPACT_COLUMNS)


# A PO's lines: amounts in fixed columns (written compactly when too long, never cut); the
# product name takes what is left (0). Under 80 columns the unit cost and what is still open go
# (ordered minus received); under 60 the amounts too.
LINE_COLUMNS: tuple[Column, ...] = (
    Column("sku", "SKU", 10), Column("name", "product", 0), Column("ordered", "ordered", 7),
    Column("received", "recv", 7), Column("outstanding", "open", 7), Column("cost", "cost", 9), Column("total", "total", 10))


def line_columns(width: int) -> tuple[Column, ...]:
    """The PO detail's line columns for a terminal `width` cells wide."""
    return columns(LINE_COLUMNS, layout_for(width), ("sku", "name", "ordered", "received", "total"),
                   ("sku", "ordered", "received"))


def _box_width(width: int) -> int:
    """Cells inside the detail box (#detail-box: at most 110 wide, a border and padding each side)."""
    return min(width, 110) - 4


def _status(app: Any, status: str) -> Text:
    return Text(status.replace("_", " "), style=style(app, STATUS_MEANING.get(status, "quiet")))



def drafted_summary(drafts: list[purchasing.Draft]) -> str:
    """What `g` made, in a toast that stays a few lines: up to three drafts by name, else a count.

    A warehouse with many locations gets a draft per supplier and location; thirty named drafts
    filled an 80x24 screen and hid the list that shows them anyway.
    """
    if len(drafts) <= 3:
        said = ", ".join(f"{d.number} ({d.supplier} to {d.location})" for d in drafts)
    else:
        numbers = sorted(d.number for d in drafts)
        suppliers, locations = len({d.supplier for d in drafts}), len({d.location for d in drafts})
        said = (f"{len(drafts)} POs, {numbers[0]} … {numbers[-1]}, for {suppliers} supplier(s) "
                f"at {locations} location(s),")
    return f"Drafted {said} for review; nothing was submitted."

class PurchaseOrdersScreen(ShowsPagedList[POSummary], BaseScreen):
    TITLE_TEXT = "Purchase orders"
    ENTER_HELP = enter_help("purchase_orders")  # `?` lists Enter, which the table handles
    MODE = "purchase_orders"
    AUTO_FOCUS = "#po-table"
    BINDINGS = bindings_for("purchase_orders")

    def __init__(self) -> None:
        super().__init__()
        self.filter_index = 0
        self._table = PagedTable(COLUMNS, key=lambda po: po.number, cells=self._cells, page_size=PAGE, id="po-table")

    def body(self) -> Iterable[Widget]:
        self._table.set_columns(po_columns(self.size_layout))
        yield self._table

    def layout_changed(self) -> None:
        self._table.set_columns(po_columns(self.size_layout))

    def reload(self) -> None:
        status = FILTERS[self.filter_index]
        words = status.replace("_", " ") if status else "all"
        self.sub_title = "Purchase orders — " + words

        def fetch(session: Any, after: str | None, limit: int) -> Page[POSummary]:
            rows = purchasing.list_pos(session, status=status, after=after, limit=limit)
            return Page(rows, rows[-1].number if len(rows) == limit else None)

        self.table().load(fetch, f"No {words} purchase orders" if status else "No purchase orders yet")

    def _cells(self, po: POSummary) -> Mapping[str, Text]:
        return {"number": Text(po.number), "status": _status(self.app, po.status),
                "supplier": Text(po.supplier_name, overflow="ellipsis"), "location": Text(po.location or "—"),
                "ordered": number_cell(po.units_ordered, 7), "received": number_cell(po.units_received, 5),
                "total": number_cell(po.total, 8, decimals=2),
                "by": Text(po.created_by or "", overflow="ellipsis", no_wrap=True)}

    def on_event_arrived(self, message: EventArrived) -> None:
        if message.event.kind.startswith("po."):  # type: ignore[attr-defined]
            self.table().mark_stale()

    def action_cycle_filter(self) -> None:
        self.filter_index = (self.filter_index + 1) % len(FILTERS)
        self.reload()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        po = self.table().current
        if po is not None:
            self.open(po.number)

    def open(self, number: str) -> None:
        self.app.push_screen(PODetailScreen(number), lambda _: self.reload())

    def action_new(self) -> None:
        actor = self.invtui.actor
        if actor is None:
            return
        if not actor.can(Permission.DRAFT_PO):
            self.notify(f"Role {actor.role.value} cannot {Permission.DRAFT_PO.words}", title="Not allowed",
                        severity="warning")
            return

        def choices(session: ServiceSession) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
            return ([(c.code, c.name) for c in catalog.choices(session, "supplier")],
                    [(c.code, c.name) for c in catalog.choices(session, "location")])

        def ask(found: tuple[list[tuple[str, str]], list[tuple[str, str]]]) -> None:
            suppliers, locations = found
            self.app.push_screen(FieldsModal("New purchase order", [
                ("supplier", "Supplier (code or name)", Choices(suppliers), True),
                ("location", "Deliver to (location, optional)", location_choices(locations), False),
                ("notes", "Notes (optional)", None, False)]),
                lambda values: self._create(values) if values else None)

        self.service(choices, ask, group="suppliers")

    def _create(self, values: dict[str, str]) -> None:
        actor = self.invtui.actor
        assert actor is not None
        self.service(lambda s: purchasing.create(s, actor, values["supplier"], values.get("notes", ""),
                                                 location=values.get("location") or None).id,
                     lambda po_id: (self.reload(), self.open(f"PO-{po_id:06d}")), group="po-create")

    def action_draft_from_alerts(self) -> None:
        actor = self.invtui.actor
        if actor is None:
            return

        def drafted(drafts: list[purchasing.Draft]) -> None:
            if drafts:
                self.notify(drafted_summary(drafts), title="Draft from alerts", timeout=8)
            else:
                self.notify("No low or out-of-stock item needs a new order.", title="Draft from alerts")
            # The new drafts are the newest: the cursor goes to the top, where they are, rather than
            # following the row it was on down the list.
            self.table().move_cursor(row=0)
            self.table().reload(follow_row=False)

        self.service(lambda s: purchasing.draft_from_alerts(s, actor), drafted, group="draft")


class PODetailScreen(ModalScreen[None]):
    """One PO: header, lines (ordered, received, outstanding), history, and its actions."""

    BINDINGS = bindings_for("po_detail")

    def __init__(self, number: str) -> None:
        super().__init__()
        self.number = number
        self.po: POView | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-box"):
            yield Static(self.number, id="detail-header")
            yield Static("Lines", classes="detail-section")
            lines: DataTable[Text] = DataTable(id="po-lines", show_cursor=False)
            set_columns(lines, line_columns(self.app.size.width), _box_width(self.app.size.width))
            yield lines
            yield Static("History", classes="detail-section")
            history: DataTable[str] = DataTable(id="po-history", show_cursor=False)
            history.add_columns("when", "from", "to", "by", "note")
            yield history
            yield Static("+ add line · e edit · S submit · A approve · R receive · x cancel · Escape close",
                         classes="modal-hint")

    def on_mount(self) -> None:
        self.reload()

    def on_event_arrived(self, message: EventArrived) -> None:
        """Someone else approved, received or changed this PO: show it now, as the lists do."""
        event = message.event
        if event.kind.startswith("po.") and (self.po is None or getattr(event, "id", None) == self.po.id):  # type: ignore[attr-defined]
            self.reload()

    def on_resynced(self, message: Resynced) -> None:
        self.reload()

    def reload(self) -> None:
        number = self.number
        call_service(self, lambda s: purchasing.get(s, number), self._show, group="po-detail", exclusive=True)

    def _show(self, po: POView) -> None:
        self.po = po
        clock = self.app.clock  # type: ignore[attr-defined]
        total = sum((line.line_total for line in po.lines), Decimal(0))
        header = Text()
        header.append(f"{po.number} · ", style="bold")
        header.append_text(_status(self.app, po.status))
        header.append(f" · {po.supplier_name} ({po.supplier_code}) · total {total:,.2f}\n")
        header.append(f"deliver to {po.location or '— (not said)'} · ")
        header.append(f"created {clock.local(po.created_at)} by {po.created_by or '—'}")
        if po.approved_by:
            header.append(f" · approved by {po.approved_by}")
        if po.notes:
            header.append(f"\n{po.notes}")
        for line in po.lines:
            if line.why:  # the figures a draft from alerts computed the quantity from (issue 17)
                header.append(f"\n{line.sku} {line.why}", style="dim")
        self.query_one("#detail-header", Static).update(header)
        lines = self.query_one("#po-lines", DataTable)
        shown = line_columns(self.app.size.width)
        set_columns(lines, shown, lines.size.width or _box_width(self.app.size.width))  # it may have resized
        for line in po.lines:
            cells = (Text(line.sku), Text(line.name, overflow="ellipsis", no_wrap=True),
                     number_cell(line.ordered, 7), number_cell(line.received, 7), number_cell(line.outstanding, 7),
                     number_cell(line.unit_cost, 9, decimals=2), number_cell(line.line_total, 10, decimals=2))
            lines.add_row(*pick(cells, LINE_COLUMNS, shown))
        history = self.query_one("#po-history", DataTable)
        history.clear()
        for entry in po.history:
            history.add_row(clock.local(entry.at), (entry.from_status or "").replace("_", " "),
                            entry.to_status.replace("_", " "), entry.user or "", entry.note)

    def _act(self, call: Any, message: str) -> None:
        actor = self.app.actor  # type: ignore[attr-defined]
        if actor is None:
            return
        call_service(self, lambda s: call(s, actor), lambda _: (self.app.notify(message, title=self.number),
                                                                self.reload()), group="po-action")

    def action_submit(self) -> None:
        self._act(lambda s, a: purchasing.submit(s, a, self.number), f"{self.number} submitted for approval")

    def action_approve(self) -> None:
        self._act(lambda s, a: purchasing.approve(s, a, self.number), f"{self.number} approved")

    def action_cancel_po(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._act(lambda s, a: purchasing.cancel(s, a, self.number), f"{self.number} cancelled")

        self.app.push_screen(ConfirmModal(f"Cancel {self.number}? This cannot be undone."), answered)

    def action_add_line(self) -> None:
        def products(session: ServiceSession) -> list[tuple[str, str]]:
            return [(c.code, c.name) for c in catalog.choices(session, "product")]

        def ask(products: list[tuple[str, str]]) -> None:
            # Type-ahead from the first products by SKU or name; any SKU or barcode is accepted.
            self.app.push_screen(FieldsModal(f"Add a line to {self.number}", [
                ("sku", "SKU, barcode or name", Choices(products, strict=False), True), ("qty", "Quantity", None, True),
                ("cost", "Unit cost (optional)", None, False)]), self._add_line)

        call_service(self, products, ask, group="products")

    def action_edit(self) -> None:
        po = self.po
        if po is None:
            return
        if po.status != "draft":  # the service refuses too; say it before asking anything
            self.app.notify(f"{po.number} is {po.status.replace('_', ' ')}; only drafts can be changed.",
                            title=po.number, severity="warning")
            return

        def locations(session: ServiceSession) -> list[tuple[str, str]]:
            return [(c.code, c.name) for c in catalog.choices(session, "location")]

        def ask(found: list[tuple[str, str]]) -> None:
            self.app.push_screen(FieldsModal(f"Edit {po.number}", [
                ("location", "Deliver to (location; empty: not said)", location_choices(found), False),
                ("notes", "Notes", None, False)], {"location": po.location or "", "notes": po.notes}),
                lambda values: self._edit(po, values))

        call_service(self, locations, ask, group="locations")

    def _edit(self, po: POView, values: dict[str, str] | None) -> None:
        if not values:
            return
        location, notes = values.get("location") or None, values.get("notes", "")
        changes: dict[str, Any] = {}
        if location != po.location:
            changes["location"] = location
        if notes != po.notes:
            changes["notes"] = notes
        if not changes:
            self.app.notify("Nothing changed.", title=po.number)
            return
        where = f"delivers to {location}" if location else "names no delivery location"
        self._act(lambda s, a: purchasing.edit(s, a, self.number, **changes),
                  f"{self.number} {where}" if "location" in changes else f"{self.number}: notes saved")

    def _add_line(self, values: dict[str, str] | None) -> None:
        if values:
            cost = values.get("cost") or None
            self._act(lambda s, a: purchasing.add_line(s, a, self.number, values["sku"], values["qty"], cost),
                      f"{values['qty']} × {values['sku']} added")

    def action_receive(self) -> None:
        po = self.po
        if po is None:
            return
        outstanding = [line for line in po.lines if line.outstanding > 0]
        if not outstanding:
            self.app.notify(f"{po.number} has nothing outstanding to receive.", title=po.number, severity="warning")
            return

        def locations(session: ServiceSession) -> list[str]:
            return [c.code for c in catalog.choices(session, "location")]

        call_service(self, locations, lambda codes: self.app.push_screen(ReceiveModal(po, codes), self._received),
                     group="locations")

    def _received(self, values: tuple[str, dict[str, str]] | None) -> None:
        if values:
            location, quantities = values
            wanted = {sku: qty for sku, qty in quantities.items() if qty and qty != "0"}
            self._act(lambda s, a: purchasing.receive(s, a, self.number, location, wanted),
                      f"Received {sum(int(q) for q in wanted.values())} unit(s) into {location}")

    def action_close(self) -> None:
        self.dismiss(None)


class ReceiveModal(FormModal[tuple[str, dict[str, str]] | None]):
    """Receive a PO: a location, and per outstanding line a quantity (defaults to all outstanding)."""

    def __init__(self, po: POView, locations: list[str]) -> None:
        super().__init__()
        self.po = po
        self.locations = locations

    def compose(self) -> ComposeResult:
        known = {code.upper() for code in self.locations}
        with Vertical(id="stock-form"):
            yield Static(f"Receive {self.po.number} from {self.po.supplier_name}", id="stock-form-title")
            yield Label("Into location")
            yield Input(self.po.location or "", id="receive-location",  # the PO's delivery location, if it names one
                        suggester=SuggestFromList(self.locations, case_sensitive=False),
                        validators=[Function(lambda v: v.strip().upper() in known, "Type a known location code.")])
            for number, line in enumerate(self.po.lines):
                if line.outstanding <= 0:
                    continue
                yield Label(f"{line.sku} {line.name} ({line.outstanding} outstanding)")
                yield Input(str(line.outstanding), id=f"receive-{number}", name=line.sku,
                            validators=[DomainCheck(lambda v, most=min(line.outstanding, MAX_QUANTITY), sku=line.sku:
                                                    validation.quantity(v, minimum=0, maximum=most, what=sku))])
            yield Static("", id="form-error")
            yield Static("Enter: receive · Escape: cancel · partial quantities allowed", classes="modal-hint")

    def result(self) -> tuple[str, dict[str, str]] | None:
        location = self.query_one("#receive-location", Input).value.strip().upper()
        quantities = {field.name: field.value.strip() for field in self.query(Input)
                      if field.id != "receive-location" and field.name}
        return location, quantities
