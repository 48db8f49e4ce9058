"""The invtui terminal app: login, screens by number key, live status bar, help and palette.

Blocking work (every service call) runs in thread workers; the LISTEN connection and the sweep
scheduler run in their own threads and talk to the app with thread-safe messages.
"""

from __future__ import annotations

import importlib
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from textual import events
from textual.app import App, SystemCommand
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer

from invtui.config import Settings
from invtui.db.engine import Database
from invtui.db.listener import EventListener
from invtui.db.relay_listener import open_listener
from invtui.domain.events import LISTENER_STATE, RESYNC, Event
from invtui.domain.roles import Actor
from invtui.errors import PermissionDenied
from invtui.keys import keymap
from invtui.services import acting
from invtui.services import status as status_service
from invtui.services import sweep as sweep_service
from invtui.services import csv_export, csv_import
from invtui.services import users
from invtui.services.scheduler import Scheduler
from invtui.ui import size_class
from invtui.ui.ahead import make_ahead
from invtui.ui.tick import StaleTick
from invtui.ui.bindings import bindings_for
from invtui.ui.clock import Clock
from invtui.ui.csv_files import CsvFiles
from invtui.ui.inbox import EventInbox
from invtui.ui.key_order import OrderedKeys
from invtui.ui.memory import freeze_startup_objects
from invtui.ui.messages import EventArrived, EventsQueued, Resynced
from invtui.ui.screen_keys import ScreenKeys
from invtui.ui.screens.alerts import AlertsScreen
from invtui.ui.screens.dashboard import DashboardScreen
from invtui.ui.screens.help import HelpScreen
from invtui.ui.screens.login import LoginScreen
from invtui.ui.service_call import call_service, report_error
from invtui.ui.toasts import ToastThrottle
from invtui.ui.widgets.paged_table import preload_css
from invtui.ui.widgets.status_bar import StatusInfo

log = logging.getLogger(__name__)

SCREENS_BY_KEY = {"dashboard": "Dashboard", "alerts": "Alerts", "inventory": "Inventory",
                  "purchase_orders": "Purchase orders", "catalog": "Catalog", "notifications": "Notifications"}
# After sign-in, the stock list is made ahead of its key (ui/ahead.py) this much later.
AHEAD_SECONDS = 1.0
# Actions that need a signed-in operator; on the login screen they are hidden and inert.
SIGNED_IN_ACTIONS = {"go", "help", "check_now", "background"}


def _screen(module: str, name: str) -> Callable[[], Screen[Any]]:
    """A mode's screen, imported when the mode is first opened: the screens that write (stock,
    purchase orders, catalog, notifications) load the ORM and the models, which an app idle on
    the dashboard or the alerts list does without (issue 15)."""

    def make() -> Screen[Any]:
        screen: type[Screen[Any]] = getattr(importlib.import_module(f"invtui.ui.screens.{module}"), name)
        return screen()

    return make


class InvtuiApp(CsvFiles, ScreenKeys, OrderedKeys, App[None]):  # type: ignore[misc]
    CSS_PATH = ["app.tcss", "widgets/paged_table.tcss"]
    TITLE = "invtui"
    MODES = {
        "login": LoginScreen,
        "dashboard": DashboardScreen,
        "alerts": AlertsScreen,
        "inventory": _screen("inventory", "InventoryScreen"),
        "purchase_orders": _screen("purchase_orders", "PurchaseOrdersScreen"),
        "catalog": _screen("catalog", "CatalogScreen"),
        "notifications": _screen("notifications", "NotificationsScreen"),
    }
    DEFAULT_MODE = "login"
    # `-compact` under 60 columns (handheld scanners), `-narrow` under 80, `-short` under 24 rows.
    HORIZONTAL_BREAKPOINTS = size_class.HORIZONTAL_BREAKPOINTS
    VERTICAL_BREAKPOINTS = size_class.VERTICAL_BREAKPOINTS
    BINDINGS = bindings_for("app")

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
        self.live_since: float | None = None  # when the listener first listened (monotonic): live from then on
        self.scheduler: Scheduler | None = None
        # Shared terminals get left signed in: cover the screen after this long without a key.
        self._lock_timer: Timer | None = None
        self._idle_lock_seconds = settings.idle_lock_minutes * 60
        self.last_key_at = time.monotonic()
        self.locked = False
        self._counts_stale = True
        self._counts_tick = StaleTick(self, self._refresh_counts_if_stale)
        # The config file's [keys] remaps, checked against the registry; refused ones keep their defaults.
        self.keymap = keymap.resolve(settings.keys)
        self.set_keymap(self.keymap.remaps)
        self.toasts = ToastThrottle(self.notify)
        self.inbox = EventInbox(lambda: self.post_message(EventsQueued()))

    # -- signing in -------------------------------------------------------------------------

    def on_mount(self) -> None:
        preload_css(self)
        if self.keymap.message:
            log.warning("%s", self.keymap.message)
            self.notify(self.keymap.message, title="Keys", severity="warning", timeout=30)
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
        freeze_startup_objects()
        if self.live:
            self.listener = open_listener(self.db, self.inbox.put, relay=self.settings.events_relay)
            self.listener.start()
            # The sweep runs in every app (APScheduler, in its own thread), unless any process swept
            # within the interval; the advisory lock makes one of two racing apps skip. Results reach
            # everyone as events.
            self.scheduler = Scheduler(self.db, self.settings, run_at_start=False, defer_to_others=True)
            self.scheduler.start()
        self.refresh_counts()
        # Badges follow events, but at most once a second however many arrive; so do held-back toasts.
        # (A tick poked by events: an idle app does not wake for it.)
        self.last_key_at = time.monotonic()
        self._lock_later()
        self.set_timer(AHEAD_SECONDS, lambda: make_ahead(self))  # once the dashboard's first loads are over

    # -- idle lock --------------------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self.last_key_at = time.monotonic()  # every key counts, whoever handles it
        await super().on_event(event)

    @property
    def idle_lock_seconds(self) -> int | float:
        """Seconds without a key before the screen locks; 0: never."""
        return self._idle_lock_seconds

    @idle_lock_seconds.setter
    def idle_lock_seconds(self, seconds: int | float) -> None:
        self._idle_lock_seconds = seconds
        if self.actor is not None:
            self._lock_later()

    def _lock_later(self) -> None:
        """Look again when the idle time would be up, counted from the last key (not every second)."""
        if self._lock_timer is not None:
            self._lock_timer.stop()
            self._lock_timer = None
        if self.idle_lock_seconds:
            left = self.last_key_at + self.idle_lock_seconds - time.monotonic()
            self._lock_timer = self.set_timer(max(0.05, left), self._lock_if_idle)

    def _lock_if_idle(self) -> None:
        self._lock_timer = None
        if self.locked or self.actor is None or not self.idle_lock_seconds:
            return
        if time.monotonic() - self.last_key_at < self.idle_lock_seconds:
            self._lock_later()  # a key came since: the time is up later
        else:
            from invtui.ui.screens.lock import LockScreen

            self.locked = True
            log.info("screen locked after %s s idle", self.idle_lock_seconds)
            self.push_screen(LockScreen(self.actor.username), lambda _: self._unlocked())

    def _unlocked(self) -> None:
        self.locked = False
        self.last_key_at = time.monotonic()
        self._lock_later()

    def on_unmount(self) -> None:
        if self.listener is not None:
            self.listener.stop()
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)

    # -- live events ------------------------------------------------------------------------

    def on_events_queued(self, _message: EventsQueued) -> None:
        screen_kinds: set[str] = set()  # screens look at the kind only: one of each kind a batch
        for event in self.inbox.take():
            if self._take_event(event) and event.kind not in screen_kinds:
                screen_kinds.add(event.kind)
                self.screen.post_message(EventArrived(event))

    def _take_event(self, event: Event) -> bool:
        """Status bar, toasts and badges for one event; True if the screen should hear of it."""
        if not self.screen_stack:  # shutting down: the screens are gone, the event no longer matters
            return False
        if event.kind == LISTENER_STATE:
            self._show_db_state(event)
            if self.live_since is None and event.get("state") == "connected":
                self.live_since = time.monotonic()
                self._resync()  # changes made before the LISTEN was in place were never heard of
            return False
        if event.kind == RESYNC:
            self.notify("Database connection is back; screens reloaded.", title="Reconnected")
            self._resync()
            return False
        if event.kind == "user.changed" and self.actor is not None and event.id == self.actor.id:
            self.recheck_actor()
        if self.actor is None or not event.visible_to(self.actor):
            return False
        if event.kind == "sweep.finished":  # its alerts, if any, come as alert.* events of their own
            self._show_sweep(event)
            return False
        self.toasts.event(event)
        self._counts_stale = True
        self._counts_tick.poke()
        return True

    def _resync(self) -> None:
        """Reload what the screens and the status bar show: events may have been missed.

        After a reconnect (the toast says so), and quietly once the listener first listens: the
        screens loaded at sign-in, before the LISTEN (or the box's relay, which an app may have
        to start) was in place, so a change committed in that gap reached nobody.
        """
        self.refresh_counts()
        self.screen.post_message(Resynced())
        self.recheck_actor()  # a user.changed for us may have been lost with the connection

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

    # -- status bar -------------------------------------------------------------------------

    def _set_status(self, **changes: object) -> None:
        status = StatusInfo(**{**self.status.__dict__, **changes})
        if status != self.status:  # an idle app redraws nothing
            self.status = status

    def _show_sweep(self, event: Event) -> None:
        """The status bar's last / next sweep from the event itself: no query, no screen reload."""
        if event.get("skipped"):
            return  # nothing ran; the bar keeps the last sweep that did
        summary = "failed" if event.get("error") else \
            f"+{event.get('created', 0)}/^{event.get('escalated', 0)}/✓{event.get('resolved', 0)}"
        upcoming = self.scheduler.next_run_time if self.scheduler is not None else None
        self._set_status(last_sweep=f"{self.clock.local(event.at)} {summary}",
                         next_sweep=self.clock.local(upcoming) if upcoming else "—")

    def _refresh_counts_if_stale(self) -> None:
        self.toasts.flush()
        if self._counts_stale:
            self.refresh_counts()

    def refresh_counts(self) -> None:
        actor = self.actor
        if actor is None:
            return
        self._counts_stale = False

        def show(counts: status_service.StatusCounts) -> None:
            sweep = counts.last_sweep or status_service.SweepCounts()
            last = self.clock.local(counts.last_sweep_at) if counts.last_sweep_at is not None else "—"
            upcoming = self.scheduler.next_run_time if self.scheduler is not None else None
            self._set_status(open_alerts=counts.open_alerts, out_alerts=counts.out_alerts,
                             acknowledged_alerts=counts.acknowledged_alerts, unread=counts.unread,
                             last_sweep=last, sweep_new=sweep.created, sweep_escalated=sweep.escalated,
                             sweep_resolved=sweep.resolved, sweep_failed=sweep.failed,
                             next_sweep=self.clock.local(upcoming) if upcoming else "—")

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

        from invtui.ui.modals.confirm_modal import ConfirmModal

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

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """The palette lists every screen and every action of the current screen by name."""
        if self.actor is not None:
            for mode, title in SCREENS_BY_KEY.items():
                yield SystemCommand(f"Go to {title}", f"Open the {title.lower()} screen",
                                    lambda mode=mode: self.action_go(mode))
            yield SystemCommand("Audit trail", "Who did what: stock, alerts, purchase orders, users",
                                self.action_audit)
            yield SystemCommand("Background sweeps", "Last sweep runs and the next one", self.action_background)
            for kind in csv_export.EXPORT_KINDS:
                yield SystemCommand(f"Export {kind} to CSV", f"Every {kind} row as CSV, by file name into your folder (a download in a browser)",
                                    lambda kind=kind: self.csv_export(kind))
            for kind in csv_import.IMPORT_KINDS:
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
