"""The review of a count (empty Enter on the count screen): missing, extra and matching lines.

Each line shows counted and expected; an item counted here that the ledger has elsewhere says
"moved?" and where. Every difference needs a reason (Enter or `e`: damaged, lost, found,
miscount, moved, or own words); `r` recounts the line; `p` posts (asks first); `a` approves
(managers); `x` abandons (asks first, only `y` says yes); Escape goes back to counting.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from invtui.domain import validation
from invtui.domain.roles import Permission
from invtui.errors import InvtuiError
from invtui.services import count_export, count_views, counts
from invtui.services.files import FileExists
from invtui.ui.bindings import bindings_for
from invtui.ui.messages import EventArrived
from invtui.ui.tick import StaleTick
from invtui.ui.modals.confirm_modal import ConfirmModal
from invtui.ui.service_call import call_service
from invtui.ui.styles import style

REASON_KEYS = {str(n): reason for n, reason in enumerate(counts.REASONS, start=1)}
REASON_HINT = " · ".join(f"{n} {reason}" for n, reason in REASON_KEYS.items()) + ", or your own words"


class AskModal(ModalScreen[str | None]):
    """One line of text: Enter saves once `check` finds nothing wrong, Escape cancels."""

    CSS_PATH = "count.tcss"
    BINDINGS = bindings_for("count_ask")

    def __init__(self, title: str, hint: str, value: str, check: Callable[[str], str | None]) -> None:
        super().__init__()
        self._title, self._hint, self._value, self._check = title, hint, value, check

    def compose(self) -> ComposeResult:
        with Vertical(id="ask-box"):
            yield Static(self._title, id="ask-title")
            yield Static(self._hint, classes="modal-hint")
            yield Input(self._value, id="ask-input", max_length=200)
            yield Static("", id="ask-error")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        problem = self._check(event.value.strip())
        if problem:
            self.query_one("#ask-error", Static).update(problem)
            return
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


class AbandonCountModal(ConfirmModal):
    """Abandon a count? Only `y` says yes."""

    INHERIT_BINDINGS = False
    BINDINGS = bindings_for("count_abandon")

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self._question, id="confirm-question")
            yield Static("y: abandon · n / Escape: keep the count", classes="modal-hint")


def _quantity_problem(typed: str) -> str | None:
    try:
        validation.quantity(typed, minimum=0, what="Counted quantity")
    except InvtuiError as error:
        return error.message
    return None


def _reason_problem(typed: str) -> str | None:
    return None if typed else f"Pick a reason: {REASON_HINT}"


class CountReviewScreen(ModalScreen[str | None]):
    """Dismisses with "posted" or "abandoned", or None to go back to counting."""

    CSS_PATH = "count.tcss"
    AUTO_FOCUS = "#review-lines"
    ENTER_HELP = "Reason for the line's difference"
    BINDINGS = bindings_for("count_review")

    def __init__(self, session: counts.CountSession) -> None:
        super().__init__()
        self.session = session
        self.review: counts.Review | None = None
        self.keys: list[counts.ReviewLine | None] = []  # per table row: the line, None for a group header
        self._narrow = False
        self._stale = False

    @property
    def actor(self) -> Any:
        return self.app.actor  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        with Vertical(id="review-box"):
            yield Static(Text(f"Review {self.session.reference} · {self.session.location}", style="bold"),
                         id="review-title")
            yield Static("", id="review-summary")
            table: DataTable[Text] = DataTable(id="review-lines", cursor_type="row")
            self._narrow = self.app.size.width < 60  # no product name; the line below the table has it
            columns = ((("SKU", 10), ("cnt", 4), ("exp", 4)) if self._narrow else
                       (("SKU", 10), ("product", 14), ("counted", 7), ("expected", 8), ("diff", 5)))
            for label, width in columns:
                table.add_column(label, width=width)
            inner = min(self.app.size.width, 100) - 4  # the box's border and padding
            table.add_column("reason / note", width=max(6, inner - sum(width + 2 for _, width in columns) - 5))  # room for a scrollbar
            yield table
            yield Static("", id="review-detail")
            approve = " · a approve" if self.actor is not None and self.actor.can(Permission.APPROVE_COUNT) else ""
            yield Static(f"⏎/e reason · r recount · p post{approve} · x abandon · w csv · Esc back", classes="modal-hint")

    def on_mount(self) -> None:
        self.reload()
        self._tick = StaleTick(self, self._reload_if_stale)  # no wakeup while nothing changed

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "approve" and self.actor is not None and not self.actor.can(Permission.APPROVE_COUNT):
            return False  # hidden from operators; the palette cannot reach it either
        return True

    # -- showing -----------------------------------------------------------------------------

    def reload(self) -> None:
        actor, ref, settings = self.actor, self.session.reference, self.app.settings  # type: ignore[attr-defined]
        call_service(self, lambda s: counts.review(s, actor, ref, settings), self._show, group="review",
                     exclusive=True)

    def _show(self, review: counts.Review) -> None:
        self.review, self.session = review, review.session
        table = self.query_one("#review-lines", DataTable)
        keep = table.cursor_row
        table.clear()
        self.keys = []
        for group in counts.GROUPS:
            members = [line for line in review.lines if line.group == group]
            size = str(len(members)) if self._narrow else f"{len(members)} line(s)"
            header = [Text(group.upper(), style="bold"), Text(size, style="bold")]
            table.add_row(*header, *(Text("") for _ in range(len(table.columns) - 2)))
            self.keys.append(None)
            for line in members:
                table.add_row(*self._cells(line))
                self.keys.append(line)
        first = next((n for n, line in enumerate(self.keys) if line is not None), 0)
        table.move_cursor(row=keep if 0 < keep < len(self.keys) and self.keys[keep] else first)
        self._summary()
        self._detail()

    def _cells(self, line: counts.ReviewLine) -> list[Text]:
        diff = f"{line.difference:+d}" if line.difference else ""
        if line.difference and not line.reason:
            reason = Text("reason?", style=style(self.app, "danger"))
        else:
            reason = Text(line.reason)
        if line.moved_from:
            reason.append(f" moved? {line.moved_from}", style=style(self.app, "warn"))
        reason.overflow, reason.no_wrap = "ellipsis", True
        if self._narrow:
            return [Text(line.sku), Text(str(line.counted)), Text(str(line.expected)), reason]
        return [Text(line.sku), Text(line.name, overflow="ellipsis", no_wrap=True), Text(str(line.counted)),
                Text(str(line.expected)), Text(diff), reason]

    def _summary(self) -> None:
        assert self.review is not None
        lines = self.review.lines
        groups = " · ".join(f"{g} {sum(1 for x in lines if x.group == g)}" for g in counts.GROUPS)
        unexplained = sum(1 for x in lines if x.difference and not x.reason)
        waiting = sum(1 for x in lines if x.needs_approval)
        parts = [groups, f"{unexplained} without reason"]
        if waiting:
            by = self.session.approved_by
            parts.append(f"approved by {by}" if by else f"{waiting} need approval")
        self.query_one("#review-summary", Static).update(" · ".join(parts))

    def _current(self) -> counts.ReviewLine | None:
        row = self.query_one("#review-lines", DataTable).cursor_row
        return self.keys[row] if 0 <= row < len(self.keys) else None

    def _detail(self) -> None:
        line = self._current()
        if line is None:
            self._say("")
            return
        words = [f"{line.sku} {line.name}: counted {line.counted}, expected {line.expected}"]
        if line.difference:
            words.append(f"reason: {line.reason or 'none yet'}")
        if line.moved_from:
            words.append(f"moved? the ledger has it at {line.moved_from}")
        if line.needs_approval:
            words.append("needs a manager's approval")
        self._say(" · ".join(words))

    def _say(self, message: str, *, bad: bool = False) -> None:
        text = Text(("✖ " if bad else "") + message, style=style(self.app, "danger") if bad else "")
        self.query_one("#review-detail", Static).update(text)
        if bad:
            self.app.bell()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._detail()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_reason()

    # -- acting -----------------------------------------------------------------------------------

    def _call(self, call: Callable[[Any], Any], done: Callable[[Any], Any]) -> None:
        call_service(self, call, done, group="review-act", failed=self._refused, toast_refusals=False)

    def _refused(self, error: InvtuiError | None) -> None:
        self._say(error.message if error else "Not done", bad=True)

    def action_reason(self) -> None:
        line = self._current()
        if line is None:
            return
        if not line.difference:
            self._say(f"{line.sku} matches: no reason needed")
            return
        actor, ref = self.actor, self.session.reference
        suggested = line.reason or ("moved" if line.moved_from else "")

        def chosen(typed: str | None) -> None:
            if typed:
                why = REASON_KEYS.get(typed, typed)
                self._call(lambda s: counts.set_reason(s, actor, ref, line.sku, why), lambda _: self.reload())

        self.app.push_screen(AskModal(f"Reason for {line.sku}: counted {line.counted}, expected {line.expected}",
                                      REASON_HINT, suggested, _reason_problem), chosen)

    def action_recount(self) -> None:
        line = self._current()
        if line is None:
            return
        actor, ref = self.actor, self.session.reference

        def counted(typed: str | None) -> None:
            if typed is not None:
                self._call(lambda s: counts.set_quantity(s, actor, ref, line.sku, int(typed)),
                           lambda _: self.reload())

        self.app.push_screen(AskModal(f"Recount {line.sku} {line.name}", "How many are there? Enter saves, "
                                      "Escape keeps the count", "", _quantity_problem), counted)

    def action_approve(self) -> None:
        actor, ref = self.actor, self.session.reference
        if not actor.can(Permission.APPROVE_COUNT):
            self._say(f"Role {actor.role.value} cannot {Permission.APPROVE_COUNT.words}", bad=True)
            return
        self._call(lambda s: counts.approve(s, actor, ref), lambda _: self.reload())

    def action_post(self) -> None:
        if self.review is None:
            return
        diffs = self.review.differences
        unexplained = [line.sku for line in diffs if not line.reason]
        if unexplained:
            self._say(f"Give a reason for each difference first (e): {', '.join(unexplained[:4])}", bad=True)
            return
        waiting = [line.sku for line in diffs if line.needs_approval]
        if waiting and not self.session.approved_by and not self.actor.can(Permission.APPROVE_COUNT):
            rest = [line for line in diffs if not line.needs_approval and not line.posted]
            if not rest:
                self._say(f"{len(waiting)} difference(s) need a manager's approval first: {', '.join(waiting[:4])}",
                          bad=True)
                return
            # The rest need nobody: post them now, and the waiting ones stay in the open count.
            question = (f"{len(waiting)} difference(s) wait for a manager ({', '.join(waiting[:3])}). "
                        f"Post the other {len(rest)} now? The count stays open for the rest.")
            self.app.push_screen(ConfirmModal(question), lambda yes: self._post(partial=True) if yes else None)
            return
        up = sum(max(line.difference, 0) for line in diffs)
        down = sum(max(-line.difference, 0) for line in diffs)
        ref, where = self.session.reference, self.session.location
        question = (f"Post {ref}: {len(diffs)} adjustment(s) at {where}, +{up} / −{down} units?" if diffs
                    else f"Post {ref}: no differences at {where}; the count closes.")
        self.app.push_screen(ConfirmModal(question), lambda yes: self._post() if yes else None)

    def _post(self, *, partial: bool = False) -> None:
        actor, ref, settings = self.actor, self.session.reference, self.app.settings  # type: ignore[attr-defined]

        def posted(result: counts.PostResult) -> None:
            if result.already_posted:
                self.app.notify(f"{ref} was already posted; nothing written again", title="Count")
            else:
                self.app.notify(f"Posted {ref}: {result.movements} adjustment(s), +{result.units_up} / "
                                f"−{result.units_down} units", title="Count")
            if result.held:
                self.app.notify(f"{ref} stays open: {len(result.held)} difference(s) wait for a manager "
                                f"({', '.join(result.held[:3])})", title="Count", severity="warning")
                self.reload()
                return
            self.dismiss("posted")

        self._call(lambda s: counts.post(s, actor, ref, settings=settings, partial=partial), posted)

    def action_export(self) -> None:
        """The review as CSV, as `invtui count export` writes it: a bare file name in your own
        folder ([files] dir), or a download in a browser; nothing outside your folder is written."""
        from invtui.ui.modals.file_modal import FileNameModal

        app, ref = self.app, self.session.reference

        def chosen(values: dict[str, str] | None) -> None:
            if values:
                self._export(values["name"], replace=False)

        where = "downloaded by your browser" if app.is_web else "saved in your folder"
        app.push_screen(FileNameModal(f"Export the review of {ref} to CSV ({where})",
                                      {"name": f"{ref.lower()}-review.csv"}), chosen)

    def _export(self, name: str, *, replace: bool) -> None:
        app, actor, ref = self.app, self.actor, self.session.reference
        settings = app.settings  # type: ignore[attr-defined]
        if app.is_web:
            def deliver(text: str) -> None:
                app.deliver_binary(io.BytesIO(text.encode("utf-8")), save_filename=name, mime_type="text/csv")
                self._say(f"Your browser downloads {name}")

            self._call(lambda s: count_export.review_csv(s, actor, ref, settings), deliver)
            return
        folder = app.user_folder(actor)  # type: ignore[attr-defined]

        def failed(error: InvtuiError | None) -> None:
            if isinstance(error, FileExists):
                app.push_screen(ConfirmModal(f"{name} already exists in your folder. Replace it?"),
                                lambda yes: self._export(name, replace=True) if yes else self._say(f"Kept the old {name}"))
            else:
                self._refused(error)

        call_service(self, lambda s: count_export.export_to_folder(s, actor, ref, folder, name, replace=replace,
                                                                  settings=settings),
                     lambda rows: self._say(f"Exported {rows} line(s) of {ref} to {name} in your folder"),
                     group="review-export", failed=failed, toast_refusals=False)

    def action_abandon(self) -> None:
        actor, ref = self.actor, self.session.reference

        def answered(yes: bool | None) -> None:
            if yes:
                self._call(lambda s: counts.abandon(s, actor, ref), abandoned)

        def abandoned(_: object) -> None:
            self.app.notify(f"{ref} abandoned: nothing written", title="Count")
            self.dismiss("abandoned")

        self.app.push_screen(AbandonCountModal(f"Abandon {ref}? Nothing is written; its {self.session.lines} "
                                               "counted line(s) are dropped."), answered)

    def action_back(self) -> None:
        self.dismiss(None)

    # -- live ----------------------------------------------------------------------------------------

    def on_event_arrived(self, message: EventArrived) -> None:
        if message.event.kind == "stock.changed" or message.event.kind.startswith("count."):  # type: ignore[attr-defined]
            self._stale = True  # expected quantities of lines not yet counted follow the ledger
            self._tick.poke()

    def _reload_if_stale(self) -> None:
        if self._stale:
            self._stale = False
            self.reload()
