"""Alert rules: a threshold for one product at one location or at all, and what each rule does now.

Every change is one transaction, checked against EDIT_ALERT_RULES and announced with a
`catalog.changed` event; nothing is deleted (a rule is deactivated).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_
from sqlmodel import Session, select

from invtui.db.models import AlertRule, Location, Product
from invtui.domain import validation
from invtui.domain.roles import Actor, Permission
from invtui.errors import ConflictError, NotFound
from invtui.services import lookup
from invtui.services.acting import require_current
from invtui.services.catalog.common import DEFAULT_PAGE, UNSET, Page, announce, flush, like, page_size, paged, refuse_if_inactive, touch
from invtui.services.tx import unit_of_work


@dataclass(frozen=True)
class RuleView:
    id: int
    sku: str
    location: str | None
    threshold: int
    is_active: bool



def create_rule(session: Session, actor: Actor, sku: str, threshold: object, location: str | None = None) -> RuleView:
    """A threshold for one product at one location (or at all, when `location` is None).

    One rule per scope: adding one where an inactive rule exists reactivates it with the new
    threshold; where an active one exists, it is refused.
    """
    require_current(session, actor, Permission.EDIT_ALERT_RULES)
    limit = validation.quantity(threshold, minimum=0, what="Threshold")
    with unit_of_work(session):
        product = lookup.product(session, sku)
        place = lookup.location(session, location) if location else None
        scope = AlertRule.location_id == place.id if place else AlertRule.location_id.is_(None)  # type: ignore[union-attr]
        rule = session.exec(select(AlertRule).where(AlertRule.product_id == product.id, scope).with_for_update()).first()
        where = f"at {place.code}" if place else "at all locations"
        if rule is not None and rule.is_active:
            raise ConflictError(f"A rule for {product.sku} {where} already exists (#{rule.id}); update it instead")
        if rule is None:
            rule = AlertRule(product_id=product.id, location_id=place.id if place else None,
                             threshold_quantity=limit, created_by=actor.id)
            session.add(rule)
        else:
            rule.threshold_quantity, rule.is_active = limit, True
            touch(rule)
        flush(session)
        announce(session, actor, "rule", "created", rule.id, product_id=product.id,
                  location_id=place.id if place else None, sku=product.sku,
                  location=place.code if place else None, threshold=limit)
        view = RuleView(rule.id, product.sku, place.code if place else None, limit, True)  # type: ignore[arg-type]
    return view


def update_rule(session: Session, actor: Actor, rule_id: object, *, threshold: Any = UNSET,
                active: Any = UNSET) -> RuleView:
    require_current(session, actor, Permission.EDIT_ALERT_RULES)
    with unit_of_work(session):
        rule = _rule(session, rule_id)
        if threshold is not UNSET:
            rule.threshold_quantity = validation.quantity(threshold, minimum=0, what="Threshold")
        if active is not UNSET:
            rule.is_active = bool(active)
        touch(rule)
        flush(session)
        view = get_rule(session, rule.id)
        announce(session, actor, "rule", "updated", rule.id, product_id=rule.product_id,
                  location_id=rule.location_id, sku=view.sku, location=view.location, threshold=view.threshold)
    return view


def deactivate_rule(session: Session, actor: Actor, rule_id: object) -> RuleView:
    require_current(session, actor, Permission.EDIT_ALERT_RULES)
    with unit_of_work(session):
        rule = _rule(session, rule_id)
        refuse_if_inactive(rule.is_active, f"Rule #{rule.id}")
        rule.is_active = False
        touch(rule)
        flush(session)
        view = get_rule(session, rule.id)
        announce(session, actor, "rule", "deactivated", rule.id, product_id=rule.product_id,
                  location_id=rule.location_id, sku=view.sku, location=view.location, threshold=view.threshold)
    return view


def get_rule(session: Session, rule_id: object) -> RuleView:
    rule = _rule(session, rule_id)
    return _rule_rows(session, select(AlertRule.id).where(AlertRule.id == rule.id))[0]


def list_rules(session: Session, *, sku: str | None = None, active: bool | None = None,
               limit: object = DEFAULT_PAGE, after: str | None = None) -> Page[RuleView]:
    size = page_size(limit)
    with unit_of_work(session):
        ids = select(AlertRule.id)
        if sku:
            ids = ids.where(AlertRule.product_id == lookup.product(session, sku).id)
        if active is not None:
            ids = ids.where(AlertRule.is_active == active)
        if after:
            ids = ids.where(AlertRule.id > validation.quantity(after, maximum=2**62, what="Cursor"))
        rows = _rule_rows(session, ids.order_by(AlertRule.id).limit(size + 1))
    return paged(rows, size, lambda r: r.id)


def _rule(session: Session, rule_id: object) -> AlertRule:
    number = validation.quantity(str(rule_id).lstrip("#") if rule_id is not None else None,
                                 maximum=2**62, what="Rule number")
    rule = session.get(AlertRule, number)
    if rule is None:
        raise NotFound(f"Unknown rule #{number}")
    return rule


def _rule_rows(session: Session, ids: Any) -> list[RuleView]:
    sub = ids.subquery()
    query = (
        select(AlertRule.id, Product.sku, Location.code, AlertRule.threshold_quantity, AlertRule.is_active)
        .join(sub, sub.c.id == AlertRule.id)
        .join(Product, Product.id == AlertRule.product_id)  # type: ignore[arg-type]
        .join(Location, and_(Location.id == AlertRule.location_id), isouter=True)  # type: ignore[arg-type]
        .order_by(AlertRule.id)
    )
    return [RuleView(*row) for row in session.exec(query).all()]


# --- what alert rules do (the catalog screen's rules tab) -----------------------------------


@dataclass(frozen=True)
class RuleEffect:
    """A rule, the threshold it replaces, and the stock rows it decides right now.

    `replaces` names what the rows would use without this rule, in inventory_status's words
    ("reorder point", "min stock level", "product rule": the rule for all locations) and
    `replaced_threshold` its value; `rows` counts the stock rows whose effective threshold is
    this rule's, `low` how many of those are LOW or OUT now. An
    inactive rule, or one overridden everywhere by location rules, covers no rows.
    """

    id: int
    sku: str
    name: str
    location: str | None
    threshold: int
    is_active: bool
    replaces: str
    replaced_threshold: int
    rows: int
    low: int

    @property
    def effect(self) -> str:
        """"15 instead of reorder point 10"."""
        return f"{self.threshold} instead of {self.replaces} {self.replaced_threshold}"


# One statement: the rows a rule decides are exactly those inventory_status attributes to it
# (threshold_source 'location rule' at its location, 'product rule' for its product), so the
# counts follow the view's definition of "low" and can never disagree with the sweep.
_RULE_EFFECTS = """
    SELECT r.id, p.sku, p.name, l.code, r.threshold_quantity, r.is_active,
           -- what the rule replaces, in the words of product_thresholds (sql/0011): a location rule
           -- the product's threshold (its rule for all locations, or its base), a product rule the base
           CASE WHEN r.location_id IS NULL THEN t.base_source ELSE t.threshold_source END,
           CASE WHEN r.location_id IS NULL THEN t.base_threshold ELSE t.threshold END,
           covered.rows, covered.low
      FROM alert_rules r
      JOIN products p ON p.id = r.product_id
      JOIN product_thresholds t ON t.product_id = r.product_id
      LEFT JOIN locations l ON l.id = r.location_id
      CROSS JOIN LATERAL (
          SELECT count(*) AS rows, count(*) FILTER (WHERE s.condition <> 'OK') AS low
            FROM inventory_status s
           WHERE r.is_active AND s.product_id = r.product_id
             AND CASE WHEN r.location_id IS NULL THEN s.threshold_source = 'product rule'
                      ELSE s.location_id = r.location_id AND s.threshold_source = 'location rule' END
      ) covered
     WHERE r.id > :after AND (CAST(:pattern AS text) IS NULL OR p.sku ILIKE :pattern OR p.name ILIKE :pattern
                              OR l.code ILIKE :pattern)
     ORDER BY r.id
     LIMIT :limit
"""


def rule_effects(session: Session, *, search: str | None = None, limit: object = DEFAULT_PAGE,
                 after: str | None = None) -> Page[RuleEffect]:
    """Alert rules by number with their effect; `search` matches SKU, product name or location code."""
    from sqlalchemy import text

    size = page_size(limit)
    start = validation.quantity(after, minimum=0, maximum=2**62, what="Cursor") if after else 0
    pattern = like(search.strip()) if search and search.strip() else None
    with unit_of_work(session):
        rows = session.execute(text(_RULE_EFFECTS), {"after": start, "pattern": pattern,
                                                     "limit": size + 1}).all()
    return paged([RuleEffect(*row) for row in rows], size, lambda r: r.id)
