"""Importing the real Redis Software 8.0 bodies (SPEC §12): a scenario that validates and runs as is,
with the real values read right."""
from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.importer import import_bodies, read_folder
from sim.model import required_capabilities
from sim.run import run_scenario
from sim.scenario import load_scenario, parse_scenario
from tests.importer.helpers import lay_out, real_bodies, uncomment_example


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory):
    """The real cluster, imported from a folder of its saved bodies."""
    return import_bodies(read_folder(lay_out(tmp_path_factory.mktemp("real"), real_bodies())))


def test_the_written_scenario_validates_and_runs(imported, tmp_path: Path, capsys) -> None:
    """`import --out` writes a file that `run` takes as is: one node, one database, one shard, nothing sent."""
    folder = lay_out(tmp_path / "saved", real_bodies())
    out = tmp_path / "real.yaml"
    assert main(["import", "--from-dir", str(folder), "--out", str(out)]) == 0
    assert "1 node(s), 16 module(s), 1 database(s), 1 shard(s)" in capsys.readouterr().out
    result = run_scenario(load_scenario(out), check_invariants=True)
    db = result.summary["databases"]["1"]
    assert db["masters_per_node"]["before"] == {"1": 1}
    assert db["availability"] == 1.0 and db["status"] == "active"
    # four bundled modules, as loaded
    assert db["module_versions"] == {"timeseries": "8.0.2", "search": "7.99.91", "bf": "8.0.1", "ReJSON": "7.99.3"}


def test_cluster_values_are_read_right(imported) -> None:
    """Version from software_version; Redis versions from supported_database_versions (memcached left out);
    slave_ha* from the cluster object; one node that holds shards."""
    cluster = imported.scenario.cluster
    assert (cluster.name, cluster.version) == ("docker-cluster", "100.0.21-16135")
    assert cluster.redis_versions == ("6.2", "7.2", "7.4", "8.0")
    assert cluster.rack_aware is False
    policy = cluster.policy
    assert (policy.slave_ha, policy.slave_ha_grace_period, policy.slave_ha_cooldown_period,
            policy.slave_ha_bdb_cooldown_period) == (True, 600, 3600, 7200)
    # the node's max_redis_forks / max_slave_full_syncs are -1: no limit, the default 0
    assert (policy.max_redis_forks, policy.max_slave_full_syncs) == (0, 0)
    assert [(n.uid, n.rack_id, n.quorum_only, n.max_redis_servers) for n in cluster.nodes] == [(1, None, False, 100)]


def test_modules_keep_every_capability_and_empty_compatibility_is_none(imported) -> None:
    """Capability names outside SPEC §4 are kept (once each); `compatible_redis_version: ""` is none."""
    modules = {(m.module_name, m.semantic_version): m for m in imported.scenario.cluster.modules}
    assert len(modules) == 16
    search_2826 = modules[("search", "2.8.26")]
    assert search_2826.compatible_redis_version is None and search_2826.min_redis_version == "7.1"
    assert modules[("search", "2.6.29")].min_redis_version == "6.0.7"
    bf = modules[("bf", "8.0.1")]
    assert "intershard_tls_pass" in bf.capabilities and "bigstore_version_2" in bf.capabilities
    assert bf.compatible_redis_version == "8.0" and bf.version == 80001
    timeseries = modules[("timeseries", "8.0.2")]  # the real body lists hash_policy twice
    assert timeseries.capabilities.count("hash_policy") == 1
    assert all(m.min_redis_pack_version is None for m in modules.values())


def test_the_database_configuration_is_read_right(imported) -> None:
    """Non-replicated, no persistence, not sharded; `snapshot_policy: []` and `shard_key_regex: []` are not
    copied, so the database needs no hash_policy; its one shard is pinned where it is."""
    (db,) = imported.scenario.databases
    assert (db.uid, db.name, db.redis_version) == (1, "default-db", "8.0")
    assert (db.replication, db.data_persistence, db.sharding, db.shards_count) == (False, "disabled", False, 1)
    assert db.shard_key_regex is None
    assert required_capabilities(db) == ["eviction_expiry"]  # volatile-lru; no hash_policy
    assert [(s.uid, s.node, s.role, s.slots) for s in db.shards] == [(1, 1, "master", "0-16383")]
    assert db.dataset.bytes == 1073741824 and db.dataset.keys == 0
    assert db.workload.writes_per_sec == 0
    assert [m.module_id for m in db.module_list] == ["891142de155df09c6739543b422178f4",
                                                     "4e6efe7fa848e35cbae142dd1e4564a2",
                                                     "b14385b09778a335835ee3ae380bbc77",
                                                     "259bc961ae0ed766d6294bcdb7af9039"]


def test_the_header_says_what_was_read_and_ignored(imported) -> None:
    """The header names each body, the fields used, and fields ignored; the dataset and workload say what to set."""
    head = [line for line in imported.text.splitlines() if line.startswith("#")][:40]
    text = "\n".join(head)
    assert head[0].startswith("# Imported by upgrade-sim import from")  # the path may wrap onto the next line
    assert "cluster_policy.json: absent (optional)" in text
    assert "1 database: " in text and "16 modules: " in text
    read, ignored = text.split("# Ignored")
    assert "memory_size" in read and "alert_settings" not in read
    assert "alert_settings" in ignored and "memory_size" not in ignored
    assert "# memory_size (1 GiB), the memory limit: set the real data size and key count" in imported.text
    assert "# workload: {reads_per_sec: 0, writes_per_sec: 0}" in imported.text


def test_the_commented_example_runs_once_uncommented(imported) -> None:
    """No newer module is uploaded: the example restarts onto the same versions (force_restart) and, with neither
    replication nor persistence, discards the data (may_discard_data): accepted, completed."""
    scenario = parse_scenario(uncomment_example(imported.text))
    (step,) = scenario.timeline
    assert step.request.body["force_restart"] is True and step.request.body["may_discard_data"] is True
    result = run_scenario(scenario, check_invariants=True)
    assert [r["status"] for r in result.summary["responses"]] == [200]
    assert result.summary["actions"][0]["status"] == "completed"


def test_import_is_deterministic(tmp_path: Path) -> None:
    """The same bodies give byte-identical scenario text."""
    folder = lay_out(tmp_path / "saved", real_bodies())
    assert import_bodies(read_folder(folder)).text == import_bodies(read_folder(folder)).text
