"""The invtui terminal app: login, screens by number key, live status bar, help and palette.

Blocking work (every service call) runs in thread workers; the LISTEN connection and the sweep
scheduler run in their own threads and talk to the app with thread-safe messages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen

from invtui.domain.alerts import LABELS as ALERT_LABELS
from invtui.config import Settings
from invtui.db.engine import Database
from invtui.db.listener import EventListener
from invtui.domain.events import LISTENER_STATE, RESYNC, Event
from invtui.domain.roles import Actor
from invtui.errors import InvtuiError, PermissionDenied
from invtui.services import acting
from invtui.services import status as status_service
from invtui.services import sweep as sweep_service
from invtui.services import transfer
from invtui.services.files import FileExists, UserFolder
from invtui.services.scheduler import Scheduler
from invtui.services import users
from invtui.ui.clock import Clock
from invtui.ui.key_order import OrderedKeys
from invtui.ui.messages import EventArrived, Resynced
from invtui.ui.screens.alerts import AlertsScreen
from invtui.ui.screens.catalog import CatalogScreen
from invtui.ui.screens.dashboard import DashboardScreen
from invtui.ui.screens.help import HelpScreen
from invtui.ui.screens.inventory import InventoryScreen
from invtui.ui.screens.login import LoginScreen
from invtui.ui.screens.notifications import NotificationsScreen
from invtui.ui.screens.purchase_orders import PurchaseOrdersScreen
from invtui.ui.service_call import call_service, report_error
from invtui.ui.widgets.status_bar import StatusInfo

log = logging.getLogger(__name__)

SCREENS_BY_KEY = {"dashboard": "Dashboard", "alerts": "Alerts", "inventory": "Inventory",
                  "purchase_orders": "Purchase orders", "catalog": "Catalog", "notifications": "Notifications"}
# Actions that need a signed-in operator; on the login screen they are hidden and inert.
SIGNED_IN_ACTIONS = {"go", "help", "check_now", "background"}


class InvtuiApp(OrderedKeys, App[None]):  # type: ignore[misc]
    CSS_PATH = "app.tcss"
    TITLE = "invtui"
    MODES = {
        "login": LoginScreen,
        "dashboard": DashboardScreen,
        "alerts": AlertsScreen,
        "inventory": InventoryScreen,
        "purchase_orders": PurchaseOrdersScreen,
        "catalog": CatalogScreen,
        "notifications": NotificationsScreen,
    }
    DEFAULT_MODE = "login"
    BINDINGS = [
        Binding("1", "go('dashboard')", "Dash", show=False),
        Binding("2", "go('alerts')", "Alerts", show=False),
        Binding("3", "go('inventory')", "Stock", show=False),
        Binding("4", "go('purchase_orders')", "POs", show=False),
        Binding("5", "go('catalog')", "Catalog", show=False),
        Binding("6", "go('notifications')", "Notes", show=False),
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("b", "background", "Sweeps", show=False),
        # `c` means "run a sweep now" on every screen; no screen binds it to anything else.
        Binding("c", "check_now", "Check now", show=False),
        Binding("q", "quit", "Quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),  # Textual's, without its long tooltip
    ]

    status: reactive[StatusInfo] = reactive(StatusInfo, always_update=True)

    def __init__(
        self,
        *,
        settings: Settings,
        db: Database,
        username: str | None = None,
        trusted: bool = False,
        clock: Clock | None = None,
        live: bool = True,
        client_address: str | None = None,
    ) -> None:
        """`trusted` signs `username` in without a password (demo, `auth.trust_os_user`).

        `client_address` is the browser's address when `invtui serve` runs this app for a tab:
        failed logins then slow that address down instead of locking the account.

        `live=False` runs without the listener and the scheduler (snapshot tests only).
        """
        super().__init__()
        self.settings = settings
        self.db = db
        self.trusted_username = username if trusted else None
        self.client_address = client_address
        self.clock = clock or Clock()
        self.live = live
        self.actor: Actor | None = None
        self.listener: EventListener | None = None
        self.scheduler: Scheduler | None = None
        # Shared terminals get left signed in: cover the screen after this long without a key.
        self.idle_lock_seconds = settings.idle_lock_minutes * 60
        self.last_key_at = time.monotonic()
        self.locked = False
        self._counts_stale = True

    # -- signing in -------------------------------------------------------------------------

    def on_mount(self) -> None:
        if self.trusted_username:
            name = self.trusted_username
            call_service(self, lambda session: users.actor_for(session, name), self.signed_in)

    def signed_in(self, actor: Actor) -> None:
        """Called on the event loop once the operator is known: open the dashboard, go live."""
        self.actor = actor
        # Signing in just reached the database; the listener reports any change from here on.
        self._set_status(user=actor.username, role=actor.role.value, db_state="connected")
        log.info("signed in as %s (%s)", actor.username, actor.role.value)
        self.switch_mode("dashboard")
        self.refresh_bindings()
        if self.live:
            self.listener = EventListener.for_database(self.db, lambda event: self.post_message(EventArrived(event)))
            self.listener.start()
            # The sweep runs in every app (APScheduler, in its own thread); the advisory lock makes
            # one of several apps sweep and the others skip. Results reach everyone as events.
            self.scheduler = Scheduler(self.db, self.settings, run_at_start=False)
            self.scheduler.start()
        self.refresh_counts()
        # Badges follow events, but at most once a second however many arrive.
        self.set_interval(1.0, self._refresh_counts_if_stale)
        self.last_key_at = time.monotonic()
        self.set_interval(1.0, self._lock_if_idle)

    # -- idle lock --------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_key_at = time.monotonic()  # every key counts, whoever handles it
        await super().on_event(event)

    def _lock_if_idle(self) -> None:
        if self.locked or self.actor is None or not self.idle_lock_seconds:
            return
        if time.monotonic() - self.last_key_at >= self.idle_lock_seconds:
            from invtui.ui.screens.lock import LockScreen

            self.locked = True
            log.info("screen locked after %s s idle", self.idle_lock_seconds)
            self.push_screen(LockScreen(self.actor.username), lambda _: self._unlocked())

    def _unlocked(self) -> None:
        self.locked = False
        self.last_key_at = time.monotonic()

    def on_unmount(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)

    # -- live events ------------------------------------------------------------------------

    def on_event_arrived(self, message: EventArrived) -> None:
        event: Event = message.event  # type: ignore[assignment]
        if not self.screen_stack:  # shutting down: the screens are gone, the event no longer matters
            return
        if event.kind == LISTENER_STATE:
            self._show_db_state(event)
            return
        if event.kind == RESYNC:
            self.notify("Database connection is back; screens reloaded.", title="Reconnected")
            self._counts_stale = True
            self.screen.post_message(Resynced())
            self.recheck_actor()  # a user.changed for us may have been lost with the connection
            return
        if event.kind == "user.changed" and self.actor is not None and event.id == self.actor.id:
            self.recheck_actor()
        if self.actor is None or not event.visible_to(self.actor):
            return
        self._toast(event)
        self._counts_stale = True
        self.screen.post_message(EventArrived(event))

    def recheck_actor(self) -> None:
        """Re-read who is signed in: disabled ends the app with one line, a new role applies at once."""
        actor = self.actor
        if actor is None:
            return

        def still_active(fresh: Actor) -> None:
            if fresh.role != actor.role and self.actor is not None:
                self.actor = fresh
                self._set_status(role=fresh.role.value)
                log.info("role of %s changed to %s", fresh.username, fresh.role.value)
                self.notify(f"Your role is now {fresh.role.value}.", title="Role changed", severity="warning")
                self.refresh_bindings()
                self.screen.post_message(Resynced())

        def refused(error: object) -> None:
            if isinstance(error, PermissionDenied):
                log.info("signed out: %s", error.message)
                self.exit(return_code=1, message=f"invtui: {error.message}")

        call_service(self, lambda session: acting.current(session, actor), still_active, failed=refused,
                     toast_refusals=False, group="whoami", exclusive=True)

    def _show_db_state(self, event: Event) -> None:
        state = str(event.get("state", ""))
        if state == "connected":
            self._set_status(db_state="connected", db_detail="")
            return
        retry = event.get("retry_in")
        detail = f"retrying in {round(float(retry))} s" if retry is not None else "retrying"
        self._set_status(db_state="unreachable", db_detail=detail)

    def _toast(self, event: Event) -> None:
        """Warning for new or escalated alerts, success for resolved ones, info for personal notes."""
        if event.kind in ("alert.created", "alert.escalated"):
            what = ALERT_LABELS.get(str(event.get("alert_type")), "LOW STOCK")
            quantity = event.get("current_quantity")
            left = f", {quantity} left" if quantity is not None else ""
            self.notify(f"{what}: {event.get('name', event.get('sku', '?'))} at {event.get('location', '?')}{left}",
                        title="Stock alert", severity="warning", timeout=8)
        elif event.kind == "alert.resolved" and event.user_id is None:
            self.notify(f"Back in stock: {event.get('name', event.get('sku', '?'))} at {event.get('location', '?')}",
                        title="Alert resolved", severity="information", timeout=5)
        elif event.kind == "notification.created" and event.for_user is not None:
            self.notify(str(event.get("title", "New notification")), title="For you", timeout=8)

    # -- status bar -------------------------------------------------------------------------

    def _set_status(self, **changes: object) -> None:
        self.status = StatusInfo(**{**self.status.__dict__, **changes})

    def _refresh_counts_if_stale(self) -> None:
        if self._counts_stale:
            self.refresh_counts()

    def refresh_counts(self) -> None:
        actor = self.actor
        if actor is None:
            return
        self._counts_stale = False

        def show(counts: status_service.StatusCounts) -> None:
            last = "—"
            if counts.last_sweep_at is not None:
                last = f"{self.clock.local(counts.last_sweep_at)} {counts.last_sweep_summary}".strip()
            upcoming = self.scheduler.next_run_time if self.scheduler is not None else None
            self._set_status(open_alerts=counts.open_alerts, out_alerts=counts.out_alerts, unread=counts.unread,
                             last_sweep=last, next_sweep=self.clock.local(upcoming) if upcoming else "—")

        call_service(self, lambda session: status_service.counts(session, actor), show, group="counts",
                     exclusive=True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in SIGNED_IN_ACTIONS and (self.actor is None or self.locked):
            return False
        if self.locked and action in ("quit", "command_palette"):
            return False  # the lock screen offers its own key only
        if action == "go" and parameters and parameters[0] == self.current_mode:
            return False  # the key of the screen you are on: hidden, the footer has no room to spare
        return True

    # -- actions ----------------------------------------------------------------------------

    def action_go(self, mode: str) -> None:
        if self.current_mode != mode:
            self.switch_mode(mode)

    async def action_quit(self) -> None:
        """`q`: quit, but ask first if something typed into a form would be lost."""
        from textual.widgets import Input

        from invtui.ui.widgets.confirm_modal import ConfirmModal

        typed = [i for screen in self.screen_stack for i in screen.query(Input)
                 if i.value.strip() and not isinstance(screen, LoginScreen) and "search" not in (i.id or "")]
        if not typed:
            self.exit()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.exit()

        self.push_screen(ConfirmModal("You have typed into a form that is not saved. Quit anyway?"), answered)

    def action_check_now(self) -> None:
        """`c`: one full sweep now, in a worker; its counts come back as a toast."""
        actor = self.actor
        if actor is None:
            return
        self.notify("Checking stock levels…", timeout=2)

        def swept(run: sweep_service.SweepRun) -> None:
            from invtui.ui.screens.background import BackgroundScreen

            self.notify(f"Sweep {run.summary}", title="Check now", severity="warning" if run.error else "information")
            self.refresh_counts()
            for screen in self.screen_stack:  # the `b` panel lists the run it just made
                if isinstance(screen, BackgroundScreen):
                    screen.reload()

        keep_days, settings = self.settings.sweep_keep_days, self.settings
        call_service(self, lambda session: sweep_service.run_full_sweep(self.db, "manual", actor=actor,
                                                                        keep_days=keep_days, settings=settings),
                     swept, group="check-now", exclusive=True)

    # -- CSV from the palette (the same services as `invtui export` / `invtui import`) ------
    # Inside the app a file is a bare name in the user's own folder ([files] dir/USERNAME), never
    # a path; in a browser an export is a download. The CLI keeps full paths.

    def user_folder(self, actor: Actor) -> UserFolder:
        return UserFolder(self.settings.files_path, actor.username)

    def csv_export(self, kind: str) -> None:
        from invtui.ui.widgets.file_modal import FileNameModal

        actor = self.actor
        default = f"invtui-{kind}-{self.clock.now():%Y%m%d-%H%M}.csv"
        where = "downloaded by your browser" if self.is_web else "saved in your folder"

        def chosen(values: dict[str, str] | None) -> None:
            if not values or actor is None:
                return
            name = values["name"]
            if self.is_web:
                self._download_export(actor, kind, name)
                return
            try:
                taken = self.user_folder(actor).exists(name)
            except InvtuiError as exc:
                report_error(self, exc)
                return
            if taken:
                self._ask_to_replace(actor, kind, name)
            else:
                self._export_to_folder(actor, kind, name, replace=False)

        self.push_screen(FileNameModal(f"Export {kind} to CSV ({where})", {"name": default}), chosen)

    def _export_to_folder(self, actor: Actor, kind: str, name: str, *, replace: bool) -> None:
        def failed(error: object) -> None:
            if isinstance(error, FileExists):  # someone wrote the name meanwhile: ask, as for any existing file
                self._ask_to_replace(actor, kind, name)
            elif isinstance(error, InvtuiError):
                report_error(self, error)

        call_service(self, lambda s: transfer.export_to_folder(s, actor, kind, self.user_folder(actor), name,
                                                               replace=replace),
                     lambda rows: self.notify(f"Exported {rows:,} {kind} rows to {name} in your folder",
                                              title="Export"),
                     group="csv", failed=failed, toast_refusals=False)

    def _ask_to_replace(self, actor: Actor, kind: str, name: str) -> None:
        from invtui.ui.widgets.confirm_modal import ConfirmModal

        def answered(replace: bool | None) -> None:
            if replace:
                self._export_to_folder(actor, kind, name, replace=True)
            else:
                self.notify(f"Kept the old {name}; nothing was written", title="Export")

        self.push_screen(ConfirmModal(f"{name} already exists in your folder. Replace it?"), answered)

    def _download_export(self, actor: Actor, kind: str, name: str) -> None:
        """Browser mode: the export goes to the person's browser as a download, never to a server file."""

        def deliver(result: tuple[int, Any]) -> None:
            rows, data = result
            self.deliver_binary(data, save_filename=name, mime_type="text/csv")
            self.notify(f"Exported {rows:,} {kind} rows; your browser downloads {name}", title="Export")

        call_service(self, lambda s: transfer.export_download(s, actor, kind), deliver, group="csv")

    def csv_import(self, kind: str) -> None:
        from invtui.ui.widgets.file_modal import FileNameModal

        actor = self.actor
        if actor is None:
            return
        try:
            available = self.user_folder(actor).names()
        except InvtuiError as exc:
            report_error(self, exc)
            return

        def chosen(values: dict[str, str] | None) -> None:
            if values and actor is not None:
                name, dry = values["name"], values.get("dry_run", "").lower() in ("y", "yes")
                call_service(self, lambda s: transfer.import_from_folder(s, actor, kind, self.user_folder(actor),
                                                                         name, dry_run=dry),
                             lambda report: self.notify(report.summary(), title="Import"), group="csv",
                             failed=self._import_refused, toast_refusals=False)

        title = f"Import {kind} from CSV in your folder ({len(available)} file{'s' if len(available) != 1 else ''})"
        self.push_screen(FileNameModal(title, {"name": available[-1] if len(available) == 1 else ""},
                                       choices=available, dry_run=True), chosen)

    def _import_refused(self, error: object) -> None:
        report = getattr(error, "report", None)
        lines = [str(e) for e in report.errors[:5]] if report is not None else []
        more = f"\n+{len(report.errors) - 5} more (see `invtui import --dry-run`)" if report and len(report.errors) > 5 else ""
        message = getattr(error, "message", "Import failed")
        self.notify("\n".join([message, *lines]) + more, title="Import refused", severity="warning", timeout=15)

    def action_audit(self) -> None:
        from invtui.ui.screens.audit import AuditScreen

        self.push_screen(AuditScreen())

    def action_background(self) -> None:
        from invtui.ui.screens.background import BackgroundScreen

        self.push_screen(BackgroundScreen())

    def open_alerts(self, *, alert_type: str | None = None) -> None:
        """Show the alerts screen, filtered to one alert type (from the dashboard's bars)."""
        self.switch_mode("alerts")
        screen = self.screen
        if isinstance(screen, AlertsScreen):
            screen.show_type(alert_type)

    def action_help(self) -> None:
        screen = self.screen
        pairs = [(keys, name) for keys, name, _node, _action in self.screen_keys(screen)]
        self.push_screen(HelpScreen(screen.sub_title or screen.title or "invtui", pairs))

    def screen_keys(self, screen: Screen[Any]) -> list[tuple[str, str, Any, str]]:
        """(keys, full name, node, action) of every action a key reaches on `screen`, each once.

        Keys of one action share a row ("← h ↑  Prev bar"). Textual's own widgets bring cursor
        keys everyone knows and are left out, except Enter, which says what it does on this
        screen (`ENTER_HELP`: "Open the PO").
        """
        rows: dict[tuple[int, str], list[Any]] = {}
        for key, active in screen.active_bindings.items():
            binding = active.binding
            action = binding.action.split(".")[-1]
            if key == "enter" and type(active.node).__module__.startswith("textual."):
                enter_help = getattr(screen, "ENTER_HELP", "")
                if enter_help:
                    rows[(id(screen), "enter")] = ["⏎", enter_help, screen, ""]
                continue
            generic = action in ("focus_next", "focus_previous", "copy_text")
            if type(active.node).__module__.startswith("textual.") or generic or not binding.description:
                continue
            group = (id(active.node), binding.action)
            if group in rows:
                rows[group][0] += " " + self.get_key_display(binding)
            else:
                rows[group] = [self.get_key_display(binding), _full_name(binding), active.node, binding.action]
        return [tuple(row) for row in rows.values()]  # type: ignore[misc]

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette lists every screen and every action of the current screen by name."""
        if self.actor is not None:
            for mode, title in SCREENS_BY_KEY.items():
                yield SystemCommand(f"Go to {title}", f"Open the {title.lower()} screen",
                                    lambda mode=mode: self.action_go(mode))
            yield SystemCommand("Audit trail", "Who did what: stock, alerts, purchase orders, users",
                                self.action_audit)
            yield SystemCommand("Background sweeps", "Last sweep runs and the next one", self.action_background)
            for kind in transfer.EXPORT_KINDS:
                yield SystemCommand(f"Export {kind} to CSV", f"Every {kind} row as CSV, by file name into your folder (a download in a browser)",
                                    lambda kind=kind: self.csv_export(kind))
            for kind in transfer.IMPORT_KINDS:
                yield SystemCommand(f"Import {kind} from CSV", "A CSV file of your folder, all or nothing; every bad row is listed",
                                    lambda kind=kind: self.csv_import(kind))
            for keys, name, node, action in self.screen_keys(screen):
                # Textual's own list below has quit and the palette; the screens are listed above.
                if not action or action.startswith("go(") or action in ("quit", "command_palette"):
                    continue
                yield SystemCommand(name, f"key {keys}", lambda node=node, action=action: self._run(node, action))
        yield from super().get_system_commands(screen)

    def _run(self, node: Any, action: str) -> None:
        self.run_worker(node.run_action(action), exit_on_error=False)

    def _handle_exception(self, error: Exception) -> None:
        # Last resort: log the traceback to the log file before Textual shuts the app down.
        log.critical("unhandled exception in the app", exc_info=error)
        super()._handle_exception(error)

    def report(self, exc: BaseException) -> None:
        report_error(self, exc)


def _full_name(binding: Binding) -> str:
    """A footer label may be short ("Xfer") to fit 80 columns; help and palette say it in full."""
    return binding.tooltip or binding.description
