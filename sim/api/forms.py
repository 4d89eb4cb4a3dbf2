"""The `modules` items of both upgrade requests: their two identification forms (SPEC §2 row 4)
and finding the modules they name, loaded on a database or uploaded to the cluster."""
from __future__ import annotations

from collections.abc import Sequence

from sim.api.codes import ErrorCode
from sim.api.requests import ModuleUpgradeItem
from sim.api.results import Rejected
from sim.model.config import ModuleSpec
from sim.model.state import BdbState, ClusterState
from sim.model.versions import Version, is_version

__all__ = ["check_forms", "uploaded", "loaded", "invalid"]


def invalid(message: str) -> Rejected:
    """A 400 invalid_request (row 4)."""
    return Rejected.of(ErrorCode.INVALID_REQUEST, message)


def check_forms(items: Sequence[ModuleUpgradeItem], state: ClusterState, bdb: BdbState) -> Rejected | None:
    """Row 4 for the items: each names its current module by one form (or both, agreeing), with
    a version that parses, and no module is listed twice."""
    seen: set[str] = set()
    for i, item in enumerate(items):
        where = f"modules[{i}]"
        by_name = item.module_name is not None or item.current_semantic_version is not None
        if by_name and (item.module_name is None or item.current_semantic_version is None):
            return invalid(f"{where}: module_name and current_semantic_version must be given together")
        if not by_name and item.current_module is None:
            return invalid(f"{where}: name the current module by current_module, "
                           "or by module_name and current_semantic_version")
        if by_name and not is_version(item.current_semantic_version):
            return invalid(f"{where}.current_semantic_version: {item.current_semantic_version!r} is not a version")
        if by_name and item.current_module is not None:
            problem = _disagreement(state, bdb, item)
            if problem:
                return invalid(f"{where}: {problem}")
        key = _identity(bdb, item)
        if key in seen:
            return invalid(f"{where}: module {item.current_module or item.module_name} is listed twice")
        seen.add(key)
    return None


def _disagreement(state: ClusterState, bdb: BdbState, item: ModuleUpgradeItem) -> str | None:
    """Why the two identification forms of one item name different modules, if they do."""
    uid = str(item.current_module)
    known = uploaded(state, uid)
    if known is not None and not _same_module(known.module_name, known.semantic_version, item):
        return (f"current_module {uid} is {known.module_name} {known.semantic_version}, "
                f"not {item.module_name} {item.current_semantic_version}")
    entry = next((e for e in bdb.module_list if _same_module(e["module_name"], e["semantic_version"], item)), None)
    if known is None and entry is not None and entry["module_id"].lower() != uid.lower():
        return (f"{item.module_name} {item.current_semantic_version} on database {bdb.uid} is module "
                f"{entry['module_id']}, not current_module {uid}")
    return None


def _identity(bdb: BdbState, item: ModuleUpgradeItem) -> str:
    """What an item names, so one module listed by uid and by name counts as a duplicate."""
    if item.current_module is not None:
        return item.current_module.lower()
    entry = next((e for e in bdb.module_list if _same_module(e["module_name"], e["semantic_version"], item)), None)
    return entry["module_id"].lower() if entry is not None else f"name:{str(item.module_name).lower()}"


def uploaded(state: ClusterState, uid: str) -> ModuleSpec | None:
    """The uploaded module with this uid (compared case-insensitively), or None."""
    module = state.modules.get(uid)
    if module is None:
        module = next((m for m in state.modules.values() if m.uid.lower() == uid.lower()), None)
    return module


def _same_module(name: str, version: str, item: ModuleUpgradeItem) -> bool:
    return (name.lower() == str(item.module_name).lower()
            and Version(version) == Version(str(item.current_semantic_version)))


def loaded(bdb: BdbState, item: ModuleUpgradeItem) -> dict[str, str] | None:
    """The database's `module_list` entry an item names, by uid or by name and version, or None."""
    for entry in bdb.module_list:
        if item.current_module is not None:
            if entry["module_id"].lower() == item.current_module.lower():
                return entry
        elif _same_module(entry["module_name"], entry["semantic_version"], item):
            return entry
    return None
