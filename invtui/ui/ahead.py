"""Screens made ahead of their key, in idle time after sign-in (issue 15: `3` < 200 ms).

Switching to a mode for the first time makes its screen: compose, mount and style some sixty
widgets, about half the CPU of the first `3` on the stock list. Made ahead, hidden, the key only
shows the screen: it loads its data as it is shown (`BaseScreen.on_screen_resume`), exactly as
a screen made on the key does, so the operator sees the same thing, sooner.
"""

from __future__ import annotations

from textual import events
from textual.app import App
from textual.screen import Screen

from invtui.ui.widgets.fitting_footer import FittingFooter

AHEAD_MODES = ("inventory",)  # the list operators open most; each costs its widgets' memory


def make_ahead(app: App[object], modes: tuple[str, ...] = AHEAD_MODES) -> None:
    """Compose and mount the base screen of each mode not shown yet, off screen, for its key."""
    for mode in modes:
        if mode in app._screen_stacks or not app.is_running:  # shown already, or the app is closing
            continue
        factory = app._modes[mode]
        screen = factory() if callable(factory) else app.get_screen(factory)
        app._register(app, screen)  # composed and mounted now; Textual shows it on switch_mode
        # Its size classes (-narrow, -short: Textual sets them as the screen is first resized)
        # now too, or setting them on the key restyles every widget of the screen.
        screen.post_message(events.Resize(app.size, app.size))
        screen.call_later(_build_footer, screen)  # once composed: the footer's keys, too
        app._modes[mode] = _Made(screen)


def _build_footer(screen: Screen[object]) -> None:
    for footer in screen.query(FittingFooter):
        footer.build_ahead()


def made_ahead(app: App[object], mode: str) -> Screen[object] | None:
    """The screen made ahead for `mode`, until its key shows it; else None."""
    factory = app._modes.get(mode)
    return factory.screen if isinstance(factory, _Made) and mode not in app._screen_stacks else None


class _Made:
    """A mode's factory that hands Textual the screen made ahead (`App.MODES` takes callables)."""

    def __init__(self, screen: Screen[object]) -> None:
        self.screen = screen

    def __call__(self) -> Screen[object]:
        return self.screen
