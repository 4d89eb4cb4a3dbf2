"""Package namespaces that import a name's module when the name is first used (PEP 562).

A package re-exports its public names for the reader (`from sim.sweep import plan_sweep`),
but importing the package must not import every module: `upgrade-sim validate` needs one
function of `sim.sweep`, not Dask's or multiprocessing's start-up.
"""
from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, homes: dict[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """The `__getattr__` of `package`: each name of `homes[module]` comes from `package.module`."""
    where = {name: module for module, names in homes.items() for name in names}
    if clash := set(where) & set(homes):  # importing the module would bind its name to the module
        raise ValueError(f"{package}: a public name is also a module name: {sorted(clash)}")

    def __getattr__(name: str) -> Any:
        if name not in where:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{where[name]}"), name)

    return __getattr__
