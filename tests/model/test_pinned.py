"""Pinned placement (SPEC §9 `shards:`): a real layout kept as given, every rule checked by name."""
from __future__ import annotations

from typing import Any

import pytest

from sim.errors import PlacementError
from tests.factories import database, state_of


def _shards(*rows: tuple[Any, int, str, str]) -> list[dict[str, Any]]:
    return [{"uid": uid, "node": node, "role": role, "slots": slots} for uid, node, role, slots in rows]


TWO_PAIRS = _shards(("7", 3, "master", "0-8191"), ("9", 1, "slave", "0-8191"),
                    (8, 2, "master", "8192-16383"), (10, 3, "slave", "8192-16383"))


def test_a_pinned_layout_is_kept_as_given() -> None:
    """Uids (the vendor's digit strings too), nodes, roles and slots as pinned; pairs by equal slots,
    numbered by their master's uid (data and workload split in that order)."""
    state = state_of([database(replication=True, shards_count=2, shards=TWO_PAIRS,
                               dataset={"bytes": 3, "keys": 3})])
    pairs = state.bdbs[1].pairs
    assert [(p.shards, p.assigned_slots, p.slots, p.keys) for p in pairs] == [
        ((7, 9), "0-8191", 8192, 2), ((8, 10), "8192-16383", 8192, 1)]
    assert {uid: (s.node_uid, s.role) for uid, s in state.shards.items()} == {
        7: (3, "master"), 9: (1, "slave"), 8: (2, "master"), 10: (3, "slave")}


def test_placed_databases_take_the_uids_pinned_ones_leave() -> None:
    """A placed database next to a pinned one gets the lowest uids not pinned (1, 2, 3, 4 is taken by none here)."""
    pinned = database(1, replication=True, shards_count=2, shards=TWO_PAIRS)
    placed = database(2, replication=True, shards_count=2)
    state = state_of([pinned, placed])
    assert [p.shards for p in state.bdbs[2].pairs] == [(1, 2), (3, 4)]
    other = database(2, replication=True, shards_count=2, shards=_shards(
        (1, 1, "master", "0-99"), (2, 2, "slave", "0-99"), (3, 2, "master", "100-16383"), (4, 3, "slave", "100-16383")))
    state = state_of([database(1, replication=True), other])
    assert [p.shards for p in state.bdbs[1].pairs] == [(5, 6)]


def test_multi_range_slots_count_every_range() -> None:
    state = state_of([database(shards_count=2, shards=_shards((1, 1, "master", "0-99,200-16383"),
                                                               (2, 2, "master", "100-199")))])
    assert [(p.assigned_slots, p.slots) for p in state.bdbs[1].pairs] == [("0-99,200-16383", 16284), ("100-199", 100)]


@pytest.mark.parametrize("spec, cluster_extra, message", [
    (dict(replication=True, shards=_shards((1, 1, "master", "0-16383"), (2, 1, "slave", "0-16383"))), {},
     "are both on node 1: a master and its replica are never on the same node"),
    (dict(replication=True, rack_aware=True, shards=_shards((1, 1, "master", "0-16383"), (2, 2, "slave", "0-16383"))),
     {"rack_aware": True, "nodes": [{"uid": 1, "rack_id": "a"}, {"uid": 2, "rack_id": "a"}, {"uid": 3, "rack_id": "b"}]},
     "are both in rack a"),
    (dict(shards=_shards((1, 9, "master", "0-16383"))), {}, "node 9, which is not declared"),
    (dict(shards=_shards((1, 3, "master", "0-16383"))),
     {"nodes": [{"uid": 1}, {"uid": 2}, {"uid": 3, "quorum_only": True}]}, "quorum-only node 3"),
    (dict(shards_count=2, shards=_shards((1, 1, "master", "0-16383"))), {}, "pins 1 master shard(s) but shards_count is 2"),
    (dict(shards=_shards((1, 1, "master", "0-16383"), (2, 2, "slave", "0-16383"))), {}, "has no replication but pins"),
    (dict(replication=True, shards=_shards((1, 1, "master", "0-16383"))), {}, "has no replica with the same slots"),
    (dict(replication=True, shards=_shards((1, 1, "master", "0-16383"), (2, 2, "slave", "0-16383"),
                                           (3, 3, "slave", "0-100"))), {}, "which no master of the database holds"),
    (dict(shards=_shards((1, 1, "master", "0-16000"))), {}, "slots 16001-16383 are held by no master"),
    (dict(shards_count=2, shards=_shards((1, 1, "master", "0-9000"), (2, 2, "master", "8000-16383"))), {},
     "shard 2 holds slot 8000 a second time"),
    (dict(shards=_shards((1, 1, "master", "0-16384"))), {}, "slots go from 0 to 16383"),
    (dict(shards_count=2, shards=_shards((1, 1, "master", "0-8191"), (1, 2, "master", "8192-16383"))), {},
     "pins shard uid 1 twice"),
    (dict(shards=_shards((1, 1, "master", "0-16383"))), {"nodes": [{"uid": 1, "max_redis_servers": 1}, {"uid": 2}]},
     None),  # exactly at the limit: fine
])
def test_a_pinned_layout_must_obey_the_placement_rules(spec, cluster_extra, message) -> None:
    """Each broken rule is bad input naming it."""
    make = lambda: state_of([database(**spec)], **cluster_extra)  # noqa: E731
    if message is None:
        make()
        return
    with pytest.raises(PlacementError, match=message.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_max_redis_servers_counts_every_database() -> None:
    """Two pinned databases on a node allowed one shard: the second breaks the rule."""
    nodes = [{"uid": 1, "max_redis_servers": 1}, {"uid": 2}]
    first = database(1, shards=_shards((1, 1, "master", "0-16383")))
    second = database(2, shards=_shards((2, 1, "master", "0-16383")))
    with pytest.raises(PlacementError, match="more than its max_redis_servers 1"):
        state_of([first, second], nodes=nodes)
