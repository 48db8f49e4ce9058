"""Categories: a name products are grouped by, unique in any case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, select

from invtui.db.models import Category
from invtui.domain import validation
from invtui.domain.roles import Actor, Permission
from invtui.errors import ConflictError, NotFound, ValidationError
from invtui.services.acting import require_current
from invtui.services.catalog.common import (DEFAULT_PAGE, UNSET, Page, announce, flush, list_by, retire, touch,
                                            view_of)
from invtui.services.tx import unit_of_work


@dataclass(frozen=True)
class CategoryView:
    id: int
    name: str
    description: str
    is_active: bool



def create_category(session: Session, actor: Actor, name: str, description: str = "") -> CategoryView:
    require_current(session, actor, Permission.EDIT_CATALOG)
    clean = validation.text(name, what="Category name", max_length=100)
    about = validation.text(description, what="Description", max_length=2000, required=False)
    with unit_of_work(session):
        if _find_category(session, clean) is not None:
            raise ConflictError(f"A category named {clean!r} already exists")
        category = Category(name=clean, description=about)
        session.add(category)
        flush(session)
        announce(session, actor, "category", "created", category.id, name=clean)
    return view_of(CategoryView, category)


def update_category(session: Session, actor: Actor, name: str, *, new_name: Any = UNSET,
                    description: Any = UNSET, active: Any = UNSET) -> CategoryView:
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        category = category_row(session, name)
        if new_name is not UNSET:
            clean = validation.text(new_name, what="Category name", max_length=100)
            other = _find_category(session, clean)
            if other is not None and other.id != category.id:
                raise ConflictError(f"A category named {clean!r} already exists")
            category.name = clean
        if description is not UNSET:
            category.description = validation.text(description, what="Description", max_length=2000, required=False)
        if active is not UNSET:
            category.is_active = bool(active)
        touch(category)
        flush(session)
        announce(session, actor, "category", "updated", category.id, name=category.name)
    return view_of(CategoryView, category)


def deactivate_category(session: Session, actor: Actor, name: str) -> CategoryView:
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        category = category_row(session, name)
        retire(session, actor, category, "category", f"Category {category.name}", name=category.name)
    return view_of(CategoryView, category)


def get_category(session: Session, name: str) -> CategoryView:
    """A category by name, in any case."""
    with unit_of_work(session):
        return view_of(CategoryView, category_row(session, name))


def category_row(session: Session, name: str) -> Category:
    """The stored category named `name` (any case), for the catalog's own writes."""
    clean = (name or "").strip()
    if not clean:
        raise ValidationError("A category name is required")
    found = _find_category(session, clean)
    if found is None:
        raise NotFound(f"Unknown category {clean!r}")
    return found


def list_categories(session: Session, *, search: str | None = None, active: bool | None = None,
                    limit: object = DEFAULT_PAGE, after: str | None = None) -> Page[CategoryView]:
    return list_by(session, Category, Category.name, (Category.name,), CategoryView, search=search, active=active,
                   limit=limit, after=after)


def _find_category(session: Session, name: str) -> Category | None:
    return session.exec(select(Category).where(func.lower(Category.name) == name.lower())).first()
