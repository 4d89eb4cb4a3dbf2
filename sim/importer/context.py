"""What one import carries along: the bodies, the fields used, notes, and where each part came from."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.importer.bodies import Bodies, Body
from sim.importer.fields import Item, Usage

__all__ = ["ImportContext"]


@dataclass
class ImportContext:
    """The state of one import.

    `origins` maps a key path of the scenario document (`("databases", 0, "shards")`) to
    the body and object it was read from (`"bdbs.json: [0]"`), so that a rule the
    scenario breaks is reported against the cluster's data, not the generated file;
    `skipped_bdbs` are the databases left out (not Redis), whose shards are skipped too.
    """

    bodies: Bodies
    usage: Usage = field(default_factory=Usage)
    notes: list[str] = field(default_factory=list)
    origins: dict[tuple[Any, ...], str] = field(default_factory=dict)
    skipped_bdbs: set[int] = field(default_factory=set)

    def items(self, body: Body, kind: str) -> list[Item]:
        """Every object of a list body, as Items."""
        return [Item(data, body.origin, f"[{i}]", kind, self.usage) for i, data in enumerate(body.data)]

    def origin_of(self, loc: tuple[Any, ...]) -> str:
        """The origin of the deepest part of `loc` that has one (the cluster's body otherwise)."""
        for end in range(len(loc), 0, -1):
            found = self.origins.get(tuple(loc[:end]))
            if found is not None:
                return found
        return self.bodies.cluster.origin
