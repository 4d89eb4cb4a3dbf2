"""Fold an event log into everything the figures draw, in one pass and without SimPy.

`History` holds the states at t = 0 and at the window's end, the per-shard intervals, the
per-database availability steps, the fault and no-quorum windows, and the marks (requests,
failovers, replica re-creations, losses). Figures read a History and the summary, nothing else.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sim.events import fold_log, touched_shards
from sim.events import types as ev
from sim.model.snapshot import from_snapshot
from sim.model.state import ClusterState
from sim.plots.intervals import Interval, ShardIntervals
from sim.metrics.projection import OutcomeProjection
from sim.plots.series import AvailabilitySeries, LossSeries

__all__ = ["Window", "Mark", "History", "fold_events"]

#: Event types drawn only through the shard intervals and availability steps they change: no mark, no window.
IGNORED_EVENTS = (
    ev.PairRecoveryDeferred,
    ev.PairRecoveryStarted,
    ev.RandomFaultScheduled,
    ev.ReplicaMigrationDeferred,
    ev.ActionCompleted,
    ev.ActionFailed,
    ev.ActionStarted,
    ev.ActionStateChanged,
    ev.FailoverAborted,
    ev.FailoverStarted,
    ev.NodeFailureDetected,
    ev.ReplicaSyncAborted,
    ev.ReplicaSyncStarted,
    ev.ReplicaSynced,
    ev.ShardLoadFailed,
    ev.ShardLoadStarted,
    ev.ShardLoaded,
    ev.ShardRestartStarted,
    ev.ShardRestarted,
    ev.SimulationEnded,
)

#: Another consumer of the same fold, e.g. `sim.metrics.explain.Explainer`.
Sink = Callable[[ev.Event, ClusterState], None]


@dataclass(frozen=True, slots=True)
class Window:
    """A stretch of time: a node down (`node` set) or the cluster without quorum (`node` None).
    `open` is true when it was still going on at the window's end."""

    node: int | None
    start: float
    end: float
    open: bool


@dataclass(frozen=True, slots=True)
class Mark:
    """An instant worth marking: `kind` is request, failover or migration; `data` its details."""

    kind: str
    t: float
    data: dict[str, Any]


@dataclass(slots=True)
class History:
    """What a run did, as the figures need it."""

    start: float
    end: float
    timing: dict[str, Any]
    initial: ClusterState
    final: ClusterState
    intervals: dict[int, list[Interval]]
    availability: dict[int, AvailabilitySeries]
    losses: dict[int, LossSeries]
    faults: list[Window]
    no_quorum: list[Window]
    marks: list[Mark]

    def marks_of(self, kind: str) -> list[Mark]:
        """The marks of one kind, in time order."""
        return [m for m in self.marks if m.kind == kind]

    def faults_of(self, bdb: int) -> list[Window]:
        """The fault windows of the nodes that held a shard of database `bdb` during them (a
        node down while it held none does not touch the database)."""
        shards = {u for state in (self.initial, self.final) for u, s in state.shards.items() if s.bdb_uid == bdb}
        held: dict[int, list[tuple[float, float]]] = {}
        for uid in sorted(shards):
            for iv in self.intervals.get(uid, []):
                held.setdefault(iv.node, []).append((iv.start, iv.end))
        return [w for w in self.faults if any(_overlap(w.start, w.end, a, b) for a, b in held.get(w.node or 0, []))]


@dataclass(slots=True)
class _Folder:
    """Consumes `(event, state)` after `apply` and builds a History."""

    state: ClusterState
    shards: ShardIntervals = field(default_factory=ShardIntervals)
    initial: ClusterState | None = None
    start: float = 0.0
    timing: dict[str, Any] = field(default_factory=dict)
    #: the outcome fold of `sim.metrics`: the availability steps are its tallies' (never refolded here)
    projection: OutcomeProjection = field(default_factory=OutcomeProjection)
    #: False when someone else feeds `projection` (a live run's own)
    feeds_projection: bool = True
    losses: dict[int, LossSeries] = field(default_factory=dict)
    down_since: dict[int, float] = field(default_factory=dict)
    quorum_lost_at: float | None = None
    faults: list[Window] = field(default_factory=list)
    no_quorum: list[Window] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)

    def __call__(self, event: ev.Event) -> None:
        """Fold one event (already applied to `self.state`)."""
        state = self.state
        if self.feeds_projection:
            self.projection(event, state)
        kind = type(event)
        if kind is ev.SimulationStarted:
            self._begin(event)  # type: ignore[arg-type]
            return
        self.shards.update(state, touched_shards(state, event), event.t)
        note = _NOTES.get(kind)  # by exact type: no event type derives from another (tested)
        if note is not None:
            note(self, event)

    def _begin(self, event: ev.SimulationStarted) -> None:
        state = self.state
        self.start, self.timing = event.t, dict(event.timing)
        if self.initial is None:
            self.initial = from_snapshot(event.initial)
        self.shards.begin(state, event.t)
        for bdb in state.bdbs.values():
            self.losses[bdb.uid] = LossSeries()

    def _crashed(self, event: ev.NodeCrashed) -> None:
        self.down_since[event.node] = event.t

    def _recovered(self, event: ev.NodeRecovered) -> None:
        if event.node in self.down_since:
            self.faults.append(Window(event.node, self.down_since.pop(event.node), event.t, False))

    def _quorum_lost(self, event: ev.QuorumLost) -> None:
        self.quorum_lost_at = event.t

    def _service_back(self, event: ev.Event) -> None:
        """Quorum returned (resume), or a lost cluster was recovered: service is back."""
        if self.quorum_lost_at is not None and not self.state.lost:
            self.no_quorum.append(Window(None, self.quorum_lost_at, event.t, False))
            self.quorum_lost_at = None

    def _recover_requested(self, event: ev.ClusterRecoverRequested) -> None:
        if event.outcome == "started":
            self._service_back(event)

    def _keys_lost(self, event: ev.KeysLost) -> None:
        self.losses[event.bdb].add(event.t, keys=event.keys, bytes_=event.bytes)

    def _writes_lost(self, event: ev.WritesLost) -> None:
        self.losses[event.bdb].add(event.t, writes=event.writes)

    def _request(self, event: ev.RequestAccepted | ev.RequestRejected) -> None:
        code = event.error_code if isinstance(event, ev.RequestRejected) else None
        self.marks.append(Mark("request", event.t, {"method": event.method, "path": event.path,
                                                    "status": event.status, "error_code": code}))

    def _failover(self, event: ev.FailoverCompleted) -> None:
        self.marks.append(Mark("failover", event.t, {"bdb": event.bdb, "pair": event.pair, "master": event.master,
                                                     "replica": event.replica, "planned": event.planned}))

    def _migrated(self, event: ev.ReplicaMigrated) -> None:
        self.marks.append(Mark("migration", event.t, {"shard": event.shard, "from_node": event.from_node,
                                                      "to_node": event.to_node}))

    def finish(self, end: float) -> History:
        """Close every open interval and window at the window's end."""
        self.faults += [Window(node, since, end, True) for node, since in sorted(self.down_since.items())]
        if self.quorum_lost_at is not None:
            self.no_quorum.append(Window(None, self.quorum_lost_at, end, True))
        availability = {uid: AvailabilitySeries.of(tally, self.start, end)
                        for uid, tally in self.projection.tallies.items()}
        assert self.initial is not None
        return History(self.start, end, self.timing, self.initial, self.state, self.shards.finish(end),
                       availability, self.losses, sorted(self.faults, key=lambda w: (w.start, w.node or 0)),
                       self.no_quorum, self.marks)


#: Event type -> what the fold notes of it besides the shard intervals (a window, a loss, a
#: mark); every other type changes only intervals and availability steps.
_NOTES: dict[type[ev.Event], Callable[[_Folder, Any], None]] = {
    ev.NodeCrashed: _Folder._crashed,
    ev.NodeRecovered: _Folder._recovered,
    ev.QuorumLost: _Folder._quorum_lost,
    ev.QuorumRegained: _Folder._service_back,
    ev.ClusterRecoverRequested: _Folder._recover_requested,
    ev.KeysLost: _Folder._keys_lost,
    ev.WritesLost: _Folder._writes_lost,
    ev.RequestAccepted: _Folder._request,
    ev.RequestRejected: _Folder._request,
    ev.FailoverCompleted: _Folder._failover,
    ev.ReplicaMigrated: _Folder._migrated,
}


def _overlap(start: float, end: float, a: float, b: float) -> bool:
    """[start, end] and [a, b) share time (a window of no length: it lies inside)."""
    return a <= start < b if start == end else start < b and a < end


class LiveHistory:
    """The History of a run folded while it goes (a sink after the run's own projection, whose
    tallies it shares): the figures then need not read the log back."""

    def __init__(self, projection: OutcomeProjection, initial: ClusterState | None = None) -> None:
        self.projection = projection
        #: the t = 0 state the run started from, when the caller has it (the scenario keeps it):
        #: then it is not built a second time from the log's snapshot; figures only read it
        self.initial = initial
        self.folder: _Folder | None = None

    def __call__(self, event: ev.Event, state: ClusterState) -> None:
        """Fold one event (already applied to the run's state)."""
        if self.folder is None:
            self.folder = _Folder(state, projection=self.projection, feeds_projection=False, initial=self.initial)
        self.folder(event)

    def finish(self, end: float) -> History:
        """The History once the run has ended at `end`."""
        assert self.folder is not None
        return self.folder.finish(end)


def fold_events(events: Iterable[ev.Event], sinks: Iterable[Sink] = ()) -> History:
    """Apply a log's events from an empty state and fold them into a History; every event is
    also handed, after `apply`, to `sinks`.

    Raises LogFormatError for a log that `sim.events.fold_log` refuses (no SimulationStarted
    first or SimulationEnded last, a reference to nothing, a broken rule).
    """
    extra = tuple(sinks)
    folder: _Folder | None = None
    last: ev.Event | None = None
    for event, state in fold_log(events):
        if folder is None:
            folder = _Folder(state)
        folder(event)
        for sink in extra:
            sink(event, state)
        last = event
    assert folder is not None and last is not None  # fold_log refuses an empty log
    return folder.finish(last.t)
