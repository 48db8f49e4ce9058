"""`invtui stock cover`: usage, stock on order and days of cover per item, lowest cover first;
`invtui product terms`: a product's own lead time and pack size.

The figures are the database's (invtui.services.demand reads the view inventory_demand), the same
the alert engine raises "RUNS OUT SOON" by.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console, print_json, print_table
from invtui.cli.state import state

if TYPE_CHECKING:
    from invtui.services import demand
else:
    demand = lazy_module("invtui.services.demand")

NO_FIGURE = "—"
_CLEAR = ("none", "")


def cover(ctx: typer.Context, sku: str | None = typer.Option(None, "--sku", help="Only this SKU or barcode."),
          location: str | None = typer.Option(None, "--location", help="Only this location code."),
          below: str | None = typer.Option(None, "--below", metavar="DAYS", help="Only items with fewer days of cover."),
          overall: bool = typer.Option(False, "--overall", help="Per item over all its locations."),
          limit: str = typer.Option("50", "--limit", help="How many rows (1 to 1,000)."),
          as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Average daily usage, on order, projected stock and days of cover, lowest cover first."""
    with state(ctx).database().session() as session:
        rows = demand.cover(session, sku=sku, location=location, below=below, overall=overall, limit=limit)
    if as_json:
        print_json([row.as_json() for row in rows])
        return
    print_table(["sku", "location", "available", "on order", "projected", "use/day", "cover", "runs out",
                 "lead time"],
                [(r.sku, r.location or "all", r.available, r.on_order, r.projected, _figure(r.avg_daily_usage),
                  _figure(r.days_of_cover), r.stockout_date or NO_FIGURE,
                  NO_FIGURE if r.lead_time_days is None else f"{r.lead_time_days}d") for r in rows])


def _figure(value: Decimal | None) -> str:
    return NO_FIGURE if value is None else f"{value:.1f}"


def product_terms(
    ctx: typer.Context,
    sku: str = typer.Argument(..., help="SKU or barcode."),
    lead_time: str | None = typer.Option(None, "--lead-time", help="Days; `none`: the supplier's."),
    pack_size: str | None = typer.Option(None, "--pack-size", help="Units per pack; `none` clears it."),
) -> None:
    """A product's own lead time and pack size (RUNS OUT SOON, reorder suggestions)."""
    def unset_or(value: str | None) -> Any:
        return demand.UNSET if value is None else (None if value.strip().lower() in _CLEAR else value)

    terms = state(ctx).act(lambda session, actor: demand.set_terms(
        session, actor, sku, lead_time_days=unset_or(lead_time), pack_size=unset_or(pack_size)))
    lead = (f"{terms.lead_time_days} days (own)" if terms.lead_time_days is not None
            else f"{terms.supplier_lead_time_days} days (supplier's)" if terms.supplier_lead_time_days is not None
            else "none (no supplier)")
    console.print(f"{terms.sku}: lead time {lead}, pack size {terms.pack_size or 'none'}.")
