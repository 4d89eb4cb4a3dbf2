"""Management roles and the permissions they hold (SPEC §1 "Users and roles")."""
from __future__ import annotations

__all__ = ["ROLES", "EDIT_BDB_MODULE", "UPDATE_BDB_WITH_ACTION", "role_has_permission"]

#: The vendor's management roles.
ROLES: tuple[str, ...] = (
    "admin", "cluster_member", "cluster_viewer", "db_member", "db_viewer", "user_manager", "none",
)

#: The permission `POST /v1/bdbs/{uid}/modules/upgrade` requires.
EDIT_BDB_MODULE = "edit_bdb_module"
#: The permission `POST /v1/bdbs/{uid}/upgrade` requires (SPEC §10).
UPDATE_BDB_WITH_ACTION = "update_bdb_with_action"

# Only the permissions this simulator checks are listed; the vendor grants both
# edit_bdb_module and update_bdb_with_action to admin, cluster_member and db_member only.
_WRITERS = frozenset({EDIT_BDB_MODULE, UPDATE_BDB_WITH_ACTION})
_PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": _WRITERS,
    "cluster_member": _WRITERS,
    "db_member": _WRITERS,
    "cluster_viewer": frozenset(),
    "db_viewer": frozenset(),
    "user_manager": frozenset(),
    "none": frozenset(),
}


def role_has_permission(role: str, permission: str) -> bool:
    """True when management role `role` holds `permission`."""
    return permission in _PERMISSIONS.get(role, frozenset())
