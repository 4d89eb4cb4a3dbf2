"""Node faults (SPEC §5): a crash and its consequences, detection and the unplanned failovers
it allows, a node's return, quorum, and random faults drawn from the seed."""
from __future__ import annotations

from sim.engine.actions import fail_action
from sim.engine.failover import try_unplanned_failover
from sim.engine.recovery import recover_lost_pairs
from sim.engine.runtime import Runtime
from sim.engine.shards import restart
from sim.events import types as ev
from sim.model.state import NodeStatus, Recovery, ShardStatus, SyncStatus
from sim.model.topology import has_quorum

__all__ = ["crash_node", "recover_node", "on_detect_timer", "on_fault_timer", "schedule_first_fault",
           "draw_fault"]


def crash_node(rt: Runtime, node: int, cause: int | None = None) -> None:
    """A node goes down: its shards die at this instant, and every consequence follows."""
    state = rt.state
    if state.nodes[node].status != NodeStatus.ACTIVE:
        return
    dead = sorted(state.shards_by_node[node])
    pairs = sorted({(state.shards[u].bdb_uid, state.shards[u].pair) for u in dead})
    held = {key: state.pair_keys(state.bdbs[key[0]].pairs[key[1]]) for key in pairs}
    crash = rt.emit(ev.NodeCrashed, cause, node=node)
    dead_set = set(dead)
    for bdb_uid, index in pairs:
        pair = state.bdbs[bdb_uid].pairs[index]
        keys, bytes_ = held[(bdb_uid, index)]
        if (keys or bytes_) and state.pair_keys(pair) == (0, 0):
            victim = next(u for u in pair.shards if u in dead_set)
            rt.emit(ev.KeysLost, crash.seq, bdb=bdb_uid, pair=index, shard=victim, keys=keys, bytes=bytes_,
                    reason=f"node {node} crashed with the last copy (no persistence file)")
        if pair.failover is not None:
            rt.emit(ev.FailoverAborted, crash.seq, bdb=bdb_uid, pair=index, reason=f"node {node} crashed")
        for uid in pair.shards:
            shard = state.shards[uid]
            if uid not in dead_set and shard.sync == SyncStatus.IN_PROGRESS:
                rt.emit(ev.ReplicaSyncAborted, crash.seq, shard=uid, reason=f"its master died with node {node}")
    if state.quorum and not has_quorum(state):
        lost = rt.emit(ev.QuorumLost, crash.seq)
        for running in [a for a in state.actions.values() if a.is_running]:
            fail_action(rt, running.uid, "the cluster lost quorum", lost.seq)
    for bdb_uid in sorted({state.shards[u].bdb_uid for u in dead}):
        action = state.running_action(bdb_uid)
        if action is not None:
            victim = next(u for u in dead if state.shards[u].bdb_uid == bdb_uid)
            fail_action(rt, action.uid, f"shard {victim} died with node {node} at t={crash.t:g}", crash.seq)


def on_detect_timer(rt: Runtime, node: int, key: int) -> None:
    """The cluster notices a node's crash (the same crash: not one it has been back from and
    crashed again since) and fails over the masters it can."""
    state = rt.state
    if state.nodes[node].crash_seq != key or state.nodes[node].detected:
        return
    noticed = rt.emit(ev.NodeFailureDetected, key, node=node)
    start_pending_failovers(rt, noticed.seq, node)


def start_pending_failovers(rt: Runtime, cause: int, node: int | None = None) -> None:
    """Unplanned failovers of the pairs whose master died (on `node`, or anywhere), in master uid order."""
    state = rt.state
    waiting = []
    for bdb in state.bdbs.values():
        for pair in bdb.pairs:
            if pair.recovery == Recovery.FAILOVER:
                master = state.master_of(pair)
                if node is None or master.node_uid == node:
                    waiting.append((master.uid, pair))
    for _, pair in sorted(waiting, key=lambda item: item[0]):
        try_unplanned_failover(rt, pair, cause)


def recover_node(rt: Runtime, node: int, cause: int | None = None) -> None:
    """A node comes back: quorum may return, its shard processes restart, and the pairs that
    lost every live copy are recovered from their files when they can be."""
    state = rt.state
    if state.nodes[node].status == NodeStatus.ACTIVE:
        return
    back = rt.emit(ev.NodeRecovered, cause, node=node)
    if not state.quorum and has_quorum(state):
        regained = rt.emit(ev.QuorumRegained, back.seq)
        if not state.lost:
            start_pending_failovers(rt, regained.seq)
    for uid in sorted(state.shards_by_node[node]):
        if state.shards[uid].status == ShardStatus.DOWN:
            restart(rt, state.shards[uid], "recovery", back.seq)
    if not state.lost:
        recover_lost_pairs(rt, back.seq)


def schedule_first_fault(rt: Runtime, node: int, mtbf_s: float, mttr_s: float, cause: int | None) -> None:
    """Draw a node's first random crash (from its own stream, `faults/node/<uid>`)."""
    draw_fault(rt, node, "crash", mtbf_s, cause)


def draw_fault(rt: Runtime, node: int, kind: str, mean_s: float, cause: int | None) -> None:
    """Draw the time to a node's next random fault and record it."""
    delay = rt.stream(f"faults/node/{node}").expovariate(1.0 / mean_s)
    rt.emit(ev.RandomFaultScheduled, cause, node=node, kind=kind, at=rt.env.now + delay)


def on_fault_timer(rt: Runtime, node: int, key: int, mtbf_s: float, mttr_s: float) -> None:
    """A random fault is due: crash (or recover) the node, then draw the next one."""
    state = rt.state
    record = state.nodes[node]
    if record.fault_key != key:
        return
    if record.fault_kind == "crash":  # the fault is a root of its consequences: no cause
        crash_node(rt, node)
        draw_fault(rt, node, "recover", mttr_s, key)
    else:
        recover_node(rt, node)
        draw_fault(rt, node, "crash", mtbf_s, key)
