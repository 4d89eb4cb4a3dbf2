"""The format 2 → 3 upcaster, record by record (SPEC §8: older versions are read, upcast): what
each old record means in today's terms, by hand."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sim.events.upcast import UPCASTERS

V2_LOG = Path(__file__).resolve().parents[1] / "bad_logs" / "cause-later.jsonl"  # a format-2 log, read as is
upcast = UPCASTERS[2]


@pytest.mark.parametrize("phase, state", [
    ("check_slaves", "check_slaves"), ("upgrade_replicas", "prepare"), ("failover", "stop_forwarding"),
    ("upgrade_masters", "wait_for_version"), ("restart_shards", "wait_for_version"),
    ("second_failover", "second_failover"), ("configure_shards", "configure_shards"),
])
def test_an_action_state_was_our_phase_name_and_gains_the_vendors(phase: str, state: str) -> None:
    """Version 2's `state` was our phase: it moves to `phase`, and `state` is the vendor's name."""
    record = {"seq": 5, "t": 25.0, "type": "ActionStateChanged", "cause": 4, "action_uid": "a", "state": phase,
              "progress": 20}
    assert upcast(record) == {**record, "phase": phase, "state": state}


def test_writes_lost_at_an_instant_spans_that_instant() -> None:
    """Version 2 did not say when the lost writes were acknowledged: `since` = `until` = its `t`."""
    record = {"seq": 17, "t": 105.0, "type": "WritesLost", "cause": 9, "bdb": 1, "pair": 0, "shard": 1,
              "writes": 1000.0, "reason": "reload after crash"}
    assert upcast(record) == {**record, "since": 105.0, "until": 105.0}


def _snapshot(replication: bool, persistence: str) -> dict[str, Any]:
    started = json.loads(V2_LOG.read_text().splitlines()[1])
    config = started["initial"]["bdbs"][0]["config"]
    config.update(replication=replication, data_persistence=persistence)
    config.pop("master_persistence", None)
    return started


@pytest.mark.parametrize("replication, persistence, master_persists, files", [
    (True, "aof", True, [0.0, 0.0]),          # version 2 persisted on every shard of a persistent database
    (False, "aof", None, [0.0, 0.0]),
    (True, "disabled", None, [None, None]),
])
def test_a_version_2_persistent_database_persisted_on_every_shard(replication: bool, persistence: str,
                                                                  master_persists: bool | None, files: list) -> None:
    initial = upcast(_snapshot(replication, persistence))["initial"]
    config = initial["bdbs"][0]["config"]
    assert config.get("master_persistence") == master_persists
    assert initial["shards"]["file"] == files and initial["shards"]["file_live"] == [f is not None for f in files]
    assert initial["cluster"]["policy"]["quorum_loss"] == "resume"   # quorum came back by itself then
