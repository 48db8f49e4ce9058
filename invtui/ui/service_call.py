"""Calling services from the UI: always in a thread worker, never on the event loop.

`call_service` opens a session, runs the service function in a thread, and hands the result back
on the event loop. A refusal (InvtuiError) becomes a warning toast with the service's own words;
a database outage becomes an error toast; anything unexpected is logged with its traceback and
shown as one sentence. Nothing ever reaches the terminal as a traceback.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.worker import get_current_worker

from invtui.db.errors import friendly_error
from invtui.errors import DatabaseUnavailable, InvtuiError
from invtui.services.tx import ServiceSession

if TYPE_CHECKING:
    from textual.dom import DOMNode

log = logging.getLogger(__name__)
T = TypeVar("T")


def report_error(node: DOMNode, exc: BaseException) -> None:
    """Show `exc` as a toast (on the event loop); log unexpected ones with their traceback."""
    error = friendly_error(exc)
    if error is None:
        log.error("unexpected error in the app", exc_info=exc)
        node.app.notify(f"Unexpected error: {type(exc).__name__}. Details are in the log file.",
                        title="Error", severity="error", timeout=8)
        return
    severity = "error" if isinstance(error, DatabaseUnavailable) else "warning"
    node.app.notify(error.message, title=error.title, severity=severity, timeout=6)


def call_service(
    node: DOMNode,
    fn: Callable[[ServiceSession], T],
    done: Callable[[T], Any] | None = None,
    *,
    group: str = "service",
    exclusive: bool = False,
    failed: Callable[[InvtuiError | None], Any] | None = None,
    toast_refusals: bool = True,
) -> None:
    """Run `fn(session)` in a thread; call `done(result)` (or report the error) on the event loop.

    `toast_refusals=False`: a refusal (InvtuiError) goes only to `failed`, which shows it its own
    way (the scan screen rings the bell); unexpected errors are always toasted and logged.
    """
    app = node.app
    db = app.db  # type: ignore[attr-defined]

    def work() -> None:
        worker = get_current_worker()
        try:
            with db.session() as session:
                result = fn(session)
        except Exception as exc:  # every failure is reported, none escapes the worker
            if not worker.is_cancelled:
                app.call_from_thread(_failed, exc)
            return
        # An exclusive call replaced by a newer one must not paint its older answer over the new.
        if done is not None and not worker.is_cancelled:
            app.call_from_thread(_guarded, done, result)

    def _failed(exc: BaseException) -> None:
        if toast_refusals or not isinstance(friendly_error(exc), InvtuiError) or failed is None:
            report_error(node, exc)
        if failed is not None:
            err = friendly_error(exc)
            _guarded(failed, err if isinstance(err, InvtuiError) else None)

    def _guarded(callback: Callable[..., Any], *args: Any) -> None:
        if not node.is_attached:  # the screen was closed while the call ran: nobody to show it to
            return
        try:
            callback(*args)
        except Exception as exc:  # a bug in a UI callback: log it, tell the operator, keep running
            report_error(node, exc)

    node.run_worker(work, thread=True, group=group, exclusive=exclusive, exit_on_error=False)


def guarded(method: Callable[..., Any]) -> Callable[..., Any]:
    """Decorator for handlers/actions: an exception becomes a toast instead of killing the widget.

    Textual stops a widget's message loop (and exits the app) on an unhandled exception in a
    handler; operators must never lose their screen to a bug in one action.
    """
    import functools
    import inspect

    if inspect.iscoroutinefunction(method):
        @functools.wraps(method)
        async def async_wrapper(self: DOMNode, *args: Any, **kwargs: Any) -> Any:
            try:
                return await method(self, *args, **kwargs)
            except Exception as exc:
                report_error(self, exc)
                return None
        return async_wrapper

    @functools.wraps(method)
    def wrapper(self: DOMNode, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as exc:
            report_error(self, exc)
            return None
    return wrapper
