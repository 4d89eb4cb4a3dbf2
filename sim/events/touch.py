"""Which shards an event may change: the only ones projections and invariants re-examine."""
from __future__ import annotations

from collections.abc import Iterable

from sim.events import types as ev
from sim.model.state import ClusterState

__all__ = ["touched_shards"]

_EVERYTHING = (ev.SimulationStarted, ev.QuorumLost, ev.QuorumRegained)
_NODE = (ev.NodeCrashed, ev.NodeRecovered)
_PAIR = (ev.FailoverStarted, ev.FailoverCompleted, ev.FailoverAborted)
_SHARD = (ev.ShardRestartStarted, ev.ShardRestarted, ev.ShardLoadStarted, ev.ShardLoaded, ev.ShardLoadFailed,
          ev.ReplicaSyncStarted, ev.ReplicaSynced, ev.ReplicaSyncAborted, ev.ReplicaMigrated)


def touched_shards(state: ClusterState, event: ev.Event) -> Iterable[int]:
    """Uids of the shards whose availability or placement `event` may have changed."""
    if isinstance(event, _SHARD):
        return (event.shard,)  # type: ignore[attr-defined]
    if isinstance(event, _PAIR):
        return state.bdbs[event.bdb].pairs[event.pair].shards  # type: ignore[attr-defined]
    if isinstance(event, _NODE):
        return tuple(state.shards_by_node[event.node])  # type: ignore[attr-defined]
    if isinstance(event, _EVERYTHING):
        return tuple(state.shards)
    return ()
