"""Structural passes: ddmin over the timeline's steps, the databases (with the requests naming
them), the nodes (with the steps naming them; pinned shards moved within the rules), each
database's pairs (its shards_count), and the cluster's users and uploaded modules.

Each pass takes a failing case and the judge, and returns a failing case (the same one when
nothing could go).
"""
from __future__ import annotations

import copy
from functools import partial
from collections.abc import Callable
from typing import Any

from sim.shrink.case import Case, request_bdb
from sim.shrink.ddmin import ddmin
from sim.shrink.judge import Judge
from sim.shrink.layout import keep_pairs, move_off, pairs_of

__all__ = ["shrink_timeline", "shrink_databases", "shrink_nodes", "shrink_pairs", "shrink_lists",
           "keep_steps", "keep_databases", "keep_nodes"]

Data = dict[str, Any]


def _search(case: Case, judge: Judge, count: int, build: Callable[[list[int]], Case | None]) -> Case:
    """ddmin over positions 0..count-1, `build` making the case that keeps some of them."""
    def fails(keep: list[int]) -> bool:
        candidate = build(keep)
        return candidate is not None and judge.fails(candidate)

    keep = ddmin(list(range(count)), fails)
    if len(keep) == count:
        return case
    found = build(keep)
    assert found is not None
    return found


def keep_steps(case: Case, keep: list[int]) -> Case:
    """The case with only the timeline steps at positions `keep`."""
    data = dict(case.data)
    data["timeline"] = [case.steps[i] for i in keep]
    return Case(data, tuple(case.ids[i] for i in keep))


def _without_steps(case: Case, data: Data, drop: Callable[[Data], bool]) -> Case:
    kept = [(s, sid) for s, sid in zip(case.steps, case.ids) if not drop(s)]
    data["timeline"] = [s for s, _ in kept]
    return Case(data, tuple(sid for _, sid in kept))


def keep_databases(case: Case, keep: list[int]) -> Case:
    """The case with only the databases at positions `keep`; requests naming another go too."""
    data = dict(case.data)
    databases = case.data.get("databases") or []
    data["databases"] = [databases[i] for i in keep]
    gone = {int(db["uid"]) for i, db in enumerate(databases) if i not in keep}
    return _without_steps(case, data, lambda step: request_bdb(step) in gone)


def keep_nodes(case: Case, keep: list[int]) -> Case | None:
    """The case with only the nodes at positions `keep`: pinned shards on the others move to
    the lowest-uid node the rules allow, and steps naming the others go; None when a shard has
    nowhere to go."""
    nodes = case.data["cluster"]["nodes"]
    gone = {int(n["uid"]) for i, n in enumerate(nodes) if i not in keep}
    if not gone:
        return case
    data = move_off(case.data, gone)
    if data is None:
        return None
    data["cluster"]["nodes"] = [nodes[i] for i in keep]
    random = (data.get("faults") or {}).get("random")
    if random and random.get("nodes"):
        random["nodes"] = [n for n in random["nodes"] if int(n) not in gone]
        if not random["nodes"]:  # an empty list would mean every node: no node is left to fail
            data["faults"].pop("random")
    return _without_steps(case, data, lambda s: any(int(s.get(k, 0)) in gone for k in ("node_crash", "node_recover")))


def shrink_timeline(case: Case, judge: Judge) -> Case:
    """ddmin over the timeline steps."""
    return _search(case, judge, len(case.steps), lambda keep: keep_steps(case, keep))


def shrink_databases(case: Case, judge: Judge) -> Case:
    """ddmin over the databases (their requests go with them)."""
    return _search(case, judge, len(case.data.get("databases") or []), lambda keep: keep_databases(case, keep))


def shrink_nodes(case: Case, judge: Judge) -> Case:
    """ddmin over the nodes."""
    return _search(case, judge, len(case.data["cluster"]["nodes"]), lambda keep: keep_nodes(case, keep))


def shrink_pairs(case: Case, judge: Judge) -> Case:
    """Per database, fewer pairs: ddmin over a pinned database's pairs (slots split again over
    those kept), or else the lowest `shards_count` that still fails."""
    for index in range(len(case.data.get("databases") or [])):
        db = case.data["databases"][index]
        if db.get("shards") is not None:
            count = len(pairs_of(db))
            case = _search(case, judge, count, partial(_kept_pairs, case, index))
        else:
            for lower in range(1, int(db.get("shards_count", 1))):
                data = copy.deepcopy(case.data)
                data["databases"][index]["shards_count"] = lower
                if judge.fails(candidate := _with_data(case, data)):
                    case = candidate
                    break
    return case


def shrink_lists(case: Case, judge: Judge) -> Case:
    """ddmin over the cluster's users and uploaded modules (those nothing needs go)."""
    for key in ("users", "modules"):
        items = case.data["cluster"].get(key) or []
        case = _search(case, judge, len(items), partial(_kept_items, case, key))
    return case


def _kept_pairs(case: Case, index: int, keep: list[int]) -> Case | None:
    """The case with only the pairs `keep` of database `index` (None: no pair left)."""
    return _with_data(case, keep_pairs(case.data, index, keep)) if keep else None


def _kept_items(case: Case, key: str, keep: list[int]) -> Case:
    """The case with only the items `keep` of the cluster's list `key`."""
    return _with_data(case, _cluster_list(case.data, key, keep))


def _cluster_list(data: Data, key: str, keep: list[int]) -> Data:
    data = copy.deepcopy(data)
    items = data["cluster"][key]
    data["cluster"][key] = [items[i] for i in keep]
    if not keep:  # none is the default: the key goes
        del data["cluster"][key]
    return data


def _with_data(case: Case, data: Data) -> Case:
    return Case(data, case.ids)
