"""Tidying passes: settings back to their defaults (a key removed when the failure stays),
pinned placements given back to the placement algorithm, nodes and shards renumbered 1, 2, …

Every change is kept only when the same failure remains, like any other. What is being
rehearsed is never reset [ours]: a database's data-protection settings (replication,
persistence and its policies, rack awareness) and the requests as written (method, user,
body) stay as they are, so the shrunk scenario fails *with the user's configuration*, not with
a weaker one that happens to break the same bound.
"""
from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from sim.shrink.case import Case
from sim.shrink.judge import Judge
from sim.shrink.layout import renumber_nodes, renumber_shards

__all__ = ["shrink_keys", "unpin", "renumber_node_uids", "renumber_shard_uids", "optional_keys"]

Data = dict[str, Any]
Path = tuple[Any, ...]

#: Keys never tried: identities, what other passes handle (pairs, lists, the window), and
#: what is being rehearsed (a database's data protection).
_KEEP = {"uid", "shards", "timeline", "databases", "nodes", "users", "modules", "duration",
         "replication", "data_persistence", "aof_policy", "snapshot_policy", "master_persistence", "rack_aware"}


def optional_keys(data: Data) -> Iterator[Path]:
    """Key paths whose removal (back to the default) is worth a try, in a fixed order."""
    for key in ("description", "faults", "timing"):
        if key in data:
            yield (key,)
    for key in data.get("timing") or {}:
        yield ("timing", key)
    cluster = data["cluster"]
    for key in cluster:
        if key not in _KEEP:
            yield ("cluster", key)
    for key in cluster.get("policy") or {}:
        yield ("cluster", "policy", key)
    for i, module in enumerate(cluster.get("modules") or []):
        yield from (("cluster", "modules", i, key) for key in module
                    if key not in ("uid", "module_name", "semantic_version"))
    for i, node in enumerate(cluster["nodes"]):
        yield from (("cluster", "nodes", i, key) for key in node if key not in _KEEP)
    for i, db in enumerate(data.get("databases") or []):
        yield from (("databases", i, key) for key in db if key not in _KEEP)
        for group in ("dataset", "workload"):
            if isinstance(db.get(group), dict):
                yield from (("databases", i, group, key) for key in db[group])


def _without(data: Data, path: Path) -> Data | None:
    data = copy.deepcopy(data)
    inner = data
    for part in path[:-1]:  # a path may be gone: its parent was removed earlier in the pass
        if not isinstance(inner, (dict, list)) or (isinstance(inner, dict) and part not in inner):
            return None
        inner = inner[part]
    if not isinstance(inner, dict) or path[-1] not in inner:
        return None
    del inner[path[-1]]
    return data


def shrink_keys(case: Case, judge: Judge) -> Case:
    """Each optional key removed in turn, kept out when the failure stays."""
    for path in list(optional_keys(case.data)):
        data = _without(case.data, path)
        if data is not None and judge.fails(trial := Case(data, case.ids)):
            case = trial
    return case


def unpin(case: Case, judge: Judge) -> Case:
    """Each pinned database handed back to the placement algorithm, when the failure stays."""
    for index in range(len(case.data.get("databases") or [])):
        if case.data["databases"][index].get("shards") is not None:
            data = copy.deepcopy(case.data)
            del data["databases"][index]["shards"]
            if judge.fails(trial := Case(data, case.ids)):
                case = trial
    return case


def renumber_node_uids(case: Case, judge: Judge) -> Case:
    """Node uids renumbered 1, 2, … (in their old order) when the failure stays."""
    return _renumbered(case, judge, renumber_nodes)


def renumber_shard_uids(case: Case, judge: Judge) -> Case:
    """Pinned shard uids renumbered 1, 2, … (in their old order) when the failure stays."""
    return _renumbered(case, judge, renumber_shards)


def _renumbered(case: Case, judge: Judge, change: Callable[[Data], Data]) -> Case:
    trial = Case(change(case.data), case.ids)
    return trial if trial.data != case.data and judge.fails(trial) else case
