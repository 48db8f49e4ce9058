"""Who may do what (DESIGN.md section 7). Pure: the services call `require` before acting."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from invtui.errors import PermissionDenied


class Role(str, Enum):
    VIEWER = "viewer"
    OPERATOR = "operator"
    MANAGER = "manager"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return _RANK[self]


_RANK = {Role.VIEWER: 0, Role.OPERATOR: 1, Role.MANAGER: 2, Role.ADMIN: 3}


class Permission(Enum):
    """Each permission names the least role that has it and the words used when refusing."""

    MOVE_STOCK = (Role.OPERATOR, "move stock")
    RECEIVE_PO = (Role.OPERATOR, "receive purchase orders")
    HANDLE_ALERTS = (Role.OPERATOR, "acknowledge, dismiss or resolve alerts")
    DRAFT_PO = (Role.OPERATOR, "draft purchase orders")
    RUN_SWEEP = (Role.OPERATOR, "run a stock sweep")
    APPROVE_PO = (Role.MANAGER, "approve purchase orders")
    CANCEL_PO = (Role.MANAGER, "cancel purchase orders")
    APPROVE_COUNT = (Role.MANAGER, "approve count differences")
    EDIT_CATALOG = (Role.MANAGER, "edit the catalog")
    EDIT_ALERT_RULES = (Role.MANAGER, "edit alert rules")
    MANAGE_USERS = (Role.ADMIN, "manage users")

    @property
    def least_role(self) -> Role:
        return self.value[0]

    @property
    def words(self) -> str:
        return self.value[1]


@dataclass(frozen=True)
class Actor:
    """The person a service call acts for; `id` is None only for the system (the sweep)."""

    id: int | None
    username: str
    role: Role

    def can(self, permission: Permission) -> bool:
        return self.role.rank >= permission.least_role.rank


SYSTEM = Actor(id=None, username="system", role=Role.ADMIN)


def require(actor: Actor, permission: Permission) -> None:
    """Refuse with "Role operator cannot approve purchase orders" when the role lacks it."""
    if not actor.can(permission):
        raise PermissionDenied(f"Role {actor.role.value} cannot {permission.words}")


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        raise PermissionDenied(
            f"Unknown role {text!r}; choose one of {', '.join(r.value for r in Role)}"
        ) from None
