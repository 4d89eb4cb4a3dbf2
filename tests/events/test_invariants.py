"""The invariant checker fires (issue 16, item 9): each rule of SPEC §8 is broken on purpose by
a crafted event (or, where no event can break it, by a mutated state) and the check names it.
A checker never seen to fail proves nothing; these are its mutation tests."""
from __future__ import annotations

import pytest

from sim.errors import InvariantViolation, LogFormatError
from sim.events import apply, check_invariants, check_order, check_pair, fold_log
from sim.events import types as ev
from sim.model.snapshot import to_snapshot
from sim.model.state import ClusterState
from tests.factories import database, state_of


def _state(**db: object) -> ClusterState:
    """A replicated database of two pairs on six nodes in three racks, 1,001 keys (501 + 500)."""
    base = dict(replication=True, shards_count=2, rack_aware=True, dataset={"keys": 1001, "bytes": 1001})
    base.update(db)
    return state_of([database(**base)], nodes=6, racks=3, rack_aware=True)


def _started(state: ClusterState) -> ClusterState:
    """A state built as a replay builds it: from the SimulationStarted snapshot."""
    fresh = ClusterState()
    apply(fresh, ev.SimulationStarted(0, 0.0, None, to_snapshot(state), {}, {"start": 0.0, "end": None}))
    return fresh


def _shards(state: ClusterState) -> dict[tuple[int, str], int]:
    """(pair, role) -> shard uid."""
    return {(s.pair, s.role): s.uid for s in state.shards.values()}


def _breaks(state: ClusterState, event: ev.Event, problem: str) -> None:
    apply(state, event)
    with pytest.raises(InvariantViolation, match=problem):
        check_invariants(state, event)


def test_the_state_of_the_tests_holds_every_invariant() -> None:
    """The control: before any crafted event, every pair passes."""
    state = _started(_state())
    assert all(check_pair(state, p) is None for p in state.bdbs[1].pairs)


def test_two_masters_in_a_pair_are_caught() -> None:
    """A failover naming pair 0's replica as master and pair 1's replica as replica: pair 0
    ends with two masters."""
    state = _started(_state())
    shards = _shards(state)
    event = ev.FailoverCompleted(1, 1.0, None, 1, 0, shards[(0, "slave")], shards[(1, "slave")], True)
    _breaks(state, event, r"pair 0 of database 1 has masters \[")


def test_master_and_replica_on_one_node_are_caught() -> None:
    """A replica migrated onto its master's node."""
    state = _started(_state(rack_aware=False))
    shards = _shards(state)
    replica, master = state.shards[shards[(0, "slave")]], state.shards[shards[(0, "master")]]
    event = ev.ReplicaMigrated(1, 1.0, None, replica.uid, replica.node_uid, master.node_uid)
    _breaks(state, event, f"share node {master.node_uid}")


def test_master_and_replica_in_one_rack_are_caught_when_rack_aware() -> None:
    """A rack-aware database: a replica migrated to another node of its master's rack."""
    state = _started(_state())
    shards = _shards(state)
    replica, master = state.shards[shards[(0, "slave")]], state.shards[shards[(0, "master")]]
    rack = state.nodes[master.node_uid].rack_id
    same_rack = next(n.uid for n in state.nodes.values() if n.rack_id == rack and n.uid != master.node_uid)
    event = ev.ReplicaMigrated(1, 1.0, None, replica.uid, replica.node_uid, same_rack)
    _breaks(state, event, f"share rack {rack}")


def test_a_shard_serving_from_a_down_node_is_caught() -> None:
    """A node crashes, then a shard on it is said to have restarted: ok on a down node."""
    state = _started(_state())
    master = state.shards[_shards(state)[(0, "master")]]
    apply(state, ev.NodeCrashed(1, 1.0, None, master.node_uid))
    _breaks(state, ev.ShardRestarted(2, 2.0, 1, master.uid, None, None), f"is ok on down node {master.node_uid}")


def test_a_shard_holding_more_than_its_pair_is_caught() -> None:
    """Pair 1's replica full-syncs from pair 0's master (501 keys > pair 1's 500)."""
    state = _started(_state())
    shards = _shards(state)
    event = ev.ReplicaSynced(1, 1.0, None, shards[(1, "slave")], shards[(0, "master")])
    _breaks(state, event, "holds more data than its pair had at t = 0")


@pytest.mark.parametrize("field, value", [("status", "exploded"), ("sync", "sideways")])
def test_an_unknown_status_is_caught(field: str, value: str) -> None:
    """No event writes an unknown status: the rule is checked on a mutated state."""
    state = _started(_state())
    shard = state.shards[_shards(state)[(0, "master")]]
    setattr(shard, field, value)
    assert "has status" in (check_pair(state, state.bdbs[1].pairs[0]) or "")


@pytest.mark.parametrize("previous, event, problem", [
    (None, ev.QuorumLost(1, 0.0, None), "the first event has seq 1, not 0"),
    (ev.QuorumLost(3, 5.0, None), ev.QuorumRegained(5, 5.0, None), "seq 5 follows seq 3"),
    (ev.QuorumLost(3, 5.0, None), ev.QuorumRegained(4, 4.5, None), r"goes back from t=5.0"),
])
def test_order_violations_are_caught(previous: ev.Event | None, event: ev.Event, problem: str) -> None:
    """`seq` without gaps from 0; `t` never decreasing."""
    with pytest.raises(InvariantViolation, match=problem):
        check_order(previous, event)


def test_a_replayed_log_breaking_a_rule_is_refused_naming_its_line() -> None:
    """The same check on a replay: a bad log, refused with its line (exit 2), not a crash."""
    state = _state(rack_aware=False)
    shards = _shards(state)
    replica, master = state.shards[shards[(0, "slave")]], state.shards[shards[(0, "master")]]
    events = [ev.SimulationStarted(0, 0.0, None, to_snapshot(state), {}, {"start": 0.0, "end": None}),
              ev.ReplicaMigrated(1, 1.0, None, replica.uid, replica.node_uid, master.node_uid),
              ev.SimulationEnded(2, 2.0, None)]
    with pytest.raises(LogFormatError, match=r"^line 3: ReplicaMigrated event cannot be applied .* share node"):
        list(fold_log(events))
