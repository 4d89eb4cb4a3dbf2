"""The outcome projection: folds the event stream (live or replayed) into SPEC §7 figures."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sim.events import types as ev
from sim.metrics.tally import BdbTally
from sim.model.state import ClusterState

__all__ = ["OutcomeProjection", "Response"]


@dataclass(frozen=True, slots=True)
class Response:
    """One answered request, as `summary.json` lists it."""

    at: float
    method: str
    path: str
    status: int
    error_code: str | None
    body: dict[str, Any]

    def to_record(self) -> dict[str, Any]:
        """The response as a JSON object."""
        return {"at": self.at, "method": self.method, "path": self.path, "status": self.status,
                "error_code": self.error_code, "body": self.body}


@dataclass(slots=True)
class OutcomeProjection:
    """Consumes `(event, state)` after each `apply`; `tallies` hold the running figures."""

    tallies: dict[int, BdbTally] = field(default_factory=dict)
    responses: list[Response] = field(default_factory=list)
    initial_roles: dict[int, tuple[int, str]] = field(default_factory=dict)
    start: float = 0.0
    end: float | None = None
    events: int = 0

    def __call__(self, event: ev.Event, state: ClusterState) -> None:
        """Fold one event (already applied to `state`)."""
        self.events += 1
        kind = type(event)
        if kind is ev.SimulationStarted:
            self._begin(event, state)  # type: ignore[arg-type]
            return
        tallies = self.tallies
        for bdb, index, server in state.touched:  # the pairs it may have changed
            tallies[bdb].set_available(index, server is not None, event.t)
        handler = _FACTS.get(kind)
        if handler is not None:
            handler(self, event, state)

    def _begin(self, event: ev.SimulationStarted, state: ClusterState) -> None:
        self.start = event.t
        self.initial_roles = {s.uid: (s.node_uid, s.role) for s in state.shards.values()}
        for bdb in state.bdbs.values():
            slots = [p.slots for p in bdb.pairs]
            rates = [p.reads_per_sec + p.writes_per_sec for p in bdb.pairs]
            tally = BdbTally(sum(slots), sum(rates), slots, rates, [True] * len(slots), since=event.t)
            for pair in bdb.pairs:
                tally.set_available(pair.index, state.is_serving(state.master_of(pair)), event.t)
            self.tallies[bdb.uid] = tally

    def _ended(self, event: ev.SimulationEnded, state: ClusterState) -> None:
        self.end = event.t
        for tally in self.tallies.values():
            tally.finish(event.t)

    def _keys_lost(self, event: ev.KeysLost, state: ClusterState) -> None:
        tally = self.tallies[event.bdb]
        tally.keys_lost += event.keys
        tally.bytes_lost += event.bytes

    def _writes_lost(self, event: ev.WritesLost, state: ClusterState) -> None:
        self.tallies[event.bdb].writes_lost += event.writes

    def _failover(self, event: ev.FailoverCompleted, state: ClusterState) -> None:
        tally = self.tallies[event.bdb]
        if event.planned:
            tally.planned_failovers += 1
        else:
            tally.unplanned_failovers += 1

    def _completed(self, event: ev.ActionCompleted, state: ClusterState) -> None:
        action = state.actions[event.action_uid]
        self.tallies[action.bdb_uid].last_upgrade_duration = event.t - action.accepted_at

    def _accepted(self, event: ev.RequestAccepted, state: ClusterState) -> None:
        self.responses.append(Response(event.t, event.method, event.path, event.status, None, event.response))

    def _rejected(self, event: ev.RequestRejected, state: ClusterState) -> None:
        body = {"error_code": event.error_code, "message": event.message}
        self.responses.append(Response(event.t, event.method, event.path, event.status, event.error_code, body))


_FACTS: dict[type[ev.Event], Callable[[OutcomeProjection, Any, ClusterState], None]] = {
    ev.SimulationEnded: OutcomeProjection._ended,
    ev.KeysLost: OutcomeProjection._keys_lost,
    ev.WritesLost: OutcomeProjection._writes_lost,
    ev.FailoverCompleted: OutcomeProjection._failover,
    ev.ActionCompleted: OutcomeProjection._completed,
    ev.RequestAccepted: OutcomeProjection._accepted,
    ev.RequestRejected: OutcomeProjection._rejected,
}

#: Event types with no figure of their own: they count only through the pairs they touch.
IGNORED_EVENTS = (
    ev.ClusterRecoverRequested,
    ev.PairRecoveryDeferred,
    ev.PairRecoveryStarted,
    ev.RandomFaultScheduled,
    ev.ReplicaMigrationDeferred,
    ev.ActionFailed,
    ev.ActionStarted,
    ev.ActionStateChanged,
    ev.FailoverAborted,
    ev.FailoverStarted,
    ev.NodeCrashed,
    ev.NodeFailureDetected,
    ev.NodeRecovered,
    ev.QuorumLost,
    ev.QuorumRegained,
    ev.ReplicaMigrated,
    ev.ReplicaSyncAborted,
    ev.ReplicaSyncStarted,
    ev.ReplicaSynced,
    ev.ShardLoadFailed,
    ev.ShardLoadStarted,
    ev.ShardLoaded,
    ev.ShardRestartStarted,
    ev.ShardRestarted,
)
