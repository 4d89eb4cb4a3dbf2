"""Which pairs an event may have made (un)available: the only ones the availability folds re-check."""
from __future__ import annotations

from sim.events import types as ev
from sim.events.touch import touched_pairs, touched_shards
from tests.factories import database, state_of


def _state():
    """Two replicated databases of two pairs on three nodes (shards 1–4 and 5–8, masters odd)."""
    return state_of([database(1, shards_count=2, replication=True), database(2, shards_count=2, replication=True)])


def test_a_single_shard_event_touches_its_pair_only_when_the_shard_is_a_master() -> None:
    state = _state()
    assert state.shards[3].role == "master" and state.shards[4].role == "slave"
    assert list(touched_pairs(state, ev.ShardRestartStarted(0, 0.0, None, shard=3, reason="upgrade", action=None))) == [(1, 1)]
    assert list(touched_pairs(state, ev.ShardRestartStarted(0, 0.0, None, shard=4, reason="upgrade", action=None))) == []


def test_a_pair_event_touches_that_pair_once() -> None:
    state = _state()
    event = ev.FailoverStarted(0, 0.0, None, bdb=2, pair=1, master=7, replica=8, planned=True)
    assert list(touched_pairs(state, event)) == [(2, 1)]


def test_a_node_event_touches_each_pair_with_a_shard_on_it_once_in_shard_order() -> None:
    """The pairs of the shards `touched_shards` lists (all on the node), deduplicated, first seen first."""
    state = _state()
    node = state.shards[1].node_uid
    event = ev.NodeCrashed(0, 0.0, None, node=node)
    expected = list(dict.fromkeys((state.shards[u].bdb_uid, state.shards[u].pair)
                                  for u in touched_shards(state, event)))
    assert list(touched_pairs(state, event)) == expected and (1, 0) in expected
    assert len(expected) == len(set(expected))


def test_an_event_that_changes_no_shard_touches_no_pair() -> None:
    assert list(touched_pairs(_state(), ev.SimulationEnded(0, 0.0, None))) == []


def test_apply_notes_the_touched_pairs_on_the_state() -> None:
    """`apply` leaves the pairs its event may have changed in `state.touched` for the folds."""
    from sim.events import apply

    state = _state()
    apply(state, ev.FailoverStarted(0, 0.0, None, bdb=1, pair=0, master=1, replica=2, planned=True))
    assert list(state.touched) == [(1, 0, None)]  # paused by the failover: nothing serves it
    apply(state, ev.ShardRestartStarted(1, 0.0, None, shard=4, reason="upgrade", action=None))
    assert list(state.touched) == []
