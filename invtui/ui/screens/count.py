"""Counting a location (`k` on the stock screen, F3 in scan mode, Enter in the counts list).

Scan or type items as in scan mode: each code adds one to the item's line (one line per item);
a number and Enter sets the selected line (right after a scan, the scanned item's count); ↑/↓
select a line, Delete sets it to 0 ("looked for, none here"). Unknown codes, location codes and
inactive products are refused in red with the bell, never added; an item the ledger does not
have here is added and marked with where it is expected. Empty Enter finishes: the review.
Escape leaves the count open (it lives in the database) to be resumed later.

Every entry is saved at once through `services.counts` and worked through in the order it was
typed (`ui.scan_input`, shared with scan mode), so a scanner's burst lands line by line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from invtui.domain.roles import Permission
from invtui.errors import InvtuiError
from invtui.services import count_views, counts
from invtui.services.count_views import CountingView, ViewLine
from invtui.ui.bindings import bindings_for
from invtui.ui.messages import EventArrived
from invtui.ui.tick import StaleTick
from invtui.ui.scan_input import TypedEntries, is_quantity
from invtui.ui.service_call import call_service
from invtui.ui.styles import style

LEAVE = None  # the queue's marker for Escape: leave once what was typed before it is saved


def open_count(node: DOMNode, location: str, closed: Callable[[Any], Any] | None = None) -> None:
    """Start a count of `location`, or resume its open one (the owner's, or any for a manager)."""
    app: Any = node.app
    actor = app.actor
    if actor is None:
        return
    if not actor.can(Permission.MOVE_STOCK):
        app.notify(f"Role {actor.role.value} cannot count stock", title="Not allowed", severity="warning")
        return

    def opened(session: counts.CountSession) -> None:
        verb = f"Resumed, {session.lines} line(s) so far" if session.lines else "Started"
        app.notify(f"{session.reference} at {session.location}: {verb}", title="Count")
        app.push_screen(CountScreen(session), closed)

    call_service(node, lambda s: count_views.start_or_resume(s, actor, location), opened, group="count-open")


class CountScreen(ModalScreen[str | None]):
    """Dismisses with "posted" or "abandoned" when the count closed, None when left open."""

    CSS_PATH = "count.tcss"
    AUTO_FOCUS = "#count-input"
    BINDINGS = bindings_for("count")

    def __init__(self, session: counts.CountSession) -> None:
        super().__init__()
        self.session = session
        self.lines: list[ViewLine] = []
        self.selected = 0
        self._fresh: str | None = None  # the SKU whose line the last entry created by a scan
        # held while an entry is saved, the lines load or the review is open
        self.entries: TypedEntries[str | None] = TypedEntries(self._entry)
        self._stale = False
        self._narrow = False

    def compose(self) -> ComposeResult:
        with Vertical(id="count-box"):
            yield Static("", id="count-title")
            yield Static("", id="count-state")
            yield Input(placeholder="scan or type items; a number sets the line; empty Enter: review",
                        id="count-input")
            yield Static("", id="count-message")
            table: DataTable[Text] = DataTable(id="count-lines", cursor_type="row")
            table.can_focus = False  # a scanner's Tab must not take the focus from the input
            yield table
            yield Static("↑↓ line · 12⏎ qty · Del: 0 · ⏎ review · F3 due · Esc leave", classes="modal-hint")

    def on_mount(self) -> None:
        table = self.query_one("#count-lines", DataTable)
        inner = min(self.app.size.width, 100) - 4  # the box's border and padding
        self._narrow = inner < 56  # a small terminal: no product name, the SKU is what was scanned
        columns = [("SKU", 10)] if self._narrow else [("SKU", 10), ("product", 16)]
        columns.append(("qty" if self._narrow else "counted", 5 if self._narrow else 7))
        if not self.session.blind:
            columns.append(("expected", 8))
        for label, width in columns:
            table.add_column(label, width=width, key=label)
        table.add_column("note", width=max(6, inner - sum(width + 2 for _, width in columns) - 5),  # a scrollbar
                         key="note")
        self._show()
        self._load()
        self._tick = StaleTick(self, self._reload_if_stale)  # no wakeup while nothing changed

    # -- showing -----------------------------------------------------------------------------

    def _load(self) -> None:
        """All lines afresh; entries typed meanwhile wait, so an older answer never paints over a newer line."""
        actor, ref = self.app.actor, self.session.reference  # type: ignore[attr-defined]
        self.entries.hold()
        call_service(self, lambda s: count_views.counting(s, actor, ref), self._loaded, group="count-view",
                     failed=lambda _: self._finished())

    def _loaded(self, view: CountingView) -> None:
        self.session, self.lines = view.session, view.lines
        self._show()
        self._finished()

    def _show(self) -> None:
        """Every line again (on opening, resuming, coming back from the review)."""
        table = self.query_one("#count-lines", DataTable)
        table.clear()
        for line in self.lines:
            table.add_row(*self._cells(line), key=line.sku)
        self._show_state()

    def _put(self, line: ViewLine) -> None:
        """One line just saved: its row changes (or is added) and is selected; the others stay."""
        table = self.query_one("#count-lines", DataTable)
        index = next((n for n, known in enumerate(self.lines) if known.sku == line.sku), None)
        if index is None:
            self.lines.append(line)
            table.add_row(*self._cells(line), key=line.sku)
            index = len(self.lines) - 1
        else:
            self.lines[index] = line
            for column, cell in zip(table.columns, self._cells(line), strict=True):
                table.update_cell(line.sku, column, cell)
        self.selected = index
        self._show_state()

    def _show_state(self) -> None:
        cnt = self.session
        mode = "blind" if cnt.blind else "expected shown"
        self.query_one("#count-title", Static).update(
            Text(f"Count {cnt.reference} · {cnt.location} · {mode}", style="bold"))
        self.query_one("#count-state", Static).update(
            f"{len(self.lines)} line(s), {sum(line.counted for line in self.lines)} unit(s) · by {cnt.owner}")
        table = self.query_one("#count-lines", DataTable)
        table.show_cursor = bool(self.lines)
        if self.lines:
            self.selected = max(0, min(self.selected, len(self.lines) - 1))
            table.move_cursor(row=self.selected)

    def _cells(self, line: ViewLine) -> list[Text]:
        cells = [Text(line.sku)]
        if not self._narrow:
            cells.append(Text(line.name, overflow="ellipsis", no_wrap=True))
        cells.append(Text(str(line.counted)))
        if not self.session.blind:
            cells.append(Text("" if line.expected is None else str(line.expected)))
        cells.append(self._note(line))
        return cells

    def _note(self, line: ViewLine) -> Text:
        if line.elsewhere is None:
            return Text("")
        return Text(f"not here: {line.elsewhere}", style=style(self.app, "warn"), overflow="ellipsis", no_wrap=True)

    def _say(self, message: str, *, bad: bool = False, warn: bool = False) -> None:
        meaning = "danger" if bad else "warn" if warn else ""
        text = Text(("✖ " if bad else "") + message, style=style(self.app, meaning) if meaning else "")
        self.query_one("#count-message", Static).update(text)
        if bad:
            self.app.bell()

    # -- keys ----------------------------------------------------------------------------------

    def action_select(self, step: int) -> None:
        if self.lines:
            self.selected = max(0, min(self.selected + step, len(self.lines) - 1))
            self._fresh = None
            self._show_state()

    def action_zero_line(self) -> None:
        field = self.query_one("#count-input", Input)
        if field.value:
            field.action_delete_right()
            return
        if self.lines:
            self._fresh = None
            self.entries.put("0")

    def action_leave(self) -> None:
        self.entries.put(LEAVE)

    def action_counts_list(self) -> None:
        from invtui.ui.screens.counts_list import CountsListScreen

        self.app.push_screen(CountsListScreen(can_open=False))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.entries.submitted(event)

    # -- entries, in the order typed -------------------------------------------------------------

    def _entry(self, entry: str | None) -> None:
        if entry is LEAVE:
            self.app.notify(f"{self.session.reference} stays open: k on {self.session.location} resumes it",
                            title="Count")
            self.entries.hold()  # the screen is gone: what was typed after Escape goes with it
            self.dismiss(None)
        elif not entry:
            self._review()
        elif is_quantity(entry) and self.lines:
            self._set_quantity(int(entry))
        else:
            self._scan(entry)

    def _run(self, call: Callable[[Any], counts.CountedLine], done: Callable[[ViewLine], None]) -> None:
        """One saved entry, then its line on screen; a refusal is said in red and skipped."""
        where = self.session.location
        self.entries.hold()

        def saved(line: ViewLine) -> None:
            self._put(line)
            done(line)
            self._finished()

        def refused(error: InvtuiError | None) -> None:
            self._say(error.message if error else "Not saved", bad=True)
            self._finished()

        call_service(self, lambda s: count_views.view_line(s, where, call(s)), saved, group="count-entry",
                     failed=refused, toast_refusals=False)

    def _finished(self) -> None:
        self.entries.release()

    def _scan(self, code: str) -> None:
        actor, ref = self.app.actor, self.session.reference  # type: ignore[attr-defined]
        known = {line.sku for line in self.lines}

        def done(line: ViewLine) -> None:
            self._fresh = line.sku if line.sku not in known else None
            if line.elsewhere is not None:  # added, and said to be from elsewhere
                self._say(f"+1 {line.sku} (now {line.counted}): not stocked here, ledger has it at "
                          f"{line.elsewhere}; marked moved?", warn=True)
            else:
                self._say(f"+1 {line.sku} {line.name} (now {line.counted})")

        self._run(lambda s: counts.scan(s, actor, ref, code), done)

    def _set_quantity(self, quantity: int) -> None:
        actor, ref = self.app.actor, self.session.reference  # type: ignore[attr-defined]
        line = self.lines[self.selected]
        if self._fresh == line.sku and quantity > 1:
            # Right after its first scan, a number says how many: part of the first count, no recount.
            call: Callable[[Any], Any] = lambda s: counts.scan(s, actor, ref, line.sku, quantity - line.counted)  # noqa: E731
        elif self._fresh == line.sku and quantity == line.counted:
            self._say(f"{line.sku}: counted {quantity}")
            self._fresh = None
            return
        else:
            call = lambda s: counts.set_quantity(s, actor, ref, line.sku, quantity)  # noqa: E731
        self._fresh = None
        self._run(call, lambda saved: self._say(f"{saved.sku}: counted {saved.counted}"))

    # -- review and live --------------------------------------------------------------------------

    def _review(self) -> None:
        from invtui.ui.screens.count_review import CountReviewScreen

        self.entries.hold()  # what a scanner typed after this Enter waits for the review to close

        def closed(outcome: str | None) -> None:
            if outcome:
                self.dismiss(outcome)
            else:
                self._load()  # then what a scanner typed after the Enter that opened the review

        self.app.push_screen(CountReviewScreen(self.session), closed)

    def on_event_arrived(self, message: EventArrived) -> None:
        if message.event.kind == "stock.changed" and not self.session.blind:  # type: ignore[attr-defined]
            self._stale = True  # expected quantities are shown: keep them current
            self._tick.poke()

    def _reload_if_stale(self) -> bool:
        if self._stale and self.entries.settled:
            self._stale = False
            self._load()
        return self._stale  # a burst still being worked through: look again in a second
