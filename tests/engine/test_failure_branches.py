"""The upgrade state machine's failure branches (issue 16, item 9), each reached by a scenario:
the action fails with its reason, the database keeps its old module_list and stays
`active-change-pending` (SPEC §3 "Failure of the action")."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.kit import events_of, run, scenario_data, upgrade

CASES = {
    # check_slaves: the replicated master is not up: both nodes back at 30, the pair is recovered
    # from replica 2's file (the only one: persistence on the replica), so shard 2, now the master,
    # restarts 30-35 and loads
    "master-not-up-at-check": ({"replication": True, "data_persistence": "aof"},
                               [{"at": 5, "node_crash": 2}, {"at": 10, "node_crash": 1}, {"at": 30, "node_recover": 1},
                                {"at": 30, "node_recover": 2}, upgrade(at=31)], {"nodes": 5},
                               31.0, "master shard 2 is restarting"),
    # check_slaves: a shard's node is down when the action starts
    "shard-on-down-node": ({"replication": True}, [{"at": 5, "node_crash": 2}, upgrade(at=6)], {"nodes": 5},
                           6.0, "shard 2 (slave) is on down node 2"),
    # the planned failover (25-26) is cut by the master's crash
    "master-dies-in-failover": ({"replication": True}, [upgrade(at=10), {"at": 25.5, "node_crash": 1}], {},
                                25.5, "shard 1 died with node 1 at t=25.5"),
    # ... and by the replica's crash
    "replica-dies-in-failover": ({"replication": True}, [upgrade(at=10), {"at": 25.5, "node_crash": 2}], {},
                                 25.5, "shard 2 died with node 2 at t=25.5"),
    # an AOF reload longer than max_aof_load_time: 10 + 5 s restart, then the bound (5 s) at 20
    "aof-reload-too-long": ({"data_persistence": "aof", "max_aof_load_time": 5}, [upgrade(at=10)], {},
                            20.0, "AOF reload of shard 1 needs 20 s, more than max_aof_load_time 5 s"),
    # two of three nodes down: quorum lost, the action fails
    "quorum-lost": ({"replication": True}, [upgrade(at=10), {"at": 12, "node_crash": 3}, {"at": 12, "node_crash": 2}],
                    {}, 12.0, "the cluster lost quorum"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_action_fails_with_its_reason(name: str, tmp_path: Path) -> None:
    """One ActionFailed at the expected time with the expected reason; nothing completes."""
    db, timeline, cluster, at, reason = CASES[name]
    result = run(scenario_data(db, timeline, **cluster), out=tmp_path / name)
    failed = events_of(result, "ActionFailed")
    assert [(e["t"], e["reason"]) for e in failed] == [(at, reason)]
    assert events_of(result, "ActionCompleted") == []
    figures = result.summary["databases"]["1"]
    assert figures["module_versions"] == {"ReJSON": "2.2.1"} and figures["status"] == "active-change-pending"
