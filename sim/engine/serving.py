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

    __slots__ = ("since", "closed", "server")

    def __init__(self) -> None:
        self.since: dict[int, float] = {}
        self.closed: dict[int, list[tuple[float, float]]] = {}
        #: the shard serving each pair now (at most one: its master, when it serves)
        self.server: dict[tuple[int, int], int | None] = {}

    def __call__(self, event: ev.Event, state: ClusterState) -> None:
        """Fold one event (already applied): the pairs it touched, with who serves them now."""
        t, server_of = event.t, self.server
        for bdb, index, server in state.touched:
            before = server_of.get((bdb, index))
            if server == before:
                continue
            server_of[(bdb, index)] = server
            if before is not None:
                self.closed.setdefault(before, []).append((self.since.pop(before), t))
            if server is not None:
                self.since[server] = t

    def accepted_s(self, uid: int, start: float, end: float) -> float:
        """Seconds within [start, end] during which shard `uid` served as master."""
        spans = list(self.closed.get(uid, ()))
        if uid in self.since:
            spans.append((self.since[uid], end))
        # rounded: a window such as [22 - 0.1, 22] is not exact in binary floating point
        return round(sum(max(0.0, min(b, end) - max(a, start)) for a, b in spans), 9)
