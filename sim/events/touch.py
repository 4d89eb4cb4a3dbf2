"""Which shards an event may change: the only ones projections and invariants re-examine."""
from __future__ import annotations

from collections.abc import Iterable

from sim.events import types as ev
from sim.model.state import MASTER, ClusterState

__all__ = ["touched_shards", "touched_pairs"]

_NONE, _ONE, _PAIR, _NODE, _ALL = range(5)
# One lookup per event instead of a chain of isinstance checks: this runs for every event.
_KIND: dict[type[ev.Event], int] = {
    **{cls: _ONE for cls in (ev.ShardRestartStarted, ev.ShardRestarted, ev.ShardLoadStarted, ev.ShardLoaded,
                             ev.ShardLoadFailed, ev.ReplicaSyncStarted, ev.ReplicaSynced, ev.ReplicaSyncAborted,
                             ev.ReplicaMigrated)},
    **{cls: _PAIR for cls in (ev.FailoverStarted, ev.FailoverCompleted, ev.FailoverAborted, ev.PairRecoveryStarted,
                              ev.PairRecoveryDeferred)},
    **{cls: _NODE for cls in (ev.NodeCrashed, ev.NodeRecovered)},
    **{cls: _ALL for cls in (ev.SimulationStarted, ev.QuorumLost, ev.QuorumRegained, ev.ClusterRecoverRequested)},
}

#: Event types that change no shard's availability or placement: they touch nothing.
IGNORED_EVENTS = (
    ev.RandomFaultScheduled,
    ev.ReplicaMigrationDeferred,
    ev.ActionCompleted,
    ev.ActionFailed,
    ev.ActionStarted,
    ev.ActionStateChanged,
    ev.KeysLost,
    ev.NodeFailureDetected,
    ev.RequestAccepted,
    ev.RequestRejected,
    ev.SimulationEnded,
    ev.WritesLost,
)


def touched_shards(state: ClusterState, event: ev.Event) -> Iterable[int]:
    """Uids of the shards whose availability or placement `event` may have changed."""
    kind = _KIND.get(type(event), _NONE)
    if kind == _ONE:
        return (event.shard,)  # type: ignore[attr-defined]
    if kind == _NONE:
        return ()
    if kind == _PAIR:
        return state.bdbs[event.bdb].pairs[event.pair].shards  # type: ignore[attr-defined]
    if kind == _NODE:
        return tuple(state.shards_by_node[event.node])  # type: ignore[attr-defined]
    return tuple(state.shards)


def touched_pairs(state: ClusterState, event: ev.Event) -> Iterable[tuple[int, int]]:
    """`(database uid, pair index)` of the pairs whose availability (their master serving or
    not) `event` may have changed, each once, in the order of their shards in `touched_shards`.
    A single-shard event on a replica touches none: no such event changes a role, and a replica
    never serves (most of an upgrade's events are these)."""
    kind = _KIND.get(type(event), _NONE)
    if kind == _ONE:
        shard = state.shards[event.shard]  # type: ignore[attr-defined]
        return ((shard.bdb_uid, shard.pair),) if shard.role == MASTER else ()
    if kind == _PAIR:
        return ((event.bdb, event.pair),)  # type: ignore[attr-defined]
    if kind == _NONE:
        return ()
    shards = state.shards
    return dict.fromkeys((shards[uid].bdb_uid, shards[uid].pair) for uid in touched_shards(state, event))
