"""The two answers validation gives: `Accepted` (what the action will do) or `Rejected`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.api.codes import OK, ErrorCode

__all__ = ["ModulePlan", "Accepted", "Rejected", "MODULE_UPGRADE", "DB_UPGRADE"]

#: Endpoint names (`sim.api.requests.ENDPOINTS`) of the two upgrade requests.
MODULE_UPGRADE = "bdb_modules_upgrade"
DB_UPGRADE = "bdb_upgrade"


@dataclass(frozen=True, slots=True)
class ModulePlan:
    """One module of an accepted upgrade: from which uploaded module to which."""

    module_name: str
    from_uid: str
    to_uid: str
    new_module_args: str | None


@dataclass(frozen=True, slots=True)
class Accepted:
    """An accepted upgrade: what the action will do."""

    bdb_uid: int
    modules: tuple[ModulePlan, ...]
    preserve_roles: bool
    may_discard_data: bool
    status: int = OK
    #: the target Redis version of a database upgrade (None: unchanged)
    redis_version: str | None = None
    force_discard: bool = False
    #: `parallel_shards_upgrade` for this action only (None: the cluster policy's)
    parallel: int | None = None
    #: False when nothing changes: the action completes at once, restarting nothing
    restart: bool = True
    #: which request was accepted (its answer's shape depends on it)
    endpoint: str = MODULE_UPGRADE


@dataclass(frozen=True, slots=True)
class Rejected:
    """A rejected request: HTTP status, `error_code` and a message naming the problem."""

    status: int
    error_code: ErrorCode
    message: str

    @classmethod
    def of(cls, code: ErrorCode, message: str) -> Rejected:
        """A rejection with the status the error code carries."""
        return cls(code.status, code, message)

    @property
    def body(self) -> dict[str, Any]:
        """The error object the API returns."""
        return {"error_code": self.error_code.value, "message": self.message}
