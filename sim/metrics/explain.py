"""Plain-words explanations of every outage and every loss, traced back to its root event.

A fold over the event stream (live or replayed): per pair it notes when its slots stopped
being served and why, and how service came back; per loss event it follows `cause` links
to the root (a request or a fault) and says what each shard was doing at that moment.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sim.events import fold_log
from sim.events import types as ev
from sim.model.state import ClusterState, ShardState

__all__ = ["Explainer", "Episode", "explain_lines"]


@dataclass(frozen=True, slots=True)
class Story:
    """Why something happened, in general (`kind`, shared by every pair it hit) and in
    particular (`detail`, naming the shards)."""

    kind: str
    detail: str


@dataclass(slots=True)
class Episode:
    """One stretch of time during which a pair's slots were not served."""

    bdb: int
    pair: int
    start: float
    why: Story
    end: float | None = None
    back: Story = Story("", "")  # frozen: one shared "not back yet" (an episode gets its own when it ends)
    then: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Explainer:
    """Consumes `(event, state)` after `apply`; `lines()` gives the explanation."""

    #: the root event (a request, a fault) of every event seen, indexed by seq (a log's seqs
    #: run 0, 1, 2, …): what `_root` needs, without holding every event of the run
    roots: list[ev.Event] = field(default_factory=list)
    #: what each busy shard is doing: the event that started it (a restart, sync, load, migration)
    activity: dict[int, ev.Event] = field(default_factory=dict)
    open: dict[tuple[int, int], Episode] = field(default_factory=dict)
    episodes: list[Episode] = field(default_factory=list)
    losses: dict[int, list[str]] = field(default_factory=dict)
    names: dict[int, str] = field(default_factory=dict)
    failures: dict[int, list[str]] = field(default_factory=dict)
    #: the file each pair under recovery is loading: (shard, point)
    recovering: dict[tuple[int, int], tuple[int, float | None]] = field(default_factory=dict)
    end: float | None = None

    def __call__(self, event: ev.Event, state: ClusterState) -> None:
        """Fold one event (already applied)."""
        roots, cause = self.roots, event.cause
        if event.seq != len(roots):
            raise ValueError(f"the explainer folds a whole run from seq 0 in order; got seq {event.seq} "
                             f"after {len(roots)} events")
        roots.append(roots[cause] if cause is not None else event)
        before = _BEFORE.get(type(event))  # most events need nothing but the pairs they touched
        if before is not None:
            before(self, event)
        for bdb, index, server in state.touched:
            self._check_pair(state, bdb, index, server is not None, event)
        after = _AFTER.get(type(event))
        if after is not None:
            after(self, event, state)

    def _start(self, event: ev.Event) -> None:
        self.activity[event.shard] = event  # type: ignore[attr-defined] # noted; put in words if an outage needs it

    def _settle(self, event: ev.Event) -> None:
        self.activity.pop(event.shard, None)  # type: ignore[attr-defined]

    def _note_loss(self, event: ev.KeysLost | ev.WritesLost, state: ClusterState) -> None:
        self.losses.setdefault(event.bdb, []).append(self._loss(event))

    def _note_failure(self, event: ev.ActionFailed, state: ClusterState) -> None:
        action = state.actions[event.action_uid]
        self.failures.setdefault(action.bdb_uid, []).append(
            f"action {action.uid} ({action.name}) failed at t={event.t:g} in state {action.state}: {event.reason}")

    def _start_run(self, event: ev.SimulationStarted, state: ClusterState) -> None:
        self.names = {uid: b.name for uid, b in state.bdbs.items()}

    def _end_run(self, event: ev.SimulationEnded, state: ClusterState) -> None:
        self.end = event.t
        for episode in self.open.values():
            episode.back = Story("still not served at the window's end", "still not served at the window's end")
        self.open.clear()

    # --- what shards are doing ---------------------------------------------------------

    def _doing(self, event: ev.Event) -> str:
        """What the shard of an activity event (one `_start` noted) is busy with, in words."""
        if isinstance(event, ev.ShardRestartStarted):
            return f"restarting for the {event.reason}"
        if isinstance(event, ev.ReplicaSyncStarted):
            return "full-syncing " + ("for the upgrade" if self._for_upgrade(event) else "after a restart")
        if isinstance(event, ev.ReplicaMigrated):
            return f"being re-created on node {event.to_node} by replica HA"
        return "reloading from persistence"

    def _for_upgrade(self, event: ev.Event) -> bool:
        return isinstance(self._root(event), ev.RequestAccepted)

    def _note_recovery(self, event: ev.PairRecoveryStarted) -> None:
        key = (event.bdb, event.pair)
        self.recovering[key] = (event.shard, event.point)
        episode = self.open.get(key)
        if episode is not None:
            source = (f"from shard {event.shard}'s persistence file (point t={event.point:g})"
                      if event.point is not None else "empty (no persistence file anywhere)")
            episode.then.append(f"from t={event.t:g} recovered {source}")

    # --- outages -------------------------------------------------------------------------

    def _check_pair(self, state: ClusterState, bdb: int, index: int, serving: bool, event: ev.Event) -> None:
        key = (bdb, index)
        episode = self.open.get(key)
        if episode is None:
            if not serving:
                episode = Episode(bdb, index, event.t, self._why(state, state.bdbs[bdb].pairs[index], event))
                self.open[key] = episode
                self.episodes.append(episode)
        elif serving:
            del self.open[key]
            episode.end, episode.back = event.t, self._how_back(event)
        elif isinstance(event, (ev.NodeCrashed, ev.QuorumLost)):
            note = f"node {event.node} crashed" if isinstance(event, ev.NodeCrashed) else "the cluster lost quorum"
            episode.then.append(f"{note} at t={event.t:g}")

    def _why(self, state: ClusterState, pair: object, event: ev.Event) -> Story:
        master = state.master_of(pair)  # type: ignore[arg-type]
        if isinstance(event, ev.FailoverStarted):
            kind = "planned failover for the upgrade" if event.planned else "unplanned failover"
            return Story(kind, f"{kind} of shard {event.master} to shard {event.replica}")
        if isinstance(event, ev.NodeCrashed):
            return self._crash_story(state, master, event)
        if isinstance(event, ev.QuorumLost):
            text = "the cluster lost quorum (at most half of its nodes up): no client is served"
            return Story(text, text)
        if isinstance(event, ev.ShardRestartStarted):
            kind = f"master restarting for the {event.reason}"
            return Story(kind, f"shard {event.shard} (master, node {master.node_uid}) restarting for the "
                               f"{event.reason}")
        return Story(f"{event.type}", f"{event.type} at t={event.t:g}")

    def _crash_story(self, state: ClusterState, master: ShardState, event: ev.NodeCrashed) -> Story:
        head = f"shard {master.uid} (master, node {event.node}) crashed with its node"
        kind = f"master crashed with node {event.node}"
        replica = state.partner_of(master)
        if replica is None:
            return Story(kind + ": no replica, no failover target", head + ": no replica, no failover target")
        if state.is_in_sync(replica):
            return Story(kind + "; its replica was in sync", head + f"; its replica shard {replica.uid} was in sync")
        busy = self.activity.get(replica.uid)
        doing = self._doing(busy) if busy is not None else f"{replica.status}, not in sync"
        when = f" (since t={busy.t:g})" if busy is not None else ""
        return Story(f"{kind} while its replica was {doing}: no failover target",
                     head + f" while its replica shard {replica.uid} was {doing}{when}: no failover target")

    def _how_back(self, event: ev.Event) -> Story:
        if isinstance(event, ev.FailoverCompleted):
            kind = f"{'planned' if event.planned else 'unplanned'} failover completed"
            return Story(kind, f"{kind} (shard {event.master} is master)")
        if isinstance(event, ev.ShardLoaded):
            shard = self.activity_shard_file(event)
            return Story("the master loaded its persistence file", f"shard {event.shard} loaded {shard}")
        if isinstance(event, ev.ShardRestarted):
            return Story("the master restarted", f"shard {event.shard} restarted")
        if isinstance(event, ev.QuorumRegained):
            return Story("quorum regained", "quorum regained")
        return Story(event.type, event.type)

    def activity_shard_file(self, event: ev.ShardLoaded) -> str:
        """Whose file a loaded shard loaded, in words."""
        for key, (shard, point) in list(self.recovering.items()):
            if shard == event.shard:
                del self.recovering[key]
                return f"its persistence file (point t={point:g})" if point is not None else "nothing"
        return "its persistence file (complete: a graceful stop)"

    # --- losses --------------------------------------------------------------------------

    def _loss(self, event: ev.KeysLost | ev.WritesLost) -> str:
        what = (f"{event.keys:,} keys ({event.bytes:,} bytes)" if isinstance(event, ev.KeysLost)
                else f"{_number(event.writes)} acknowledged writes")
        root = self._root(event)
        return f"t={event.t:g}: {what} lost from shard {event.shard} (pair {event.pair}): {event.reason}; " \
               f"root cause: {_describe_root(root)}"

    def _root(self, event: ev.Event) -> ev.Event:
        return self.roots[event.seq] if event.seq < len(self.roots) else event

    def lines(self) -> list[str]:
        """The explanation, database by database."""
        out: list[str] = []
        by_bdb: dict[int, list[Episode]] = {}
        for episode in self.episodes:  # one pass, not one per database
            by_bdb.setdefault(episode.bdb, []).append(episode)
        for bdb in sorted(self.names):
            episodes = by_bdb.get(bdb, [])
            losses = self.losses.get(bdb, [])
            out.append(f"database {bdb} ({self.names[bdb]}):")
            if not episodes and not losses and not self.failures.get(bdb):
                out.append("  no outage and no loss")
            for text in _grouped(episodes):
                out.append(f"  outage: {text}")
            for text in losses:
                out.append(f"  loss: {text}")
            for text in self.failures.get(bdb, []):
                out.append(f"  {text}")
        return out


#: What the explainer notes of an event type before the pairs it touched (a shard's activity
#: starts or settles, a recovery's file) and after them (losses, failures, the run's ends): one
#: look-up per event, as this runs for every event; most types are in neither table.
_BEFORE: dict[type[ev.Event], Callable[[Explainer, Any], None]] = {
    **dict.fromkeys((ev.ShardRestartStarted, ev.ReplicaSyncStarted, ev.ShardLoadStarted, ev.ReplicaMigrated),
                    Explainer._start),
    **dict.fromkeys((ev.ReplicaSynced, ev.ShardLoaded), Explainer._settle),
    ev.PairRecoveryStarted: Explainer._note_recovery,
}
_AFTER: dict[type[ev.Event], Callable[[Explainer, Any, ClusterState], None]] = {
    ev.KeysLost: Explainer._note_loss, ev.WritesLost: Explainer._note_loss, ev.ActionFailed: Explainer._note_failure,
    ev.SimulationStarted: Explainer._start_run, ev.SimulationEnded: Explainer._end_run,
}

#: Event types the explanation never puts in words (an outage they touch is told by another event).
IGNORED_EVENTS = (
    ev.ClusterRecoverRequested,
    ev.PairRecoveryDeferred,
    ev.RandomFaultScheduled,
    ev.ReplicaMigrationDeferred,
    ev.ActionCompleted,
    ev.ActionStarted,
    ev.ActionStateChanged,
    ev.FailoverAborted,
    ev.NodeFailureDetected,
    ev.NodeRecovered,
    ev.ReplicaSyncAborted,
    ev.RequestRejected,
    ev.ShardLoadFailed,
)


def _grouped(episodes: list[Episode]) -> list[str]:
    """One line per story; pairs that went through the same story at the same time share it."""
    groups: dict[tuple[str, str, str, float, float | None], list[Episode]] = {}
    for e in episodes:
        groups.setdefault((e.why.kind, "; ".join(e.then), e.back.kind, e.start, e.end), []).append(e)
    texts = []
    for members in groups.values():
        first = members[0]
        span = f"t={first.start:g}-" + (f"{first.end:g} ({first.end - first.start:g} s)" if first.end is not None
                                         else "end")
        then = "".join(f"; then {note}" for note in first.then)
        if len(members) == 1:
            texts.append(f"{span} pair {first.pair}: {first.why.detail}{then}; back: {first.back.detail}")
        else:
            pairs = ", ".join(str(e.pair) for e in members[:10]) + (", …" if len(members) > 10 else "")
            texts.append(f"{span} {len(members)} pairs ({pairs}): {first.why.kind}{then}; back: {first.back.kind}")
    return texts


def _number(value: float) -> str:
    """A count in words: thousands separated, no decimals when it is whole, at most two
    otherwise (a count below 0.01 with two significant digits: never shown as 0)."""
    if float(value).is_integer():
        return f"{value:,.0f}"
    if abs(value) < 0.01:
        return f"{value:.2g}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _describe_root(root: ev.Event) -> str:
    if isinstance(root, ev.RequestAccepted):
        return f"request {root.method} {root.path} at t={root.t:g}"
    if isinstance(root, ev.NodeCrashed):
        return f"node {root.node} crashed at t={root.t:g}"
    return f"{root.type} at t={root.t:g}"


def explain_lines(events: Iterable[ev.Event]) -> list[str]:
    """Fold a stream of events read from a log and return the explanation lines; raises
    LogFormatError for a log that `sim.events.fold_log` refuses."""
    explainer = Explainer()
    for event, state in fold_log(events):
        explainer(event, state)
    return explainer.lines()
