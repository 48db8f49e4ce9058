"""Toasts for live events, at most a few a second: a busy site must not bury the operator (or the app).

Twenty operators moving stock raise and resolve alerts many times a second. Each toast is a
widget that lives for seconds, so a toast per event piles up hundreds of them: unreadable, and
the app spends its time laying them out while the next events wait (measured: toasts seconds
late). The first `PER_SECOND` events of each second get their own toast at once; the rest are
counted, and the app's one-second tick shows them as one summary toast.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from invtui.domain.alerts import LABELS as ALERT_LABELS
from invtui.domain.demand import headline
from invtui.domain.events import Event

PER_SECOND = 3


@dataclass(frozen=True)
class Toast:
    message: str
    title: str
    severity: str
    timeout: float


def toast_for(event: Event, today: date | None = None) -> Toast | None:
    """Warning for new or escalated alerts, information for resolved ones and personal notes.

    A LOW alert that stock on order covers needs no action (issue 17), so it is information and
    says what is coming ('LOW (covered): Gear at L1, 20 left, 200 on PO-000001 due in 3 days');
    OUT is never covered (the engine sends `covered` false for it, and it is checked here too).
    """
    if event.kind in ("alert.created", "alert.escalated"):
        alert_type = str(event.get("alert_type"))
        where = f"{event.get('name', event.get('sku', '?'))} at {event.get('location', '?')}"
        quantity = event.get("current_quantity")
        if event.get("covered") is True and alert_type == "LOW_STOCK" and isinstance(quantity, int):
            line = headline(alert_type, quantity, _on_order(event), True, today or date.today())
            what, rest = line.split(": ", 1)
            return Toast(f"{what} (covered): {where}, {rest}", "Stock alert", "information", 8)
        what = ALERT_LABELS.get(alert_type, "LOW STOCK")
        left = f", {quantity} left" if quantity is not None else ""
        return Toast(f"{what}: {where}{left}", "Stock alert", "warning", 8)
    if event.kind == "alert.resolved" and event.user_id is None:
        return Toast(f"Back in stock: {event.get('name', event.get('sku', '?'))} at {event.get('location', '?')}",
                     "Alert resolved", "information", 5)
    if event.kind == "notification.created" and event.for_user is not None:
        return Toast(str(event.get("title", "New notification")), "For you", "information", 8)
    return None


def _on_order(event: Event) -> dict[str, Any]:
    """The on-order figures an alert event carries, in the shape of an alert's judged_on."""
    return {key: event.get(key) for key in ("on_order", "next_po", "next_due")}


class ToastThrottle:
    """Shows toasts through `notify` (the app's), at most PER_SECOND a second plus one summary."""

    def __init__(self, notify: Callable[..., Any]) -> None:
        self._notify = notify
        self._window_start = 0.0
        self._shown = 0
        self._held: list[Toast] = []

    def event(self, event: Event) -> None:
        toast = toast_for(event)
        if toast is None:
            return
        now = time.monotonic()
        if now - self._window_start >= 1.0:
            self._window_start, self._shown = now, 0
        if self._shown < PER_SECOND:
            self._shown += 1
            self._show(toast)
        else:
            self._held.append(toast)

    def flush(self) -> None:
        """One toast for everything held back this second (called by the app's 1 s tick)."""
        held, self._held = self._held, []
        if len(held) == 1:
            self._show(held[0])
        elif held:
            alerts = any(t.title == "Stock alert" for t in held)
            lines = [t.message for t in held[:3]] + ([f"+{len(held) - 3} more"] if len(held) > 3 else [])
            self._notify("\n".join(lines), title=f"{len(held)} more events" + (" (2: alerts)" if alerts else ""),
                         severity="warning" if any(t.severity == "warning" for t in held) else "information",
                         timeout=8)

    def _show(self, toast: Toast) -> None:
        self._notify(toast.message, title=toast.title, severity=toast.severity, timeout=toast.timeout)
