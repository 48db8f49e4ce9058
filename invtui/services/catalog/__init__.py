"""The catalog: products, categories, suppliers and locations, one module each.

Every change is one transaction, checked against the actor's role (EDIT_CATALOG), validated
before it is written (the shared checks are in `domain.validation`) and announced with a
`catalog.changed` event. Nothing is ever deleted: stock and ledger rows point at these records,
so retiring one means deactivating it (and `update(..., active=True)` brings it back). Alert
rules, which are about stock rather than the catalog, live in `services.alert_rules`.

Every function hands back plain frozen dataclasses (`ProductView`, `CategoryView`, `SupplierView`,
`LocationView`), never the ORM rows, so the CLI and the screens cannot reach the session through them.
Callers use the package as one namespace (`catalog.create_product`); the modules are how the code
is kept, not an API.
"""

from __future__ import annotations

from invtui.services.choices import CHOICES_MAX, Choice, choices
from invtui.services.catalog.common import (
    DEFAULT_PAGE,
    PAGE_MAX,
    Page,
    UNSET,
)
from invtui.services.catalog.categories import (
    CategoryView,
    create_category,
    deactivate_category,
    get_category,
    list_categories,
    update_category,
)
from invtui.services.catalog.suppliers import (
    SupplierView,
    create_supplier,
    deactivate_supplier,
    get_supplier,
    list_suppliers,
    update_supplier,
)
from invtui.services.catalog.locations import (
    LocationView,
    create_location,
    deactivate_location,
    get_location,
    list_locations,
    update_location,
)
from invtui.services.catalog.products import (
    ProductView,
    create_product,
    deactivate_product,
    get_product,
    list_products,
    update_product,
)

__all__ = [
    "CHOICES_MAX",
    "CategoryView",
    "LocationView",
    "Choice",
    "choices",
    "DEFAULT_PAGE",
    "PAGE_MAX",
    "Page",
    "ProductView",
    "SupplierView",
    "UNSET",
    "create_category",
    "create_location",
    "create_product",
    "create_supplier",
    "deactivate_category",
    "deactivate_location",
    "deactivate_product",
    "deactivate_supplier",
    "get_category",
    "get_location",
    "get_product",
    "get_supplier",
    "list_categories",
    "list_locations",
    "list_products",
    "list_suppliers",
    "update_category",
    "update_location",
    "update_product",
    "update_supplier",
]
