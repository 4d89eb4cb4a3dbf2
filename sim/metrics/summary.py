"""Outcome figures per database (SPEC §7) and the accounting check, from a finished projection."""
from __future__ import annotations

from typing import Any

from sim.errors import InvariantViolation
from sim.metrics.projection import OutcomeProjection
from sim.model.state import MASTER, ClusterState

__all__ = ["database_outcomes", "action_records", "check_accounting", "ROUND"]

#: Decimal places of the floating-point figures in a summary.
ROUND = 6


def database_outcomes(projection: OutcomeProjection, state: ClusterState) -> dict[str, dict[str, Any]]:
    """The SPEC §7 figures of every database, keyed by uid (as a string, for JSON)."""
    if projection.end is None:
        raise InvariantViolation("the projection has not seen SimulationEnded: the run is incomplete")
    duration = projection.end - projection.start
    return {str(uid): _one(projection, state, uid, duration) for uid in sorted(state.bdbs)}


def _one(projection: OutcomeProjection, state: ClusterState, uid: int, duration: float) -> dict[str, Any]:
    tally, bdb = projection.tallies[uid], state.bdbs[uid]
    downtime = tally.slot_seconds_lost / tally.total_slots
    availability = 1.0 - downtime / duration if duration > 0 else 1.0
    total_requests = tally.total_rate * duration
    request_availability = 1.0 - tally.failed_requests / total_requests if total_requests > 0 else 1.0
    shards = [state.shards[s] for p in bdb.pairs for s in p.shards]
    roles = [(projection.initial_roles[s.uid], (s.node_uid, s.role)) for s in shards]  # (at t = 0, at the end)
    roles_preserved = all(then == now for then, now in roles)
    before, after = _masters_per_node(roles)
    duration_s = tally.last_upgrade_duration
    return {
        "availability": round(availability, ROUND),
        "downtime_s": round(downtime, ROUND),
        "request_availability": round(request_availability, ROUND),
        "failed_requests": round(tally.failed_requests, ROUND),
        "longest_outage_s": round(tally.longest_outage, ROUND),
        "keys_lost": tally.keys_lost,
        "bytes_lost": tally.bytes_lost,
        "writes_lost": round(tally.writes_lost, ROUND),
        "failovers": {"planned": tally.planned_failovers, "unplanned": tally.unplanned_failovers},
        "upgrade_duration_s": None if duration_s is None else round(duration_s, ROUND),
        "roles_preserved": roles_preserved,
        "masters_per_node": {"before": before, "after": after},
        "module_versions": {e["module_name"]: e["semantic_version"] for e in bdb.module_list},
        "redis_version": bdb.redis_version,
        "status": bdb.status,
    }


def action_records(state: ClusterState) -> list[dict[str, Any]]:
    """Every action of the run in the order they were accepted (SPEC §9 `actions`); a failed
    action's `error` says why in words."""
    return [{"action_uid": a.uid, "bdb": a.bdb_uid, "name": a.name, "status": str(a.status), "state": a.state,
             "progress": a.progress, "error": a.reason, "accepted_at": a.accepted_at, "ended_at": a.ended_at}
            for a in state.actions.values()]


def _masters_per_node(roles: list[tuple[tuple[int, str], tuple[int, str]]]) -> tuple[dict[str, int], dict[str, int]]:
    """Masters per node at t = 0 and at the end, over every node holding a shard then or now
    (zeros included, nodes in uid order); one pass over the shards, not one per node."""
    nodes = sorted({node for ends in roles for node, _ in ends})
    before, after = dict.fromkeys(map(str, nodes), 0), dict.fromkeys(map(str, nodes), 0)
    for (then_node, then_role), (now_node, now_role) in roles:
        if then_role == MASTER:
            before[str(then_node)] += 1
        if now_role == MASTER:
            after[str(now_node)] += 1
    return before, after


def check_accounting(projection: OutcomeProjection, state: ClusterState) -> None:
    """Keys (and bytes) at t = 0 equal those the final shards hold plus those loss events
    reported, per database, exactly; raises InvariantViolation otherwise (SPEC §7)."""
    for uid, bdb in state.bdbs.items():
        tally = projection.tallies[uid]
        initial_keys = sum(p.keys for p in bdb.pairs)
        initial_bytes = sum(p.bytes for p in bdb.pairs)
        held = [state.pair_keys(p) for p in bdb.pairs]
        held_keys, held_bytes = sum(k for k, _ in held), sum(b for _, b in held)
        if (initial_keys, initial_bytes) != (held_keys + tally.keys_lost, held_bytes + tally.bytes_lost):
            raise InvariantViolation(
                f"database {uid}: accounting does not reconcile: {initial_keys} keys / {initial_bytes} bytes at t = 0, "
                f"{held_keys} / {held_bytes} held at the end, {tally.keys_lost} / {tally.bytes_lost} reported lost")
