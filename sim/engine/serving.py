"""When each shard accepted client writes: the intervals it served as master.

An engine-internal fold over the event stream (fed by `Runtime.emit`), so lost-write
figures count only writes that were really acknowledged: none while a master was paused
by a failover, down, or without quorum.
"""
from __future__ import annotations

from sim.events import types as ev
from sim.model.state import ClusterState

__all__ = ["ServingHistory"]


class ServingHistory:
    """Closed serving intervals per shard, and the start of the one still open."""

    __slots__ = ("since", "closed")

    def __init__(self) -> None:
        self.since: dict[int, float] = {}
        self.closed: dict[int, list[tuple[float, float]]] = {}

    def __call__(self, event: ev.Event, state: ClusterState) -> None:
        """Fold one event (already applied): re-check the shards of the pairs it touched."""
        t = event.t
        for bdb, index in state.touched:
            for uid in state.bdbs[bdb].pairs[index].shards:
                serving = state.is_serving(state.shards[uid])
                if serving and uid not in self.since:
                    self.since[uid] = t
                elif not serving and uid in self.since:
                    self.closed.setdefault(uid, []).append((self.since.pop(uid), t))

    def accepted_s(self, uid: int, start: float, end: float) -> float:
        """Seconds within [start, end] during which shard `uid` served as master."""
        spans = list(self.closed.get(uid, ()))
        if uid in self.since:
            spans.append((self.since[uid], end))
        # rounded: a window such as [22 - 0.1, 22] is not exact in binary floating point
        return round(sum(max(0.0, min(b, end) - max(a, start)) for a, b in spans), 9)
