"""Locations: the bins and rooms stock is kept in, by code."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from invtui.db.models import Location
from invtui.domain import validation
from invtui.domain.roles import Actor, Permission
from invtui.errors import ConflictError
from invtui.services import lookup
from invtui.services.acting import require_current
from invtui.services.catalog.common import (DEFAULT_PAGE, UNSET, Page, announce, flush, list_by, retire, touch,
                                            view_of)
from invtui.services.tx import unit_of_work


@dataclass(frozen=True)
class LocationView:
    id: int
    code: str
    name: str
    count_every_days: int | None  # how often it is to be counted (cycle counts), None: not scheduled
    is_active: bool



def create_location(session: Session, actor: Actor, code: str, name: str = "") -> LocationView:
    require_current(session, actor, Permission.EDIT_CATALOG)
    location = Location(code=validation.code(code, "Location code", 32),
                        name=validation.text(name, what="Location name", max_length=200, required=False))
    with unit_of_work(session):
        if session.exec(select(Location.id).where(Location.code == location.code)).first():
            raise ConflictError(f"A location with code {location.code} already exists")
        session.add(location)
        flush(session)
        announce(session, actor, "location", "created", location.id, code=location.code, name=location.name)
    return view_of(LocationView, location)


def update_location(session: Session, actor: Actor, code: str, *, name: Any = UNSET, active: Any = UNSET) -> LocationView:
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        location = lookup.location(session, code)
        if name is not UNSET:
            location.name = validation.text(name, what="Location name", max_length=200, required=False)
        if active is not UNSET:
            location.is_active = bool(active)
        touch(location)
        flush(session)
        announce(session, actor, "location", "updated", location.id, code=location.code, name=location.name)
    return view_of(LocationView, location)


def deactivate_location(session: Session, actor: Actor, code: str) -> LocationView:
    """Retire a bin: no stock moves in or out of it until it is reactivated."""
    require_current(session, actor, Permission.EDIT_CATALOG)
    with unit_of_work(session):
        location = lookup.location(session, code)
        retire(session, actor, location, "location", f"Location {location.code}", code=location.code,
               name=location.name)
    return view_of(LocationView, location)


def get_location(session: Session, code: str) -> LocationView:
    """A location by code, in any case."""
    with unit_of_work(session):
        return view_of(LocationView, lookup.location(session, code))


def list_locations(session: Session, *, search: str | None = None, active: bool | None = None,
                   limit: object = DEFAULT_PAGE, after: str | None = None) -> Page[LocationView]:
    return list_by(session, Location, Location.code, (Location.code, Location.name), LocationView, search=search,
                   active=active, limit=limit, after=after)
