"""Demand in words and the reorder maths (issue 17). Pure, no I/O.

The figures themselves come from the database (inventory_demand, sql/0010_demand.sql); alerts
and draft PO lines store the ones they were judged or computed on as a JSON object. This module
turns such an object into the one line people read ("why"), and computes a reorder suggestion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

NO_FIGURE = "—"
SHORT = {"LOW_SOON": "SOON", "LOW_STOCK": "LOW", "OUT_OF_STOCK": "OUT"}


def _number(value: Any) -> str:
    if value is None:
        return NO_FIGURE
    number = Decimal(str(value))
    return f"{number:.1f}" if number != number.to_integral_value() else f"{int(number):,}"


def due_in(due: Any, today: date) -> str:
    """'due in 3 days', 'due today', 'overdue by 2 days' for an ISO date (or a date)."""
    when = date.fromisoformat(due) if isinstance(due, str) else due
    days = (when - today).days
    if days == 0:
        return "due today"
    if days < 0:
        return f"overdue by {-days} day{'s' if days != -1 else ''}"
    return f"due in {days} day{'s' if days != 1 else ''}"


def on_order_words(judged_on: dict[str, Any], today: date) -> str:
    """'200 on PO-000031 due in 3 days' ('' with nothing on order)."""
    on_order = judged_on.get("on_order") or 0
    if not on_order:
        return ""
    words = f"{on_order:,} on order"
    if judged_on.get("next_po"):
        words = f"{on_order:,} on {judged_on['next_po']}"
        if judged_on.get("next_due"):
            words += f" {due_in(judged_on['next_due'], today)}"
    return words


def why(judged_on: dict[str, Any] | None, today: date) -> str:
    """What an alert was judged on, in one line."""
    if not judged_on:
        return "judged before demand figures were kept"
    parts = [f"{_number(judged_on.get('available'))} available",
             f"threshold {_number(judged_on.get('threshold'))} ({judged_on.get('threshold_source') or 'none'})"]
    usage = judged_on.get("avg_daily_usage")
    parts.append(f"{_number(usage)}/day" if usage is not None else "no usage figure")
    if judged_on.get("days_of_cover") is not None:
        parts.append(f"{_number(judged_on['days_of_cover'])} days of cover")
    lead = judged_on.get("lead_time_days")
    if lead is not None:
        safety = judged_on.get("safety_days") or 0
        parts.append(f"lead time {lead} days" + (f" + {safety} safety" if safety else ""))
    parts.append(on_order_words(judged_on, today) or "nothing on order")
    return ", ".join(parts)


def headline(alert_type: str, available: int, judged_on: dict[str, Any] | None, covered: bool, today: date) -> str:
    """'LOW: 12 left, 200 on PO-000031 due in 3 days' for a covered alert; 'LOW: 12 left' otherwise."""
    text = f"{SHORT.get(alert_type, alert_type)}: {available:,} left"
    if covered and judged_on:
        text += f", {on_order_words(judged_on, today)}"
    return text


@dataclass(frozen=True)
class Suggestion:
    """A reorder quantity for one item and the figures it was computed from (stored on the draft line)."""

    quantity: int
    basis: dict[str, Any]

    @property
    def words(self) -> str:
        return suggestion_words(self.quantity, self.basis)


def suggest(*, available: int, on_order: int, usage: Decimal | float | None, lead_time_days: int | None,
            review_days: int, safety_days: int, max_level: int | None, threshold: int) -> Suggestion:
    """How many to order (issue 17): up to the max level when the product has one; else usage x
    (lead time + review days) + safety stock (usage x safety days) - projected; without usage,
    back above the threshold. At least 1: the item is short, so something is ordered."""
    projected = available + on_order
    basis: dict[str, Any] = {"projected": projected}
    if max_level is not None:
        raw = max_level - projected
        basis.update(rule="max level", max_level=max_level)
    elif usage is not None and usage > 0:
        days = (lead_time_days or 0) + review_days
        safety = math.ceil(Decimal(str(usage)) * safety_days)
        raw = math.ceil(Decimal(str(usage)) * days) + safety - projected
        basis.update(rule="usage", usage=float(usage), days=days, safety_stock=safety)
    else:
        raw = threshold + 1 - projected
        basis.update(rule="threshold", threshold=threshold)
    return Suggestion(max(raw, threshold + 1 - projected, 1), basis)


def round_to_pack(quantity: int, pack_size: int | None) -> int:
    """Up to a whole number of packs when the product has a pack size."""
    if pack_size and quantity % pack_size:
        return quantity + pack_size - quantity % pack_size
    return quantity


def suggestion_words(quantity: int, basis: dict[str, Any]) -> str:
    """'why 240: 12/day × 14 days + 72 safety − 0 projected' (and the pack size when it rounded)."""
    rule = basis.get("rule")
    if rule == "max level":
        text = f"why {quantity:,}: max level {basis['max_level']:,} − {basis['projected']:,} projected"
    elif rule == "usage":
        text = (f"why {quantity:,}: {_number(basis['usage'])}/day × {basis['days']} days + {basis['safety_stock']:,}"
                f" safety − {basis['projected']:,} projected")
    elif rule == "threshold":
        text = f"why {quantity:,}: threshold {basis['threshold']:,} + 1 − {basis['projected']:,} projected"
    else:
        return ""
    return text


def line_why(suggested: dict[str, Any] | None) -> str:
    """A draft line's reasons, one per low row ('WH1: why 240: 12/day × 14 days + 72 safety − 0 projected')."""
    if not suggested:
        return ""
    rows = suggested.get("rows") or []
    words = [f"{r['location']}: {suggestion_words(r['quantity'], r)}" if len(rows) > 1 else suggestion_words(r["quantity"], r)
             for r in rows]
    text = "; ".join(w for w in words if w)
    if suggested.get("pack_size") and suggested.get("quantity") != sum(r["quantity"] for r in rows):
        text += f"; {suggested['quantity']:,} in packs of {suggested['pack_size']:,}"
    return text
