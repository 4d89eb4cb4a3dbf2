"""Map the vendor's module objects (`/v1/modules`) to the scenario's `cluster.modules`.

Real values read right (SPEC §12): capability names outside SPEC §4's list are kept (the
capability mapping ignores them; a name listed twice is kept once); an empty
`compatible_redis_version` (or minimum version) means none.
"""
from __future__ import annotations

import re
from typing import Any

from sim.importer.context import ImportContext
from sim.importer.fields import show

__all__ = ["read_modules"]

_UID = re.compile(r"^[0-9a-fA-F]{32}$")


def read_modules(ctx: ImportContext) -> list[dict[str, Any]]:
    """Every uploaded module as a `cluster.modules` entry; DataError for a bad field or a uid given twice."""
    modules: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for item in ctx.items(ctx.bodies.modules, "module"):
        uid = item.text("uid")
        if not _UID.match(uid):
            raise item.fail("uid", f"expected 32 hex characters, got {show(uid)}")
        if uid.lower() in seen:
            raise item.fail("uid", f"{uid} is the uid of another module too ({seen[uid.lower()]})")
        seen[uid.lower()] = f"{item.origin}: {item.path}"
        name = item.text("module_name").strip()
        if not name:
            raise item.fail("module_name", "empty")
        entry: dict[str, Any] = {"uid": uid, "module_name": name,
                                 "semantic_version": item.version("semantic_version")}
        version = item.integer("version", None, minimum=0)
        if version is not None:
            entry["version"] = version
        for key in ("min_redis_version", "min_redis_pack_version", "compatible_redis_version"):
            value = item.version(key, None, empty_is_none=True)
            if value is not None:
                entry[key] = value
        entry["capabilities"] = _capabilities(item)
        ctx.origins[("cluster", "modules", len(modules))] = f"{item.origin}: {item.path}"
        modules.append(entry)
    return modules


def _capabilities(item: Any) -> list[str]:
    names: list[str] = []
    for i, name in enumerate(item.items("capabilities", [])):
        if not isinstance(name, str) or not name.strip():
            raise item.fail(f"capabilities[{i}]", f"expected a capability name, got {show(name)}")
        if name.strip() not in names:
            names.append(name.strip())
    return names
