"""`invtui stock cover`: usage, stock on order and days of cover per item, lowest cover first.

The figures are the database's (invtui.services.demand reads the view inventory_demand), the same
the alert engine raises "RUNS OUT SOON" by.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import print_json, print_table
from invtui.cli.state import state

if TYPE_CHECKING:
    from invtui.services import demand
else:
    demand = lazy_module("invtui.services.demand")

NO_FIGURE = "—"


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
