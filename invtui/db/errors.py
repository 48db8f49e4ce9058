"""Turning database exceptions into the project's own one-sentence errors.

The CLI and the UI both pass unexpected exceptions through `friendly_error`, so an unreachable
server or a constraint the database enforced reads the same everywhere.
"""

from __future__ import annotations

import psycopg
from sqlalchemy.exc import DBAPIError, OperationalError as SAOperationalError

from invtui.config import redact_url
from invtui.errors import ConflictError, DatabaseUnavailable, InvtuiError, ValidationError

# What each constraint of sql/ means to a person, by constraint name.
CONSTRAINT_MESSAGES = {
    "products_sku_key": "A product with that SKU already exists",
    "products_barcode_key": "A product with that barcode already exists",
    "locations_code_key": "A location with that code already exists",
    "suppliers_code_key": "A supplier with that code already exists",
    "categories_name_key": "A category with that name already exists",
    "users_username_key": "A user with that name already exists",
    "uq_stock_alerts_one_open": "That item already has an open alert",
    "inventory_no_negative_stock": "Stock cannot go below zero",
    "inventory_reserved_within_quantity": "Reserved stock cannot exceed the quantity on hand",
    "products_thresholds_ordered": "Thresholds must satisfy min <= reorder point <= max",
    "alert_rules_one_per_scope": "A rule for that product and location already exists",
    "purchase_order_lines_one_per_product": "That product is already on this purchase order",
    "purchase_order_lines_receipt_within_order": "Cannot receive more than was ordered",
    # two writers creating the same product x location row at once (a CSV import beside an operator)
    "idx_inventory_product_location": "Someone else created the same stock row at the same moment; try again",
}


def friendly_error(exc: BaseException) -> InvtuiError | None:
    """The project error that `exc` means, or None if it is not a database error we understand."""
    if isinstance(exc, InvtuiError):
        return exc
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    if isinstance(exc, SAOperationalError) or isinstance(orig, psycopg.OperationalError):
        first = str(orig).strip().splitlines()[0] if str(orig).strip() else "connection failed"
        return DatabaseUnavailable(f"Database unreachable: {redact_url(first)}")
    if isinstance(orig, psycopg.errors.IntegrityError):
        name = getattr(orig.diag, "constraint_name", None) or ""
        message = CONSTRAINT_MESSAGES.get(name)
        if message is None:
            message = f"The database refused the change ({name or type(orig).__name__})"
        return ConflictError(message)
    if isinstance(orig, psycopg.errors.DataError):
        first = str(orig).strip().splitlines()[0]
        return ValidationError(f"Invalid value: {redact_url(first)}")
    if isinstance(orig, psycopg.Error) and isinstance(orig, psycopg.errors.SerializationFailure | psycopg.errors.DeadlockDetected):
        return ConflictError("Someone else changed the same rows at the same moment; try again")
    return None
