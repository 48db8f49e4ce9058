"""Suppliers: who purchase orders go to, by code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from invtui.db.models import Supplier
from invtui.domain import validation
from invtui.domain.roles import Actor, Permission
from invtui.errors import ConflictError
from invtui.services import lookup
from invtui.services.acting import require_current
from invtui.services.catalog.common import (DEFAULT_PAGE, UNSET, Page, announce, flush, list_by, retire, touch,
                                            view_of)
from invtui.services.tx import unit_of_work


@dataclass(frozen=True)
class SupplierView:
    id: int
    code: str
    name: str
    contact_name: str
    email: str
    phone: str
    lead_time_days: int
    is_active: bool



def create_supplier(session: Session, actor: Actor, code: str, name: str, *, contact_name: str = "",
                    email: str = "", phone: str = "", lead_time_days: object = 7) -> SupplierView:
    require_current(session, actor, Permission.EDIT_CATALOG)
    supplier = Supplier(
        code=validation.code(code, "Supplier code", 32),
        name=validation.text(name, what="Supplier name", max_length=200),
        contact_name=validation.text(contact_name, what="Contact name", max_length=200, required=False),
        email=validation.text(email, what="E-mail", max_length=254, required=False),
        phone=validation.text(phone, what="Phone", max_length=50, required=False),
        lead_time_days=validation.quantity(lead_time_days, minimum=0, maximum=3650, what="Lead time (days)"),
    )
    with unit_of_work(session):
        if session.exec(select(Supplier.id).where(Supplier.code == supplier.code)).first():
            raise ConflictError(f"A supplier with code {supplier.code} already exists")
        session.add(supplier)
        flush(session)
        announce(session, actor, "supplier", "created", supplier.id, code=supplier.code, name=supplier.name)
    return view_of(SupplierView, supplier)


def update_supplier(session: Session, actor: Actor, code: str, *, name: Any = UNSET, contact_name: Any = UNSET,
                    email: Any = UNSET, phone: Any = UNSET, lead_time_days: Any = UNSET,
                    active: Any = UNSET) -> SupplierView:
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        supplier = lookup.supplier(session, code)
        if name is not UNSET:
            supplier.name = validation.text(name, what="Supplier name", max_length=200)
        if contact_name is not UNSET:
            supplier.contact_name = validation.text(contact_name, what="Contact name", max_length=200, required=False)
        if email is not UNSET:
            supplier.email = validation.text(email, what="E-mail", max_length=254, required=False)
        if phone is not UNSET:
            supplier.phone = validation.text(phone, what="Phone", max_length=50, required=False)
        if lead_time_days is not UNSET:
            supplier.lead_time_days = validation.quantity(lead_time_days, minimum=0, maximum=3650,
                                                          what="Lead time (days)")
        if active is not UNSET:
            supplier.is_active = bool(active)
        touch(supplier)
        flush(session)
        announce(session, actor, "supplier", "updated", supplier.id, code=supplier.code, name=supplier.name)
    return view_of(SupplierView, supplier)


def deactivate_supplier(session: Session, actor: Actor, code: str) -> SupplierView:
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        supplier = lookup.supplier(session, code)
        retire(session, actor, supplier, "supplier", f"Supplier {supplier.code}", code=supplier.code,
               name=supplier.name)
    return view_of(SupplierView, supplier)


def get_supplier(session: Session, code: str) -> SupplierView:
    """A supplier by code (any case) or exact name."""
    with unit_of_work(session):
        return view_of(SupplierView, lookup.supplier(session, code))


def list_suppliers(session: Session, *, search: str | None = None, active: bool | None = None,
                   limit: object = DEFAULT_PAGE, after: str | None = None) -> Page[SupplierView]:
    return list_by(session, Supplier, Supplier.code, (Supplier.code, Supplier.name), SupplierView, search=search,
                   active=active, limit=limit, after=after)
