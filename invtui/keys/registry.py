"""Every key of the app, once: the action it runs, where, its labels, who may use it.

The Textual bindings of the app and of every screen (`invtui.ui.bindings.bindings_for`), the
footer and `?` help (both read those bindings), the command palette (the same) and the README's
key table (`invtui keys --markdown`) are all made from `ACTIONS`. Nothing else names a key.

Adding a screen's keys: give the screen an entry in `SCREENS` (its title in the README, the
screens whose keys also reach it, whether a text field always has the focus), add its
`Action`s below in footer order, and write `BINDINGS = bindings_for("the_screen")` in the
class. Then run `invtui keys --markdown` and paste the table into the README (a test compares).

Pure: no Textual import, so the CLI can print the table without loading the UI.
"""

from __future__ import annotations

from dataclasses import dataclass

from invtui.domain.roles import Permission


@dataclass(frozen=True)
class Screen:
    """A place keys are bound: its README title and the places whose keys also reach it.

    `reaches` lists the namespaces Textual also checks when a key is pressed here (a
    non-modal screen sees the app's keys; a modal screen only the app's priority keys, which
    every screen sees). `typing`: a text field always holds the focus, so a printable key
    is typed into it and never reaches a binding.
    """

    title: str
    reaches: tuple[str, ...] = ()
    typing: bool = False


SCREENS: dict[str, Screen] = {
    "app": Screen("everywhere"),
    "dashboard": Screen("Dashboard", ("app",)),
    "chart": Screen("Dashboard", ("dashboard", "app")),
    "alerts": Screen("Alerts", ("app",)),
    "alert_detail": Screen("an alert"),
    "inventory": Screen("Stock", ("app",)),
    "stock_detail": Screen("an item"),
    "scan": Screen("Scan mode", typing=True),
    "scan_abandon": Screen("Scan mode: abandon?"),
    "count": Screen("Counting", typing=True),
    "count_review": Screen("Count review"),
    "count_abandon": Screen("Count review: abandon?"),
    "count_ask": Screen("a count's reason", typing=True),
    "counts_list": Screen("Counts due"),
    "purchase_orders": Screen("Purchase orders", ("app",)),
    "po_detail": Screen("a PO"),
    "catalog": Screen("Catalog", ("app",)),
    "notifications": Screen("Notifications", ("app",)),
    "background": Screen("Sweeps panel"),
    "audit": Screen("Audit trail"),
    "help": Screen("Help"),
    "lock": Screen("Lock screen", ("app",), typing=True),
    "form": Screen("any form", typing=True),
    "note": Screen("a note", typing=True),
    "confirm": Screen("a question"),
}


@dataclass(frozen=True)
class Action:
    """One key binding (or a key a Textual widget handles, documented here too).

    `id` is the name in the config file's `[keys]` table and the Textual binding id; the same
    id on several screens is one action (`check_now`): remapping it moves the key everywhere.
    """

    id: str
    screen: str
    keys: str  # Textual key names, comma-separated: "escape,q"
    action: str = ""  # Textual action; "" = a Textual widget handles the key (listed, not bound, not remappable)
    label: str = ""  # the footer's word (short: 80 columns)
    name: str = ""  # help and palette say it in full; defaults to `label`
    show: bool = True  # in the footer
    priority: bool = False  # before the focused widget sees the key
    key_display: str | None = None
    permission: Permission | None = None  # the least permission the action needs (README "who")
    doc: str = ""  # the README's "what", when the name alone says too little

    @property
    def full_name(self) -> str:
        return self.name or self.label

    @property
    def bound(self) -> bool:
        return bool(self.action)

    @property
    def key_list(self) -> tuple[str, ...]:
        return tuple(k.strip() for k in self.keys.split(","))


def _go(key: str, mode: str, label: str, doc: str) -> Action:
    return Action(f"go.{mode}", "app", key, f"go('{mode}')", label, show=False, doc=doc)


_P = Permission
ACTIONS: tuple[Action, ...] = (
    # -- the app: reaches every non-modal screen ------------------------------------------------
    _go("1", "dashboard", "Dash", "Dashboard (the top line lists the screens and the current list's filter)"),
    _go("2", "alerts", "Alerts", "Alerts"),
    _go("3", "inventory", "Stock", "Stock (inventory)"),
    _go("4", "purchase_orders", "POs", "Purchase orders"),
    _go("5", "catalog", "Catalog", "Catalog"),
    _go("6", "notifications", "Notes", "Notifications"),
    Action("help", "app", "question_mark", "help", "Help", key_display="?",
           doc="the keys of the current screen, each once"),
    Action("background", "app", "b", "background", "Sweeps", show=False,
           doc="background sweep status (last 20 runs, next run)"),
    # `c` means "run a sweep now" on every screen; no screen binds it to anything else.
    Action("check_now", "app", "c", "check_now", "Check now", show=False, permission=_P.RUN_SWEEP,
           doc="run a sweep now (the same on every screen; the `b` panel shows the new run)"),
    Action("quit", "app", "q", "quit", "Quit", doc="quit (asks first if a form holds typed input)"),
    # Textual's own ctrl+q, without its long tooltip; priority: it quits from a form or modal too.
    Action("quit_anywhere", "app", "ctrl+q", "quit", "Quit", show=False, priority=True,
           doc="quit from any screen, forms and questions included (asks first if a form holds typed input)"),
    Action("palette", "app", "ctrl+p", name="Command palette",
           doc="command palette: every screen and every action of this screen by name; audit trail (the "
               "highlighted entry in full under the list), "
               "background sweeps, export any list to CSV, import products or counts from CSV"),
    # -- dashboard --------------------------------------------------------------------------
    Action("chart.previous", "chart", "left,h,up", "move(-1)", "Prev bar", show=False,
           doc="previous bar (details: count, share, first five, \"+N more\")"),
    Action("chart.next", "chart", "right,l,down", "move(1)", "Next bar", show=False, doc="next bar"),
    Action("chart.open", "chart", "enter", "open", "Open list", doc="open the list behind the bar"),
    Action("dashboard.next_chart", "dashboard", "tab", name="Next chart", doc="switch chart"),
    # -- alerts -----------------------------------------------------------------------------
    Action("alerts.acknowledge", "alerts", "a", "act('acknowledge')", "Ack", permission=_P.HANDLE_ALERTS,
           doc="acknowledge (optional note; Enter confirms, Escape cancels); with marked rows, every marked alert in one call"),
    Action("alerts.dismiss", "alerts", "d", "act('dismiss')", "Dismiss", permission=_P.HANDLE_ALERTS,
           doc="dismiss (optional note), marked rows alike"),
    Action("alerts.resolve", "alerts", "r", "act('resolve')", "Resolve", permission=_P.HANDLE_ALERTS,
           doc="resolve (optional note), marked rows alike"),
    Action("alerts.mark", "alerts", "space", "mark", "Mark", key_display="␣",
           doc="mark rows; `a` `d` `r` then act on every marked alert in one call"),
    Action("alerts.filter", "alerts", "f", "cycle_filter", "Filter", doc="cycle open / acknowledged / all"),
    Action("alerts.search", "alerts", "slash", "search", "Search", key_display="/", doc="search as you type"),
    Action("alerts.detail", "alerts", "enter", "detail", "Detail", name="The alert: its history and last movements",
           show=False),
    Action("check_now", "alerts", "c", "check_now", "Check", permission=_P.RUN_SWEEP, doc="run a sweep now"),
    Action("alerts.clear", "alerts", "escape", "clear", "Clear filter", show=False, doc="clear the search"),
    Action("alert_detail.close", "alert_detail", "escape,q,enter", "close", "Close"),
    # -- stock ------------------------------------------------------------------------------
    Action("inventory.receive", "inventory", "r", "stock('receive')", "Recv", "Receive", permission=_P.MOVE_STOCK,
           doc="receive: a small form that explains a bad value before anything is sent"),
    Action("inventory.issue", "inventory", "i", "stock('issue')", "Issue", permission=_P.MOVE_STOCK),
    Action("inventory.transfer", "inventory", "t", "stock('transfer')", "Xfer", "Transfer", permission=_P.MOVE_STOCK,
           doc="transfer (destination with type-ahead)"),
    Action("inventory.adjust", "inventory", "j", "stock('adjust')", "Adj", "Adjust", permission=_P.MOVE_STOCK,
           doc="adjust to a count (reason required)"),
    Action("inventory.reserve", "inventory", "v", "stock('reserve')", "Rsv", "Reserve", permission=_P.MOVE_STOCK),
    Action("inventory.release", "inventory", "V", "stock('release')", "Rel", "Release", key_display="V",
           permission=_P.MOVE_STOCK),
    Action("inventory.scan", "inventory", "s", "scan", "Scan", permission=_P.MOVE_STOCK,
           doc="scan mode for USB scanners: scan a location, then items (each scan +1, a typed number sets the "
               "quantity); the same item scanned again adds to its one line; unknown codes ring the bell and show "
               "in red. Keys that a scanner sends in one burst land exactly as if typed slowly"),
    Action("inventory.count", "inventory", "k", "count", "Count", "Count this location", show=False,
           permission=_P.MOVE_STOCK, doc="count the row's whole location (blind for operators), or resume its open "
           "count"),
    Action("inventory.counts", "inventory", "K", "counts", "Counts due", key_display="K", show=False,
           doc="counts due, oldest first, with items and units; the open counts and their owners"),
    Action("inventory.filter", "inventory", "f", "cycle_filter", "Filter", doc="all / low / out"),
    Action("inventory.sort", "inventory", "o", "cycle_order", "Order", show=False, doc="sort: name / cover (lowest days of cover "
           "first, rows without usage last)"),
    Action("inventory.search", "inventory", "slash", "search", "Search", key_display="/",
           doc="search SKU, name, barcode or location as you type"),
    Action("inventory.last_page", "inventory", "G,end", "last_page", "Last page", show=False,
           doc="last page (pages come from the server, so 1M rows never load at once)"),
    Action("inventory.first_page", "inventory", "g,home", "first_page", "First page", show=False),
    Action("inventory.clear", "inventory", "escape", "clear", "Clear search", show=False),
    Action("inventory.open", "inventory", "enter", name="The item: stock per location, open alerts, last movements",
           doc="the item: stock per location, open alerts, last 20 movements"),
    Action("stock_detail.close", "stock_detail", "escape,q,enter", "close", "Close"),
    Action("scan.mode", "scan", "f2", "cycle_mode", "Mode", doc="receive / issue / count; an empty Enter commits "
           "the batch in one transaction"),
    Action("scan.line_up", "scan", "up", "select(-1)", "Line up", show=False,
           doc="pick the line above (a number + Enter sets its quantity)"),
    Action("scan.line_down", "scan", "down", "select(1)", "Line down", show=False, doc="pick the line below"),
    # Priority: the input would take Delete for itself; with text typed it still gets it.
    Action("scan.delete_line", "scan", "delete", "delete_line", "Delete line", priority=True,
           doc="remove the picked line"),
    Action("scan.abandon", "scan", "escape", "abandon", "Abandon batch", doc="leave scan mode; a batch with lines asks first"),
    Action("scan.count_here", "scan", "f3", "count_here", "Count this location", show=False,
           permission=_P.MOVE_STOCK, doc="after a location's code: count that whole location (the batch must be empty)"),
    # Only `y` says yes: a scanner's Enter must never throw a batch away.
    Action("scan_abandon.yes", "scan_abandon", "y", "answer(True)", "Abandon"),
    Action("scan_abandon.no", "scan_abandon", "n,escape,enter", "answer(False)", "Keep", doc="keep scanning"),
    # -- cycle counts -----------------------------------------------------------------------
    Action("count.line_up", "count", "up", "select(-1)", "Line up", show=False,
           doc="pick the line above (a number + Enter sets its count)"),
    Action("count.line_down", "count", "down", "select(1)", "Line down", show=False, doc="pick the line below"),
    # Priority: the input would take Delete for itself; with text typed it still gets it.
    Action("count.zero_line", "count", "delete", "zero_line", "Line to 0", priority=True,
           doc="set the picked line to 0"),
    Action("count.counts_list", "count", "f3", "counts_list", "Counts due"),
    Action("count.leave", "count", "escape", "leave", "Leave (resume later)",
           doc="leave the count open (resume it later from the stock screen); an empty Enter opens the review"),
    Action("count_review.reason", "count_review", "e", "reason", "Reason", permission=_P.MOVE_STOCK,
           doc="a reason for the line's difference (1-5: damaged, lost, found, miscount, moved, or your own "
               "words); Enter does the same"),
    Action("count_review.recount", "count_review", "r", "recount", "Recount", permission=_P.MOVE_STOCK),
    Action("count_review.post", "count_review", "p", "post", "Post", permission=_P.MOVE_STOCK,
           doc="post every difference in one transaction (asks first; every difference needs a reason); while "
               "some wait for a manager's approval, post the others and keep the count open for them"),
    Action("count_review.approve", "count_review", "a", "approve", "Approve", permission=_P.APPROVE_COUNT,
           doc="approve the differences above the thresholds"),
    Action("count_review.abandon", "count_review", "x", "abandon", "Abandon", permission=_P.MOVE_STOCK,
           doc="abandon the count: nothing is written (asks; only `y` confirms)"),
    Action("count_review.export", "count_review", "w", "export", "Export", name="Export the review to CSV",
           doc="the review as CSV, as `invtui count export` writes it: a file in your folder (a download in a "
               "browser)"),
    Action("count_review.back", "count_review", "escape", "back", "Back to counting"),
    Action("count_abandon.yes", "count_abandon", "y", "answer(True)", "Abandon"),
    Action("count_abandon.no", "count_abandon", "n,escape,enter", "answer(False)", "Keep"),
    Action("count_ask.cancel", "count_ask", "escape", "cancel", "Cancel"),
    Action("counts_list.open", "counts_list", "enter", name="Count this location (start, or resume its open count)"),
    Action("counts_list.close", "counts_list", "escape", "close", "Close"),
    # -- purchase orders --------------------------------------------------------------------
    Action("purchase_orders.new", "purchase_orders", "n", "new", "New PO", permission=_P.DRAFT_PO,
           doc="new PO (supplier type-ahead by code or any part of the name; an unknown name lists the choices)"),
    Action("purchase_orders.draft_from_alerts", "purchase_orders", "g", "draft_from_alerts", "Draft from alerts",
           permission=_P.DRAFT_PO, doc="draft from alerts: one draft per supplier and location, delivering there, "
           "for every low, out or soon-out item not on order there, each line saying why its quantity; "
           "never submitted automatically"),
    Action("purchase_orders.filter", "purchase_orders", "f", "cycle_filter", "Filter", doc="status filter"),
    Action("purchase_orders.open", "purchase_orders", "enter", name="Open the PO"),
    Action("po_detail.add_line", "po_detail", "plus", "add_line", "Add line", key_display="+",
           permission=_P.DRAFT_PO, doc="add line (SKU, barcode or product name, with type-ahead)"),
    Action("po_detail.edit", "po_detail", "e", "edit", "Edit", name="Edit delivery location and notes",
           permission=_P.DRAFT_PO, doc="where the PO delivers to (receiving defaults to it) and its notes; drafts only"),
    Action("po_detail.submit", "po_detail", "S", "submit", "Submit", key_display="S", permission=_P.DRAFT_PO),
    Action("po_detail.approve", "po_detail", "A", "approve", "Approve", key_display="A", permission=_P.APPROVE_PO),
    Action("po_detail.receive", "po_detail", "R", "receive", "Receive", key_display="R", permission=_P.RECEIVE_PO,
           doc="receive (per line, defaulting to outstanding, partial allowed)"),
    Action("po_detail.cancel", "po_detail", "x", "cancel_po", "Cancel PO", permission=_P.CANCEL_PO,
           doc="cancel the PO (asks)"),
    Action("po_detail.close", "po_detail", "escape,q", "close", "Close"),
    # -- catalog ----------------------------------------------------------------------------
    Action("catalog.new", "catalog", "n", "new", "New", permission=_P.EDIT_CATALOG,
           doc="new, in the current tab"),
    Action("catalog.edit", "catalog", "e", "edit", "Edit", permission=_P.EDIT_CATALOG,
           doc="edit (prefilled; only changed fields are sent)"),
    Action("catalog.deactivate", "catalog", "x", "deactivate", "Deactivate", permission=_P.EDIT_CATALOG,
           doc="deactivate or reactivate (asks)"),
    Action("catalog.search", "catalog", "slash", "search", "Search", key_display="/", doc="search this tab"),
    Action("catalog.products", "catalog", "p", "tab('products')", "Products", show=False, doc="products tab"),
    Action("catalog.categories", "catalog", "g", "tab('categories')", "Categories", show=False,
           doc="categories tab"),
    Action("catalog.suppliers", "catalog", "s", "tab('suppliers')", "Suppliers", show=False, doc="suppliers tab"),
    Action("catalog.locations", "catalog", "l", "tab('locations')", "Locations", show=False, doc="locations tab"),
    Action("catalog.rules", "catalog", "a", "tab('rules')", "Alert rules", show=False,
           doc="alert rules tab (each rule's effect: \"15 instead of reorder point 10\", stock rows it decides, "
               "how many low now)"),
    Action("catalog.clear", "catalog", "escape", "clear", "Clear search", show=False),
    # -- notifications ----------------------------------------------------------------------
    Action("notifications.mark_read", "notifications", "m,enter", "mark_read", "Mark read"),
    Action("notifications.mark_all_read", "notifications", "M", "mark_all_read", "Mark all read", key_display="M"),
    Action("notifications.reload", "notifications", "r", "reload", "Reload", show=False),
    # -- panels and modals ------------------------------------------------------------------
    Action("background.close", "background", "escape,q,b", "close", "Close"),
    Action("check_now", "background", "c", "check_now", "Check now", permission=_P.RUN_SWEEP),
    Action("audit.kind", "audit", "f", "cycle_kind", "Kind", doc="cycle the kind: stock, alert, PO, user"),
    Action("audit.close", "audit", "escape,q", "close", "Close"),
    Action("help.close", "help", "escape,question_mark,q", "dismiss", "Close"),
    # Priority: before the password field takes Enter.
    Action("lock.unlock", "lock", "enter", "unlock", "Unlock", priority=True, doc="unlock with your password"),
    Action("form.cancel", "form", "escape", "cancel", "Cancel", doc="cancel: nothing is sent"),
    Action("form.save", "form", "enter", "submit_form", "Save", show=False,
           doc="save"),
    Action("note.cancel", "note", "escape", "cancel", "Cancel"),
    Action("confirm.yes", "confirm", "y,enter", "answer(True)", "Yes"),
    Action("confirm.no", "confirm", "n,escape", "answer(False)", "No"),
)


def actions_for(screen: str) -> tuple[Action, ...]:
    """The actions bound on `screen`, in footer order."""
    if screen not in SCREENS:
        raise KeyError(f"no screen {screen!r} in invtui.keys.registry.SCREENS")
    return tuple(a for a in ACTIONS if a.screen == screen)


def action_ids() -> set[str]:
    return {a.id for a in ACTIONS}
