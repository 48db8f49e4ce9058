"""SQLModel table classes mirroring sql/*.sql (the SQL is the source of truth).

tests/test_models_match_schema.py compares these with a migrated database (tables, columns,
nullability), so the two cannot drift. Defaults here are Python-side so ORM inserts never send
NULL into a NOT NULL column; the database has its own defaults for other writers.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Computed, FetchedValue, Integer, Numeric, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _money(nullable: bool = False) -> Column:  # numeric(12,2): money is never float
    return Column(Numeric(12, 2), nullable=nullable)


def _os_user() -> Any:
    """The OS account behind the change (migration 0004): filled by the database's default, so the
    ORM leaves it out of its INSERTs (FetchedValue) instead of sending NULL."""
    return Field(default=None, sa_column=Column(Text, nullable=True, server_default=FetchedValue()))


class User(SQLModel, table=True):
    __tablename__ = "users"
    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=64)
    full_name: str = Field(default="", max_length=200)
    role: str = Field(max_length=16)
    password_hash: str = Field(max_length=100)
    failed_logins: int = 0
    locked_until: datetime | None = None
    is_active: bool = True
    last_login_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class UserEvent(SQLModel, table=True):
    __tablename__ = "user_events"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    actor_id: int | None = Field(default=None, foreign_key="users.id")
    kind: str = Field(max_length=32)
    detail: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    os_user: str | None = _os_user()


class LoginThrottle(SQLModel, table=True):
    """Failed browser logins of one client address (sql/0008): how long it must wait."""

    __tablename__ = "login_throttle"
    client: str = Field(primary_key=True, max_length=100)
    failures: int = 0
    last_failure_at: datetime = Field(default_factory=utcnow)
    blocked_until: datetime = Field(default_factory=utcnow)


class Category(SQLModel, table=True):
    __tablename__ = "categories"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100)
    description: str = ""
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Supplier(SQLModel, table=True):
    __tablename__ = "suppliers"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32)
    name: str = Field(max_length=200)
    contact_name: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=50)
    lead_time_days: int = 7
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Location(SQLModel, table=True):
    __tablename__ = "locations"
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=32)
    name: str = Field(default="", max_length=200)
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    count_every_days: int | None = None
    last_counted_at: datetime | None = None


class Product(SQLModel, table=True):
    __tablename__ = "products"
    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(max_length=100)
    name: str = Field(max_length=255)
    description: str = ""
    barcode: str | None = Field(default=None, max_length=64)
    category_id: int | None = Field(default=None, foreign_key="categories.id")
    supplier_id: int | None = Field(default=None, foreign_key="suppliers.id")
    unit_price: Decimal = Field(default=Decimal("0"), sa_column=_money())
    cost_price: Decimal = Field(default=Decimal("0"), sa_column=_money())
    min_stock_level: int = 0
    reorder_point: int | None = None
    max_stock_level: int | None = None
    lead_time_days: int | None = None  # overrides the supplier's (migration 0010)
    pack_size: int | None = None
    default_location_id: int | None = Field(default=None, foreign_key="locations.id")  # migration 0013
    is_active: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Inventory(SQLModel, table=True):
    __tablename__ = "inventory"
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id")
    location_id: int = Field(foreign_key="locations.id")
    quantity: int = 0
    reserved_quantity: int = 0
    # GENERATED ALWAYS AS (quantity - reserved_quantity) STORED: read-only here
    available_quantity: int | None = Field(
        default=None,
        sa_column=Column(Integer, Computed("quantity - reserved_quantity", persisted=True)),
    )
    unit_cost: Decimal | None = Field(default=None, sa_column=_money(nullable=True))
    updated_at: datetime = Field(default_factory=utcnow)
    # kept by the database (sql/0012_kept_usage.sql): the usage inventory_demand says, and its days
    avg_daily_usage: Decimal | None = None
    usage_from: date | None = None
    usage_until: date | None = None
    usage_bound: Decimal | None = None  # usage without returns: no less than it until the next movement (0014)


class StockMovement(SQLModel, table=True):
    __tablename__ = "stock_movements"
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id")
    location_id: int = Field(foreign_key="locations.id")
    kind: str = Field(max_length=16)
    quantity_delta: int = 0
    reserved_delta: int = 0
    reference: str = Field(default="", max_length=100)
    reason: str = ""
    user_id: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    os_user: str | None = _os_user()


class AlertRule(SQLModel, table=True):
    __tablename__ = "alert_rules"
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id")
    location_id: int | None = Field(default=None, foreign_key="locations.id")
    threshold_quantity: int
    is_active: bool = True
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class StockAlert(SQLModel, table=True):
    __tablename__ = "stock_alerts"
    id: int | None = Field(default=None, primary_key=True)
    product_id: int = Field(foreign_key="products.id")
    location_id: int = Field(foreign_key="locations.id")
    alert_type: str = Field(max_length=16)
    status: str = Field(default="ACTIVE", max_length=16)
    current_quantity: int
    threshold_quantity: int
    message: str = ""
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    acknowledged_at: datetime | None = None
    acknowledged_by: int | None = Field(default=None, foreign_key="users.id")
    resolved_at: datetime | None = None
    resolved_by: int | None = Field(default=None, foreign_key="users.id")
    resolution: str | None = Field(default=None, max_length=16)
    judged_on: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))
    covered: bool = False


class AlertDisarmed(SQLModel, table=True):
    """An item whose alert a person closed while it was still low: no new alert until it is OK again."""

    __tablename__ = "alert_disarmed"
    product_id: int = Field(primary_key=True)
    location_id: int = Field(primary_key=True)
    alert_type: str = Field(max_length=16)
    alert_id: int | None = Field(default=None, foreign_key="stock_alerts.id")
    disarmed_at: datetime = Field(default_factory=utcnow)


class AlertEvent(SQLModel, table=True):
    __tablename__ = "alert_events"
    id: int | None = Field(default=None, primary_key=True)
    alert_id: int = Field(foreign_key="stock_alerts.id")
    event: str = Field(max_length=16)
    from_status: str | None = Field(default=None, max_length=16)
    to_status: str = Field(max_length=16)
    alert_type: str = Field(max_length=16)
    quantity: int | None = None
    user_id: int | None = Field(default=None, foreign_key="users.id")
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    os_user: str | None = _os_user()
    judged_on: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))


class PurchaseOrder(SQLModel, table=True):
    __tablename__ = "purchase_orders"
    id: int | None = Field(default=None, primary_key=True)
    # GENERATED ALWAYS AS ('PO-' || lpad(id::text, 6, '0')) STORED: read-only here
    number: str | None = Field(
        default=None,
        sa_column=Column(String(16), Computed("'PO-' || lpad(id::text, 6, '0')", persisted=True)),
    )
    supplier_id: int = Field(foreign_key="suppliers.id")
    status: str = Field(default="draft", max_length=20)
    notes: str = ""
    expected_date: date | None = None
    created_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    submitted_at: datetime | None = None
    approved_at: datetime | None = None
    approved_by: int | None = Field(default=None, foreign_key="users.id")
    received_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancelled_by: int | None = Field(default=None, foreign_key="users.id")
    location_id: int | None = Field(default=None, foreign_key="locations.id")


class PurchaseOrderLine(SQLModel, table=True):
    __tablename__ = "purchase_order_lines"
    id: int | None = Field(default=None, primary_key=True)
    purchase_order_id: int = Field(foreign_key="purchase_orders.id")
    product_id: int = Field(foreign_key="products.id")
    quantity_ordered: int
    quantity_received: int = 0
    unit_cost: Decimal = Field(default=Decimal("0"), sa_column=_money())
    created_at: datetime = Field(default_factory=utcnow)
    suggested: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB, nullable=True))


class PurchaseOrderEvent(SQLModel, table=True):
    __tablename__ = "purchase_order_events"
    id: int | None = Field(default=None, primary_key=True)
    purchase_order_id: int = Field(foreign_key="purchase_orders.id")
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str = Field(max_length=20)
    user_id: int | None = Field(default=None, foreign_key="users.id")
    note: str = ""
    created_at: datetime = Field(default_factory=utcnow)
    os_user: str | None = _os_user()


class Notification(SQLModel, table=True):
    __tablename__ = "notifications"
    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)
    severity: str = Field(default="info", max_length=8)
    title: str = Field(max_length=200)
    body: str = ""
    link_kind: str | None = Field(default=None, max_length=16)
    link_id: int | None = None
    target_user_id: int | None = Field(default=None, foreign_key="users.id")
    target_role: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(default_factory=utcnow)


class NotificationRead(SQLModel, table=True):
    __tablename__ = "notification_reads"
    notification_id: int = Field(foreign_key="notifications.id", primary_key=True)
    user_id: int = Field(foreign_key="users.id", primary_key=True)
    read_at: datetime = Field(default_factory=utcnow)


class SweepRun(SQLModel, table=True):
    __tablename__ = "sweep_runs"
    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None
    duration_ms: int | None = None
    trigger: str = Field(default="scheduled", max_length=16)
    host: str = Field(default="", max_length=255)
    pid: int | None = None
    rows_scanned: int = 0
    created_count: int = 0
    escalated_count: int = 0
    downgraded_count: int = 0
    resolved_count: int = 0
    skipped: bool = False
    error: str | None = None


class CountSession(SQLModel, table=True):
    __tablename__ = "count_sessions"
    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(default="", max_length=100)
    location_id: int = Field(foreign_key="locations.id")
    owner_id: int = Field(foreign_key="users.id")
    blind: bool = True
    status: str = Field(default="open", max_length=16)
    approved_by: int | None = Field(default=None, foreign_key="users.id")
    approved_at: datetime | None = None
    closed_by: int | None = Field(default=None, foreign_key="users.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None


class CountLine(SQLModel, table=True):
    __tablename__ = "count_lines"
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="count_sessions.id")
    product_id: int = Field(foreign_key="products.id")
    counted: int = 0
    ledger_position: int = 0
    counted_at: datetime = Field(default_factory=utcnow)
    counted_by: int | None = Field(default=None, foreign_key="users.id")
    recounts: int = 0
    reason: str = ""
    expected_at_post: int | None = None
    posted_difference: int | None = None
    posted_at: datetime | None = None


class CountEvent(SQLModel, table=True):
    """One step in a count's history (sql/0009): start, line, reason, approval, posting."""

    __tablename__ = "count_events"
    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(foreign_key="count_sessions.id")
    event: str = Field(max_length=16)
    product_id: int | None = Field(default=None, foreign_key="products.id")
    quantity: int | None = None
    detail: str = ""
    user_id: int | None = Field(default=None, foreign_key="users.id")
    os_user: str | None = _os_user()
    created_at: datetime = Field(default_factory=utcnow)


class DemandSettings(SQLModel, table=True):
    """The [demand] settings as the triggers read them (copied from config.toml by each sweep)."""

    __tablename__ = "demand_settings"
    id: bool = Field(default=True, primary_key=True)
    window_days: int = 28
    safety_days: int = 0
    review_days: int = 7
    updated_at: datetime = Field(default_factory=utcnow)
    judged_at: datetime | None = None
    usage_window: int | None = None  # the window inventory's kept usage was computed for
    usage_refresh_rows: int = 5000  # rows whose kept usage ran out of days computed again a full sweep, at most
    usage_refresh_ms: int = 300  # and for at most this long (sql/0014_usage_refresh_batches.sql)


class ItemFirstMovement(SQLModel, table=True):
    """Each item's first ledger row (kept by a trigger): usage of a new item is not diluted."""

    __tablename__ = "item_first_movements"
    product_id: int = Field(primary_key=True)
    location_id: int = Field(primary_key=True)
    first_at: datetime
