"""Warnings on valid but risky scenarios: set-ups an operator may not see (ours; never failures).

- **Quorum and racks**: losing some one rack leaves at most half of the nodes up (quorum-only
  nodes count), so the cluster loses quorum (SPEC §5) when that rack fails.
- **Recovering a node that is up**: a `node_recover` step with no earlier `node_crash` of that
  node (timeline order: by `at`, then as written), or a second one with no crash between. A
  static check; nodes that random faults (`faults.random`) may crash are not judged.
- **Both copies in one rack**: a replicated database with a pair whose master and replica sit
  in the same rack (at t = 0, as placed): one rack failure takes both copies. Judged on clusters
  whose nodes name at least two racks.

`validate` prints them (`--strict` makes them errors); `run` and `check` print them too.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sim.model.state import ClusterState
from sim.scenario.models import NodeCrashStepSpec, NodeRecoverStepSpec, Scenario
from sim.scenario.yamlsource import Loc, SourceMap

__all__ = ["ScenarioWarning", "scenario_warnings"]


@dataclass(frozen=True, slots=True)
class ScenarioWarning:
    """A risky set-up: where it is (a key path) and what it risks."""

    loc: Loc
    message: str

    def describe(self, source: SourceMap) -> str:
        """`FILE:LINE: key: message`."""
        return source.describe(self.loc, self.message)


def scenario_warnings(scenario: Scenario) -> list[ScenarioWarning]:
    """Every warning of a valid scenario, in the order of the module docstring."""
    state = scenario.initial_state()
    return [*_rack_quorum(state), *_recover_up_nodes(scenario), *_pairs_in_one_rack(scenario, state)]


def _racks(state: ClusterState) -> dict[str, list[int]]:
    racks: dict[str, list[int]] = defaultdict(list)
    for uid in sorted(state.nodes):
        rack = state.nodes[uid].rack_id
        if rack is not None:
            racks[rack].append(uid)
    return dict(racks)


def _rack_quorum(state: ClusterState) -> list[ScenarioWarning]:
    total = len(state.nodes)
    fatal = [(rack, nodes) for rack, nodes in sorted(_racks(state).items()) if 2 * (total - len(nodes)) <= total]
    if not fatal:
        return []
    losses = "; ".join(f"rack {rack} (node{'s' if len(nodes) > 1 else ''} {_list(nodes)}) leaves "
                       f"{total - len(nodes)} of {total} up" for rack, nodes in fatal)
    return [ScenarioWarning(("cluster", "nodes"), f"the cluster loses quorum when one rack fails: losing {losses} "
                            "(more than half of the nodes must stay up: spread them so that no rack holds half "
                            "of them; a quorum-only node counts)")]


def _recover_up_nodes(scenario: Scenario) -> list[ScenarioWarning]:
    random = scenario.faults.random
    judged = {n.uid for n in scenario.cluster.nodes} - set(
        (random.nodes or [n.uid for n in scenario.cluster.nodes]) if random is not None else [])
    down: set[int] = set()
    recovered: dict[int, float] = {}
    found = []
    for i, step in sorted(enumerate(scenario.timeline), key=lambda item: (item[1].at, item[0])):
        if isinstance(step, NodeCrashStepSpec):
            down.add(step.node_crash)
        elif isinstance(step, NodeRecoverStepSpec) and step.node_recover in judged:
            node = step.node_recover
            if node in down:
                down.discard(node)
                recovered[node] = step.at
                continue
            since = f"recovered at t={recovered[node]:g} and not crashed since" if node in recovered else \
                "no node_crash of it comes before"
            found.append(ScenarioWarning(("timeline", i, "node_recover"),
                                         f"node {node} is up at t={step.at:g} ({since}): this recovery does nothing"))
    return found


def _pairs_in_one_rack(scenario: Scenario, state: ClusterState) -> list[ScenarioWarning]:
    if len(_racks(state)) < 2:
        return []
    found = []
    for i, database in enumerate(scenario.databases):
        if not database.replication:
            continue
        pairs = state.bdbs[database.uid].pairs
        shared: dict[str, list[int]] = defaultdict(list)
        for pair in pairs:
            racks = {state.nodes[state.shards[uid].node_uid].rack_id for uid in pair.shards}
            rack = racks.pop() if len(racks) == 1 else None
            if len(pair.shards) == 2 and rack is not None:
                shared[rack].append(pair.index)
        if not shared:
            continue
        count = sum(len(p) for p in shared.values())
        which = "every pair" if count == len(pairs) else f"{count} of {len(pairs)} pairs"
        where = "; ".join(f"rack {rack}: pair{'s' if len(p) > 1 else ''} {_list(p)}" for rack, p in shared.items())
        verb = "has" if which == "every pair" or count == 1 else "have"
        found.append(ScenarioWarning(("databases", i), f"database {database.uid}: {which} {verb} master and replica "
                                     f"in one rack ({where}): losing that rack loses both copies (rack_aware: true "
                                     "keeps them apart)"))
    return found


def _list(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)
