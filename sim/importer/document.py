"""Assemble an imported scenario: map the bodies, validate the result, write it with comments.

The scenario is validated as the loader would validate the written file, and a rule it
breaks (a pinned layout with master and replica on one node, say) is reported against
the cluster's data — the body and object it came from — since the user never wrote the
scenario. The written text is read back and must give the same data.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sim.errors import InvariantViolation, ScenarioError
from sim.importer.bodies import Bodies
from sim.importer.cluster_map import cluster_section, read_nodes
from sim.importer.context import ImportContext
from sim.importer.database_map import database_entry, read_bdbs, read_shards
from sim.importer.examples import example_lines
from sim.importer.header import MARKER, header_lines
from sim.importer.modules_map import read_modules
from sim.scenario import Scenario, scenario_from_data
from sim.scenario.yamlsource import SourceMap
from sim.scenario.yamlsource import dotted
from sim.scenario.yamlwrite import Commented, dump_commented, plain, reads_back

__all__ = ["Imported", "import_bodies", "MARKER"]


@dataclass(frozen=True, slots=True)
class Imported:
    """An imported scenario: its YAML text, the validated scenario, and the notes in its header."""

    text: str
    scenario: Scenario
    notes: tuple[str, ...]


class _Origins(SourceMap):
    """Names the cluster's body and object behind a key of the generated scenario."""

    def __init__(self, ctx: ImportContext) -> None:
        super().__init__("imported scenario", {})
        self.ctx = ctx

    def error(self, loc: tuple[Any, ...], message: str) -> ScenarioError:
        key = dotted(loc)
        return ScenarioError(f"{self.ctx.origin_of(loc)}: {message}" + (f" (scenario key {key})" if key else ""), loc)


def import_bodies(bodies: Bodies) -> Imported:
    """The scenario of a cluster's bodies; InputError (one line: origin, field, value) for bad data."""
    ctx = ImportContext(bodies)
    nodes = read_nodes(ctx)
    modules = read_modules(ctx)
    bdbs = sorted(read_bdbs(ctx), key=lambda item: item.uid("uid"))
    shards = read_shards(ctx, {n.uid for n in nodes}, bdbs)
    databases = [database_entry(ctx, item, i, modules, shards[item.uid("uid")]) for i, item in enumerate(bdbs)]
    per_node = Counter(s.node for records in shards.values() for s in records)
    cluster = cluster_section(ctx, nodes, modules, per_node)
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", cluster["name"]).strip("-") or "imported-cluster"
    doc = Commented({"name": name, "description": f"Cluster {cluster['name']} imported from {bodies.source}",
                     "cluster": cluster, "databases": databases, "timeline": []})
    examples = example_lines(databases, modules, cluster["version"])
    doc.note("timeline", inline="nothing is sent yet" + (": to rehearse an upgrade, replace [] with the example "
                                                        "below, uncommented" if examples else ""), after=examples)
    scenario = scenario_from_data(plain(doc), _Origins(ctx))
    text = dump_commented(doc, header_lines(ctx))
    if not reads_back(text, doc):  # the scenario validated is the one written (the writer's tests hold it)
        raise InvariantViolation("the written scenario does not read back as the imported one")
    return Imported(text, scenario, tuple(ctx.notes))
