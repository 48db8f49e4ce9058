"""`invtui rule ...`: alert rules, a threshold per product for one location or all."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from invtui.cli.lazy import lazy_module
from invtui.cli.output import console
from invtui.cli.records import ACTIVE, AFTER, JSON, LIMIT, Shape, given, print_page, session_for, show_record
from invtui.cli.state import state

if TYPE_CHECKING:
    from invtui.services import alert_rules
    from invtui.services.alert_rules import RuleView
else:
    alert_rules = lazy_module("invtui.services.alert_rules")

rule_app = typer.Typer(help="Alert rules: thresholds per product, for one location or all.", no_args_is_help=True)


def _rule_dict(r: RuleView) -> dict[str, Any]:
    return {"id": r.id, "sku": r.sku, "location": r.location, "threshold": r.threshold, "active": r.is_active}


# A rule without a location is for all of them: null in JSON, "all" in a table.
RULE = Shape(_rule_dict, {"#": "id", "sku": "sku", "location": "location", "threshold": "threshold",
                          "active": "active"}, title=lambda r: f"rule #{r.id}", none_as={"location": "all"})


def _rule_line(r: RuleView) -> str:
    return f"rule #{r.id}: {r.sku} at {r.location or 'all locations'}, threshold {r.threshold}"


@rule_app.command("add", context_settings={"ignore_unknown_options": True})
def rule_add(ctx: typer.Context, sku: str = typer.Argument(..., help="SKU or barcode."),
             threshold: str = typer.Argument(..., help="Alert when available stock is at or below this."),
             location: str | None = typer.Option(None, "--location", "-l", help="Only here (else all locations).")) -> None:
    """Add an alert rule for a product."""
    rule = state(ctx).act(lambda session, actor: alert_rules.create_rule(session, actor, sku, threshold, location))
    console.print(f"Added {_rule_line(rule)}.")


@rule_app.command("update")
def rule_update(ctx: typer.Context, rule_id: str = typer.Argument(..., metavar="RULE", help="Rule number."),
                threshold: str | None = typer.Option(None, "--threshold"),
                active: bool | None = typer.Option(None, "--active/--inactive")) -> None:
    """Change a rule's threshold, or retire/reactivate it."""
    rule = state(ctx).act(lambda session, actor: alert_rules.update_rule(
        session, actor, rule_id, threshold=given(threshold), active=given(active)))
    console.print(f"Updated {_rule_line(rule)}.")


@rule_app.command("deactivate")
def rule_deactivate(ctx: typer.Context, rule_id: str = typer.Argument(..., metavar="RULE")) -> None:
    """Retire a rule: the product's reorder point applies again."""
    rule = state(ctx).act(lambda session, actor: alert_rules.deactivate_rule(session, actor, rule_id))
    console.print(f"Deactivated {_rule_line(rule)}.")


@rule_app.command("show")
def rule_show(ctx: typer.Context, rule_id: str = typer.Argument(..., metavar="RULE"), as_json: bool = JSON) -> None:
    """One rule."""
    with session_for(ctx) as session:
        rule = alert_rules.get_rule(session, rule_id)
    show_record(RULE, rule, as_json)


@rule_app.command("list")
def rule_list(ctx: typer.Context, sku: str | None = typer.Option(None, "--sku", help="Only this product."),
              active: bool | None = ACTIVE, limit: str = LIMIT, after: str | None = AFTER,
              as_json: bool = JSON) -> None:
    """Alert rules by number."""
    with session_for(ctx) as session:
        page = alert_rules.list_rules(session, sku=sku, active=active, limit=limit, after=after)
    print_page(RULE, page, as_json)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root `invtui` app."""
    app.add_typer(rule_app, name="rule")
