"""The type-ahead lists forms offer: active categories, suppliers, products and locations.

One query per list, codes with their names, so a form can match what an operator types against
either ("nor" finds NORTHWIND by its name). Raw SQL only, outside the catalog package: the stock
screen, built while the app idles, reads its locations here without loading the ORM (issue 15). The first `limit` by code; a form that knows the
list is complete may refuse an unknown value, one that got a full page may not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import text

from invtui.domain import validation

if TYPE_CHECKING:
    from sqlmodel import Session

CHOICES_MAX = 1000

_QUERIES = {
    "category": "SELECT name, name FROM categories WHERE is_active ORDER BY name LIMIT :limit",
    "supplier": "SELECT code, name FROM suppliers WHERE is_active ORDER BY code LIMIT :limit",
    "product": "SELECT sku, name FROM products WHERE is_active ORDER BY sku LIMIT :limit",
    "location": "SELECT code, name FROM locations WHERE is_active ORDER BY code LIMIT :limit",
}


@dataclass(frozen=True)
class Choice:
    code: str
    name: str


def choices(session: Session, kind: str, *, limit: object = CHOICES_MAX) -> list[Choice]:
    """The first `limit` active records of `kind` ('category', 'supplier', 'product', 'location')."""
    if kind not in _QUERIES:
        raise ValueError(f"no choices for {kind!r}")  # a programming error, not an operator's
    size = validation.quantity(limit, maximum=CHOICES_MAX, what="Limit")
    return [Choice(code, name) for code, name in session.execute(text(_QUERIES[kind]), {"limit": size}).all()]
