"""The REST mirror (pure): request models, validation in the SPEC §2 / §10 order, answers."""
from __future__ import annotations

from sim.api.codes import OK, ErrorCode
from sim.api.resources import bdb_resource
from sim.api.requests import (
    ENDPOINTS, ApiRequest, Credentials, DbUpgradeBody, ModuleUpgradeBody, ModuleUpgradeItem, match_endpoint,
    parse_body,
)
from sim.api.responses import success_body
from sim.api.validate import Accepted, ModulePlan, Rejected, validate

__all__ = [
    "OK", "ErrorCode", "ENDPOINTS", "ApiRequest", "Credentials", "DbUpgradeBody", "ModuleUpgradeBody",
    "ModuleUpgradeItem", "match_endpoint", "parse_body", "success_body", "bdb_resource", "Accepted", "ModulePlan",
    "Rejected", "validate",
]
