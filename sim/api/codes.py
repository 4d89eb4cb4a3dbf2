"""Error codes of the upgrade requests, each carrying its HTTP status (SPEC §2, §10).

Modelled on httpx's status-code enum: the member is the `error_code` string the API
returns, and knows its HTTP status and reason phrase.
"""
from __future__ import annotations

from enum import Enum

__all__ = ["ErrorCode", "OK"]

#: Status of an accepted request.
OK = 200


class ErrorCode(str, Enum):
    """An API `error_code` with its HTTP status; `ErrorCode.DB_BUSY.status == 409`."""

    status: int
    phrase: str

    def __new__(cls, code: str, status: int, phrase: str) -> ErrorCode:
        member = str.__new__(cls, code)
        member._value_ = code
        member.status = status
        member.phrase = phrase
        return member

    UNAUTHORIZED = ("unauthorized", 401, "Unauthorized")
    INSUFFICIENT_PERMISSIONS = ("insufficient_permissions", 403, "Forbidden")
    BDB_NOT_FOUND = ("bdb_not_found", 404, "Not Found")
    INVALID_REQUEST = ("invalid_request", 400, "Bad Request")
    INVALID_VERSION = ("invalid_version", 400, "Bad Request")
    REDIS_DOWNGRADE_UNSUPPORTED = ("redis_downgrade_unsupported", 400, "Bad Request")
    MISSING_MODULE = ("missing_module", 400, "Bad Request")
    MODULE_DOWNGRADE_UNSUPPORTED = ("module_downgrade_unsupported", 406, "Not Acceptable")
    REDIS_INCOMPATIBLE_VERSION = ("redis_incompatible_version", 406, "Not Acceptable")
    REDIS_PACK_INCOMPATIBLE_VERSION = ("redis_pack_incompatible_version", 406, "Not Acceptable")
    UNSUPPORTED_MODULE_CAPABILITIES = ("unsupported_module_capabilities", 406, "Not Acceptable")
    UPGRADE_BDB_FAILED = ("upgrade_bdb_failed", 400, "Bad Request")
    DB_BUSY = ("db_busy", 409, "Conflict")
    NO_QUORUM = ("no_quorum", 503, "Service Unavailable")
    DISCARD_DATA_REQUIRED = ("discard_data_required", 406, "Not Acceptable")

    def __str__(self) -> str:
        return str(self.value)
