"""What every signed-in screen has: header, status bar, footer, and the service-call helper."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import events
from textual._context import NoActiveAppError
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widget import Widget

from invtui.services.tx import ServiceSession
from invtui.ui.messages import EventArrived, Resynced
from invtui.ui.service_call import call_service
from invtui.ui.size_class import LayoutAware, layout_for
from invtui.ui.widgets.fitting_footer import FittingFooter
from invtui.ui.widgets.nav_bar import NavBar
from invtui.ui.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from invtui.ui.app import InvtuiApp

T = TypeVar("T")


class BaseScreen(LayoutAware, Screen[None]):
    """A signed-in screen. Subclasses compose `body()` and implement `reload()`."""

    TITLE_TEXT = ""
    MODE = ""  # the app mode this screen is shown in (highlighted in the nav bar)
    # True when `reload()` touches no widget that `compose` makes (a ShowsPagedList screen: its
    # table, made in `__init__`, loads once mounted): the query then starts as the screen is
    # shown and runs while it is drawn, instead of after its first refresh.
    RELOAD_EARLY: ClassVar[bool] = False

    def __init__(self) -> None:
        super().__init__()
        # A screen made now has no styles to bring up to date: it gets the current CSS as it
        # mounts. Without this Textual re-parses every stylesheet twice on the first switch to
        # a mode's screen (its count starts at -1), ~0.1-0.2 s of the `3` key on a quiet machine
        # (issue 15); a theme changed later still refreshes screens made before it.
        try:
            self._css_update_count = self.app._css_update_count
        except NoActiveAppError:
            pass
        self._resume_pending = False
        self._suspended_once = False

    @property
    def invtui(self) -> InvtuiApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        self.size_layout = layout_for(self.app.size.width)  # the layout `body()` builds its tables for
        yield NavBar(self.MODE)
        yield from self.body()
        yield StatusBar()
        yield FittingFooter()

    def body(self) -> Iterable[Widget]:
        return ()

    def on_mount(self) -> None:
        self.sub_title = self.TITLE_TEXT

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        # Until the screen is first hidden its widgets have the styles they mounted with, from
        # the CSS in force now: restyling them all as a screen made ahead (ui/ahead.py) is
        # first shown (Textual's handler, which runs after this one) would cost what making it
        # ahead saved. A screen shown again after another one is restyled as Textual does.
        if not self._suspended_once and self._css_update_count == self.app._css_update_count:
            event.refresh_styles = False
        # Every time the screen is shown, its data is fetched again. After a refresh, because
        # a screen shown for the first time may be resumed before its widgets are mounted.
        self._check_layout(self.app.size.width)  # the terminal may have resized while it was hidden
        if self.invtui.actor is None or self._resume_pending:
            return  # Textual resumes a mode's screen twice as it first shows it: one load
        self._resume_pending = True
        if self.RELOAD_EARLY:
            self.reload()
        self.call_after_refresh(self._resumed)

    def on_screen_suspend(self) -> None:
        self._suspended_once = True

    def _resumed(self) -> None:
        self._resume_pending = False
        if not self.RELOAD_EARLY:
            self.reload()

    def reload(self) -> None:
        """Load (again) everything the screen shows, from the services, in workers."""

    def on_event_arrived(self, message: EventArrived) -> None:
        """Somebody changed something; screens that show it refresh (throttled by subclasses)."""

    def on_resynced(self, message: Resynced) -> None:
        self.reload()

    def service(self, fn: Callable[[ServiceSession], T], done: Callable[[T], Any] | None = None, **kwargs: Any) -> None:
        call_service(self, fn, done, **kwargs)
