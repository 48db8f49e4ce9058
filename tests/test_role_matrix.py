"""DESIGN.md section 7, every action x every role, through the real services on a real database.

The table below is copied from the design, not derived from `Permission`, so a permission wired
to the wrong role in a service shows up here. For each action, each role gets a fresh target
(a new draft, a new alert, ...); a refused role must get "Role viewer cannot ..." and change
nothing, an allowed role must succeed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import Session

from invtui.db.engine import Database
from invtui.domain.roles import Actor, Role
from invtui.errors import PermissionDenied
from invtui.services import alert_rules, alerts, catalog, inventory, purchasing, sweep, users

from conftest import Server
from po_world import BOLT, DOCK, NUT, SHELF, SUPPLIER, approved, draft, shared_database

V, O, M, A = Role.VIEWER, Role.OPERATOR, Role.MANAGER, Role.ADMIN

# DESIGN.md section 7: action row -> roles allowed.
DESIGN = {
    "see everything": {V, O, M, A},
    "move stock, receive POs, acknowledge / dismiss / resolve alerts, draft POs": {O, M, A},
    "approve or cancel POs, edit catalog and alert rules": {M, A},
    "manage users": {A},
}
OPERATE, MANAGE, USERS = list(DESIGN)[1:]

_unique = itertools.count(1)


@dataclass
class World:
    """What an action's preparation may use: the database and the four acting users."""

    db: Database
    actors: dict[Role, Actor]

    @property
    def admin(self) -> Actor:
        return self.actors[A]

    def run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self.db.session() as session:
            return fn(session, *args, **kwargs)

    def name(self, prefix: str) -> str:
        return f"{prefix}{next(_unique)}"


@dataclass(frozen=True)
class Case:
    """One action: which design row it belongs to, the words of its refusal, how to do it."""

    name: str
    row: str
    refusal: str
    prepare: Callable[[World], Any]
    act: Callable[[Session, Actor, Any], Any]


def nothing(w: World) -> None:
    return None


# --- preparations: each returns a fresh target, made by the admin -----------------------------


def draft_po(w: World) -> str:
    return draft(w.db, w.admin, {BOLT: 10})


def submitted_po(w: World) -> str:
    number = draft_po(w)
    w.run(purchasing.submit, w.admin, number)
    return number


def approved_po(w: World) -> str:
    return approved(w.db, w.admin, w.admin, {BOLT: 10})


def reserved_one(w: World) -> None:
    w.run(inventory.reserve, w.admin, BOLT, DOCK, 1)


def counted(w: World) -> int:
    """A count that differs from what is on the shelf, so the adjustment records something."""
    with w.db.session() as session:
        return int(session.execute(text(
            "SELECT i.quantity FROM inventory i JOIN products p ON p.id = i.product_id "
            "JOIN locations l ON l.id = i.location_id WHERE p.sku = :sku AND l.code = :code"),
            {"sku": BOLT, "code": DOCK}).scalar_one()) + 1


def open_alert(w: World) -> int:
    """A new low-stock alert: one unit of NUT-M6 (min level 5) at a new location.

    The alert engine's trigger raises it as the stock arrives; if no trigger did, one is written.
    """
    place = w.run(catalog.create_location, w.admin, w.name("BIN-"))
    w.run(inventory.receive, w.admin, NUT, place.code, 1)
    with w.db.transaction() as session:
        params = {"sku": NUT, "code": place.code}
        found = session.execute(text(
            "SELECT a.id FROM stock_alerts a JOIN products p ON p.id = a.product_id JOIN locations l ON "
            "l.id = a.location_id WHERE p.sku = :sku AND l.code = :code AND a.status = 'ACTIVE'"), params).scalar()
        if found is None:
            found = session.execute(text(
                "INSERT INTO stock_alerts (product_id, location_id, alert_type, current_quantity, threshold_quantity) "
                "SELECT p.id, l.id, 'LOW_STOCK', 1, 5 FROM products p, locations l "
                "WHERE p.sku = :sku AND l.code = :code RETURNING id"), params).scalar_one()
    return int(found)


def acknowledged_alert(w: World) -> int:
    alert_id = open_alert(w)
    w.run(alerts.acknowledge, w.admin, alert_id)
    return alert_id


def category(w: World) -> str:
    return w.run(catalog.create_category, w.admin, w.name("Fasteners ")).name


def supplier(w: World) -> str:
    return w.run(catalog.create_supplier, w.admin, w.name("SUP"), w.name("Some Supplier ")).code


def location(w: World) -> str:
    return w.run(catalog.create_location, w.admin, w.name("LOC-")).code


def product(w: World) -> str:
    return w.run(catalog.create_product, w.admin, w.name("SKU-"), "Widget").sku


def rule(w: World) -> int:
    return w.run(alert_rules.create_rule, w.admin, BOLT, 3, location(w)).id


def clerk(w: World) -> str:
    return w.run(users.create_user, w.admin, w.name("clerk"), "operator", "long-enough-1").username


# --- the actions ----------------------------------------------------------------------------

MOVE, RECEIVE_PO, DRAFT_PO = "move stock", "receive purchase orders", "draft purchase orders"
ALERTS = "acknowledge, dismiss or resolve alerts"
APPROVE_PO, CANCEL_PO = "approve purchase orders", "cancel purchase orders"
CATALOG, RULES, MANAGE_USERS = "edit the catalog", "edit alert rules", "manage users"

CASES = [
    # stock
    Case("stock receive", OPERATE, MOVE, nothing, lambda s, a, t: inventory.receive(s, a, BOLT, DOCK, 1)),
    Case("stock issue", OPERATE, MOVE, nothing, lambda s, a, t: inventory.issue(s, a, BOLT, DOCK, 1)),
    Case("stock adjust", OPERATE, MOVE, counted, lambda s, a, t: inventory.adjust(s, a, BOLT, DOCK, t, "count")),
    Case("stock transfer", OPERATE, MOVE, nothing, lambda s, a, t: inventory.transfer(s, a, BOLT, DOCK, SHELF, 1)),
    Case("stock return", OPERATE, MOVE, nothing, lambda s, a, t: inventory.return_issued(s, a, BOLT, DOCK, 1)),
    Case("stock reserve", OPERATE, MOVE, nothing, lambda s, a, t: inventory.reserve(s, a, BOLT, DOCK, 1)),
    Case("stock release", OPERATE, MOVE, reserved_one, lambda s, a, t: inventory.release(s, a, BOLT, DOCK, 1)),
    Case("stock batch", OPERATE, MOVE, nothing,
         lambda s, a, t: inventory.apply_batch(s, a, [(BOLT, DOCK, "receive", 1), (BOLT, DOCK, "issue", 1)])),
    # purchasing: operators draft, submit and receive
    Case("po create", OPERATE, DRAFT_PO, nothing, lambda s, a, t: purchasing.create(s, a, SUPPLIER)),
    Case("po add line", OPERATE, DRAFT_PO, draft_po, lambda s, a, t: purchasing.add_line(s, a, t, NUT, 1)),
    Case("po remove line", OPERATE, DRAFT_PO, draft_po, lambda s, a, t: purchasing.remove_line(s, a, t, BOLT)),
    Case("po submit", OPERATE, DRAFT_PO, draft_po, lambda s, a, t: purchasing.submit(s, a, t)),
    Case("po draft from alerts", OPERATE, DRAFT_PO, nothing, lambda s, a, t: purchasing.draft_from_alerts(s, a)),
    Case("po receive", OPERATE, RECEIVE_PO, approved_po, lambda s, a, t: purchasing.receive(s, a, t, DOCK)),
    # alerts
    Case("alert acknowledge", OPERATE, ALERTS, open_alert, lambda s, a, t: alerts.acknowledge(s, a, t)),
    Case("alert dismiss", OPERATE, ALERTS, open_alert, lambda s, a, t: alerts.dismiss(s, a, t)),
    Case("alert resolve", OPERATE, ALERTS, acknowledged_alert, lambda s, a, t: alerts.resolve(s, a, t)),
    Case("alert bulk acknowledge", OPERATE, ALERTS, open_alert, lambda s, a, t: alerts.acknowledge_many(s, a, [t])),
    # purchasing: managers approve and cancel
    Case("po approve", MANAGE, APPROVE_PO, submitted_po, lambda s, a, t: purchasing.approve(s, a, t)),
    Case("po cancel", MANAGE, CANCEL_PO, submitted_po, lambda s, a, t: purchasing.cancel(s, a, t)),
    # catalog
    Case("category create", MANAGE, CATALOG, nothing,
         lambda s, a, t: catalog.create_category(s, a, f"Tools {next(_unique)}")),
    Case("category update", MANAGE, CATALOG, category,
         lambda s, a, t: catalog.update_category(s, a, t, description="updated")),
    Case("category deactivate", MANAGE, CATALOG, category, lambda s, a, t: catalog.deactivate_category(s, a, t)),
    Case("supplier create", MANAGE, CATALOG, nothing,
         lambda s, a, t: catalog.create_supplier(s, a, *(lambda n: (f"NEW{n}", f"New Supplier {n}"))(next(_unique)))),
    Case("supplier update", MANAGE, CATALOG, supplier, lambda s, a, t: catalog.update_supplier(s, a, t, name=f"Renamed {next(_unique)}")),
    Case("supplier deactivate", MANAGE, CATALOG, supplier, lambda s, a, t: catalog.deactivate_supplier(s, a, t)),
    Case("location create", MANAGE, CATALOG, nothing,
         lambda s, a, t: catalog.create_location(s, a, f"NEW-{next(_unique)}")),
    Case("location update", MANAGE, CATALOG, location, lambda s, a, t: catalog.update_location(s, a, t, name="Renamed")),
    Case("location deactivate", MANAGE, CATALOG, location, lambda s, a, t: catalog.deactivate_location(s, a, t)),
    Case("product create", MANAGE, CATALOG, nothing,
         lambda s, a, t: catalog.create_product(s, a, f"NEW-{next(_unique)}", "Gadget")),
    Case("product update", MANAGE, CATALOG, product, lambda s, a, t: catalog.update_product(s, a, t, name="Renamed")),
    Case("product deactivate", MANAGE, CATALOG, product, lambda s, a, t: catalog.deactivate_product(s, a, t)),
    # alert rules
    Case("rule create", MANAGE, RULES, location, lambda s, a, t: alert_rules.create_rule(s, a, BOLT, 4, t)),
    Case("rule update", MANAGE, RULES, rule, lambda s, a, t: alert_rules.update_rule(s, a, t, threshold=6)),
    Case("rule deactivate", MANAGE, RULES, rule, lambda s, a, t: alert_rules.deactivate_rule(s, a, t)),
    # users
    Case("user create", USERS, MANAGE_USERS, nothing,
         lambda s, a, t: users.create_user(s, a, f"new{next(_unique)}", "viewer", "long-enough-1")),
    Case("user set another's password", USERS, MANAGE_USERS, clerk,
         lambda s, a, t: users.set_password(s, a, t, "another-secret")),
    Case("user disable", USERS, MANAGE_USERS, clerk, lambda s, a, t: users.set_active(s, a, t, False)),
    Case("user change role", USERS, MANAGE_USERS, clerk, lambda s, a, t: users.set_role(s, a, t, "manager")),
]

# Every table an action may write; a refused action leaves all of them exactly as they were.
TABLES = ("users", "user_events", "categories", "suppliers", "locations", "products", "inventory",
          "stock_movements", "alert_rules", "stock_alerts", "alert_events", "purchase_orders",
          "purchase_order_lines", "purchase_order_events", "notifications")


def snapshot(db: Database) -> dict[str, list[str]]:
    with db.session() as session:
        return {t: sorted(session.execute(text(f"SELECT x::text FROM {t} x")).scalars().all()) for t in TABLES}


@pytest.fixture(scope="module")
def world(pg_server: Server, template_db: str) -> Iterator[World]:
    """One database for the whole matrix: each action prepares fresh targets, so cases do not interfere."""
    with shared_database(pg_server, template_db, "roles") as db:
        with db.session() as session:
            w = World(db, {role: users.actor_for(session, role.value) for role in Role})
        with db.transaction() as session:  # NUT-M6 has a min level, so one unit of it is low stock
            session.execute(text("UPDATE products SET min_stock_level = 5 WHERE sku = :sku"), {"sku": NUT})
        w.run(inventory.receive, w.admin, BOLT, DOCK, 1000)
        yield w


def test_every_design_row_has_actions() -> None:
    assert {case.row for case in CASES} == {OPERATE, MANAGE, USERS}


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_each_role_is_allowed_or_refused_as_the_design_says(world: World, case: Case) -> None:
    allowed = DESIGN[case.row]
    for role in Role:
        target = case.prepare(world)
        actor = world.actors[role]
        if role in allowed:
            with world.db.session() as session:
                case.act(session, actor, target)
            continue
        before = snapshot(world.db)
        with world.db.session() as session, pytest.raises(PermissionDenied) as refused:
            case.act(session, actor, target)
        assert refused.value.message == f"Role {role.value} cannot {case.refusal}"
        assert snapshot(world.db) == before, f"{case.name} by {role.value} changed data"


def test_everyone_can_see_everything(world: World) -> None:
    """Reads take no acting user: a viewer's screens show what a manager's do."""
    number = approved_po(world)
    alert_id = open_alert(world)
    with world.db.session() as s:
        assert purchasing.get(s, number).status == "approved"
        assert purchasing.list_pos(s)[0].number == number
        assert inventory.stock_for(s, BOLT).sku == BOLT
        assert inventory.movements(s, BOLT)
        assert catalog.get_product(s, BOLT).sku == BOLT
        assert BOLT in [p.sku for p in catalog.list_products(s).items]
        assert alerts.get(s, alert_id).id == alert_id
        assert alert_id in [a.id for a in alerts.list_alerts(s).rows]
        assert [u.username for u in users.list_users(s)][:1] == ["admin"]
        assert sweep.sweep_status(s) is not None


def test_viewer_cannot_run_a_sweep_but_an_operator_can(world: World) -> None:
    with pytest.raises(PermissionDenied, match="^Role viewer cannot run a stock sweep$"):
        sweep.run_full_sweep(world.db, "manual", actor=world.actors[V])
    assert sweep.run_full_sweep(world.db, "manual", actor=world.actors[O]) is not None
