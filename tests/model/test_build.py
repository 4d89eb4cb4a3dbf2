"""Building the t = 0 state: slots, data split, module resolution, and bad configurations."""
from __future__ import annotations

import json
from dataclasses import fields

import pytest

from sim.errors import InputError
from sim.model import build_state, from_snapshot, split_evenly, to_snapshot
from sim.model.snapshot import PAIR_COLUMNS, SHARD_COLUMNS
from sim.model.state import PairState, ShardState
from tests.factories import REJSON_221, cluster, database


def test_slots_split_over_masters_remainder_first() -> None:
    """3 masters hold 5462, 5461 and 5461 slots (SPEC §1), as contiguous ranges."""
    state = build_state(cluster(), [database(shards_count=3, replication=True)])
    pairs = state.bdbs[1].pairs
    assert [p.slots for p in pairs] == [5462, 5461, 5461]
    assert [p.assigned_slots for p in pairs] == ["0-5461", "5462-10922", "10923-16383"]


def test_dataset_and_workload_split_in_shard_uid_order() -> None:
    """Totals split evenly over masters in shard-uid order, integer remainders to the first."""
    db = database(shards_count=3, replication=True, dataset={"bytes": 1000, "keys": 10},
                  workload={"reads_per_sec": 5, "writes_per_sec": 1001})
    pairs = build_state(cluster(), [db]).bdbs[1].pairs
    assert [p.keys for p in pairs] == [4, 3, 3]
    assert [p.bytes for p in pairs] == [334, 333, 333]
    assert [p.reads_per_sec for p in pairs] == [2, 2, 1]
    assert [p.writes_per_sec for p in pairs] == [334, 334, 333]
    assert split_evenly(7, 7) == [1] * 7


def test_replicas_start_in_sync_with_the_data() -> None:
    """Every shard holds its pair's data at t = 0 and replicas are in sync."""
    state = build_state(cluster(), [database(replication=True, dataset={"bytes": "1GB", "keys": 5})])
    master, replica = state.shards[1], state.shards[2]
    assert (master.role, replica.role) == ("master", "slave")
    assert (master.keys, replica.keys, replica.bytes) == (5, 5, 10**9)
    assert state.is_in_sync(replica) and state.is_serving(master)


def test_module_list_entries_resolve_case_insensitively() -> None:
    """`rejson 2.2.1` names the uploaded ReJSON 2.2.1, by name or by module_id."""
    by_name = build_state(cluster(), [database(module_list=[{"module_name": "rejson", "semantic_version": "2.2.1"}])])
    by_id = build_state(cluster(), [database(module_list=[{"module_id": REJSON_221}])])
    assert by_name.bdbs[1].module_list == by_id.bdbs[1].module_list
    assert by_name.bdbs[1].module_list[0]["module_name"] == "ReJSON"
    assert by_name.shards[1].modules == {"ReJSON": REJSON_221}


@pytest.mark.parametrize(
    "make, message, loc",
    [
        (lambda: (cluster(), [database(module_list=[{"module_name": "ReJSON", "semantic_version": "9.9.9"}])]),
         "not uploaded", ("databases", 0, "module_list", 0)),
        (lambda: (cluster(), [database(1), database(1)]), "duplicate database uid 1", ("databases", 1)),
        (lambda: (cluster([{"uid": 1}, {"uid": 1}]), []), "duplicate node uid 1", ("cluster", "nodes", 1)),
        (lambda: (cluster([{"uid": 1}, {"uid": 2}], rack_aware=True), []), "has no rack_id",
         ("cluster", "nodes", 0, "rack_id")),
        (lambda: (cluster(), [database(module_list=[{"module_name": "ReJSON", "semantic_version": "2.2.1"},
                                                    {"module_id": REJSON_221}])]), "twice",
         ("databases", 0, "module_list", 1)),
    ],
)
def test_bad_configurations_name_their_key_path(make, message: str, loc: tuple) -> None:
    """Each inconsistency is an InputError whose `loc` points at the offending key."""
    spec, dbs = make()
    with pytest.raises(InputError, match=message) as err:
        build_state(spec, dbs)
    assert err.value.loc == loc


def test_snapshot_round_trips_through_json() -> None:
    """A state written as a snapshot and read back is the same state."""
    state = build_state(cluster(4), [database(1, shards_count=2, replication=True), database(2, data_persistence="aof")])
    data = json.loads(json.dumps(to_snapshot(state)))
    assert to_snapshot(from_snapshot(data)) == to_snapshot(state)


def test_sharding_false_allows_one_shard() -> None:
    """`sharding: false` with several shards is refused."""
    with pytest.raises(ValueError, match="sharding: false allows one shard"):
        database(sharding=False, shards_count=2)


def test_the_same_module_version_cannot_be_uploaded_twice() -> None:
    """Two uploaded packages with one name and version are a configuration error."""
    from tests.factories import module
    spec = cluster(3, modules=[module("a" * 32, "ReJSON", "2.2.1"), module("b" * 32, "rejson", "2.2.1.0")])
    with pytest.raises(InputError, match="duplicate uploaded module"):
        build_state(spec, [])


def test_snapshot_tables_are_by_column_in_the_order_of_the_state_fields() -> None:
    """The shard and pair tables list every field of ShardState / PairState (but a pair's
    database) in declaration order: `from_snapshot` builds them positionally."""
    assert SHARD_COLUMNS == tuple(f.name for f in fields(ShardState))
    assert PAIR_COLUMNS == tuple(f.name for f in fields(PairState))[1:]
    state = build_state(cluster(4), [database(1, shards_count=2, replication=True)])
    shards = to_snapshot(state)["shards"]
    assert shards["uid"] == [1, 2, 3, 4] and shards["role"] == ["master", "slave", "master", "slave"]
    assert to_snapshot(state)["bdbs"][0]["pairs"]["shards"] == [[1, 2], [3, 4]]


def test_a_live_snapshot_reuses_the_configuration_models_and_a_read_one_is_validated() -> None:
    """A live run's snapshot carries the (immutable) models it was dumped from, and `from_snapshot`
    takes them as they are; the same data read back as JSON is validated: an edited config is refused."""
    state = build_state(cluster(), [database(uid=1), database(uid=2, name="b")])
    live = to_snapshot(state)
    assert [b.config for b in from_snapshot(live).bdbs.values()] == [b.config for b in state.bdbs.values()]
    assert all(a.config is b.config for a, b in zip(from_snapshot(live).bdbs.values(), state.bdbs.values()))
    read = json.loads(json.dumps(live))
    assert json.dumps(read) == json.dumps(live)  # the same JSON text
    assert all(a.config is not b.config and a.config == b.config
               for a, b in zip(from_snapshot(read).bdbs.values(), state.bdbs.values()))
    read["bdbs"][0]["config"]["shards_count"] = -1
    with pytest.raises(ValueError, match="shards_count"):
        from_snapshot(read)
