"""Per-shard state intervals: what each shard was doing, on which node, in which role, when.

The one place that classifies a shard's moment-to-moment condition into the categories the
figures colour (serving, restarting, loading, syncing, paused for a failover, down, empty,
...) and cuts a run into maximal intervals of constant (category, role, node).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from sim.model.state import ClusterState, ShardState

__all__ = ["CATEGORIES", "Interval", "ShardIntervals", "category"]

#: Category -> (legend label, colour), in legend order. The colours are distinguishable for
#: the common colour-vision deficiencies (ColorBrewer Set1/Set3 hues) and never reused.
CATEGORIES: dict[str, tuple[str, str]] = {
    "up": ("serving (master) / in sync (replica)", "#4daf4a"),
    "out_of_sync": ("up, replica not in sync", "#b3de69"),
    "syncing": ("full sync", "#377eb8"),
    "restarting": ("restarting", "#ff7f00"),
    "loading": ("reloading from persistence", "#984ea3"),
    "paused": ("paused for a failover", "#ffd92f"),
    "no_quorum": ("up, cluster without quorum", "#a6761d"),
    "empty": ("up but empty (data lost)", "#f781bf"),
    "down": ("down (node crashed)", "#e41a1c"),
    "failed": ("reload failed", "#404040"),
}


def category(state: ClusterState, shard: ShardState) -> str:
    """The category of a shard now: the most severe condition that applies wins."""
    if shard.status == "down" or state.nodes[shard.node_uid].status != "active":
        return "down"
    if shard.status in ("failed", "restarting", "loading"):
        return shard.status
    if shard.paused:
        return "paused"
    if shard.role == "slave" and shard.sync == "in_progress":
        return "syncing"
    if not state.quorum:
        return "no_quorum"
    if shard.keys == 0 and shard.bytes == 0 and state.pair_of(shard).keys > 0:
        return "empty"
    if shard.role == "slave" and shard.sync != "idle":
        return "out_of_sync"
    return "up"


class Interval(NamedTuple):
    """A maximal stretch [start, end) during which a shard kept one category, role and node.
    (A named tuple: a large run folds hundreds of thousands, and named tuples are the cheapest
    to create.)"""

    shard: int
    node: int
    role: str
    state: str
    start: float
    end: float

    @property
    def length(self) -> float:
        """Duration in seconds."""
        return self.end - self.start


@dataclass(slots=True)
class ShardIntervals:
    """Cuts the life of every shard into intervals; fed the shards an event may have changed."""

    current: dict[int, tuple[str, str, int, float]] = field(default_factory=dict)
    done: dict[int, list[Interval]] = field(default_factory=dict)

    def begin(self, state: ClusterState, t: float) -> None:
        """Open an interval for every shard of the initial state."""
        for uid in sorted(state.shards):
            shard = state.shards[uid]
            self.done[uid] = []
            self.current[uid] = (category(state, shard), shard.role, shard.node_uid, t)

    def update(self, state: ClusterState, uids: Iterable[int], t: float) -> None:
        """Re-examine `uids` at time t; a changed (category, role, node) closes the open interval."""
        current, shards = self.current, state.shards
        for uid in uids:
            shard = shards[uid]
            state_, role, node, since = current[uid]
            now = category(state, shard)
            if now != state_ or shard.role != role or shard.node_uid != node:
                if t > since:  # several changes at one instant leave no zero-length interval
                    self.done[uid].append(Interval(uid, node, role, state_, since, t))
                current[uid] = (now, shard.role, shard.node_uid, t)

    def finish(self, t: float) -> dict[int, list[Interval]]:
        """Close every open interval at the window's end; returns intervals per shard, in time order."""
        for uid, (state_, role, node, since) in self.current.items():
            if t > since:  # as in `update`
                self.done[uid].append(Interval(uid, node, role, state_, since, t))
        self.current.clear()
        return self.done
