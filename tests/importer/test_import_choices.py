"""The import's own choices where the vendor's data leaves room (README "Importing a cluster"), case by case."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sim.importer import import_bodies, read_folder
from sim.importer.examples import example_lines
from sim.model import required_capabilities
from sim.scenario.yamlwrite import Commented
from tests.importer.helpers import changed, lay_out, three_bodies


def imported(tmp_path: Path, change: Any):
    """The three-rack cluster after `change`, imported from a folder."""
    return import_bodies(read_folder(lay_out(tmp_path / "saved", changed(three_bodies(), change))))


def test_redis_versions_are_those_every_node_supports(tmp_path: Path) -> None:
    """Node 3 without 6.2 (and with 8.0): the cluster can run 7.2 and 7.4 only; a note says why."""
    def edit(b: dict[str, Any]) -> None:
        b["nodes.json"][2]["supported_database_versions"] = [
            {"db_type": "redis", "redis_version": "7.2", "version": "7.2.7"},
            {"db_type": "redis", "redis_version": "7.4", "version": "7.4.2"},
            {"db_type": "redis", "redis_version": "8.0", "version": "8.0.0"}]
    result = imported(tmp_path, edit)
    assert result.scenario.cluster.redis_versions == ("7.2", "7.4")
    assert any("support different Redis versions" in note for note in result.notes)


def test_a_node_with_no_room_for_shards_is_quorum_only(tmp_path: Path) -> None:
    """max_redis_servers 0 on a fourth node holding nothing: quorum-only."""
    def edit(b: dict[str, Any]) -> None:
        b["nodes.json"].append(dict(b["nodes.json"][0], uid=4, rack_id="az-d", max_redis_servers=0))
    assert imported(tmp_path, edit).scenario.cluster.nodes[3].quorum_only is True


def test_missing_configuration_fields_take_the_vendor_defaults(tmp_path: Path) -> None:
    """Without eviction_policy, shards_placement, replication, master_persistence: volatile-lru, dense, false;
    without sharding, a 3-shard database is sharded (SPEC §1: true when shards_count > 1)."""
    def edit(b: dict[str, Any]) -> None:
        for key in ("eviction_policy", "shards_placement", "replication", "master_persistence", "snapshot_policy"):
            del b["bdbs.json"][1][key]
        b["bdbs.json"][1]["data_persistence"] = "aof"
        del b["bdbs.json"][0]["sharding"]
    orders, db = imported(tmp_path, edit).scenario.databases
    assert (db.eviction_policy, db.shards_placement, db.replication, db.master_persistence) == (
        "volatile-lru", "dense", False, False)
    assert orders.sharding is None and "clustering" in required_capabilities(orders)


def test_aof_details_and_module_arguments_are_kept(tmp_path: Path) -> None:
    """An AOF database's max_aof_load_time (when not 3600) and appendfsync-always; a module's arguments."""
    def edit(b: dict[str, Any]) -> None:
        b["bdbs.json"][0].update(max_aof_load_time=1800, aof_policy="appendfsync-always")
        b["bdbs.json"][0]["module_list"][0]["module_args"] = "MAX_DEPTH 64"
    db = imported(tmp_path, edit).scenario.databases[0]
    assert (db.max_aof_load_time, db.aof_policy) == (1800, "appendfsync-always")
    assert db.module_list[0].module_args == "MAX_DEPTH 64"


def test_a_module_list_entry_without_module_id_is_found_by_name_and_version(tmp_path: Path) -> None:
    """module_name + semantic_version name the uploaded module when module_id is absent."""
    def edit(b: dict[str, Any]) -> None:
        del b["bdbs.json"][1]["module_list"][0]["module_id"]
    (entry,) = imported(tmp_path, edit).scenario.databases[1].module_list
    assert entry.module_id == "567f47c6f755187e9fda49be4b77d379"


def test_states_at_reading_time_are_noted(tmp_path: Path) -> None:
    """A node down and a database mid-change when read: the scenario starts with both up, and says so."""
    def edit(b: dict[str, Any]) -> None:
        b["nodes.json"][1]["status"] = "down"
        b["bdbs.json"][0]["status"] = "active-change-pending"
    result = imported(tmp_path, edit)
    assert any("node 2 was down when read" in note and "node_crash: 2" in note for note in result.notes)
    assert any("database 1 was active-change-pending" in note for note in result.notes)
    assert "#   - node 2 was down when read" in result.text


def test_a_hostile_cluster_name_stays_a_comment(tmp_path: Path) -> None:
    """A cluster name with a line break and control characters: the scenario name is cleaned, the header
    stays comments, the file still reads back (the import checks it)."""
    def edit(b: dict[str, Any]) -> None:
        b["cluster.json"]["name"] = "prod\nrm -rf /\x1b[31m: {x}"
    result = imported(tmp_path, edit)
    # each run of characters outside [A-Za-z0-9._-] becomes one "-": "\n", " ", " /\x1b[", ": {", "}" (then
    # stripped at the end); the "-" of "-rf" is kept
    assert result.scenario.name == "prod-rm--rf-31m-x"
    assert result.scenario.cluster.name == "prod\nrm -rf /\x1b[31m: {x}"


def test_a_lone_replica_without_slots_takes_its_masters(tmp_path: Path) -> None:
    """sessions made replicated, its replica (shard 13, node 3) listed without assigned_slots: with one master
    there is no doubt, it takes 0-16383 (noted)."""
    def edit(b: dict[str, Any]) -> None:
        b["bdbs.json"][1].update(replication=True, shard_list=[12, 13])
        b["shards.json"].append({"uid": "13", "bdb_uid": 2, "node_uid": "3", "role": "slave"})
    result = imported(tmp_path, edit)
    assert [(s.uid, s.node, s.role, s.slots) for s in result.scenario.databases[1].shards] == [
        (12, 2, "master", "0-16383"), (13, 3, "slave", "0-16383")]
    assert any("shard 13 (a replica) lists no assigned_slots" in note for note in result.notes)


@pytest.mark.parametrize(("compatible", "minimum", "pack", "redis", "moves"), [
    ("8.0.1", None, None, "8.0", True),    # major.minor 8.0 both: allowed (a one-part "8" after dropping ".0")
    ("8", None, None, "8.0.2", True),
    ("7.4", None, None, "8.0", False),     # built for another major.minor
    ("", None, None, "8.0", True),         # empty: none
    (None, "8.2", None, "8.0", False),     # min_redis_version above the database's
    (None, "8.0.0", None, "8.0", True),
    (None, None, "8.0.3-10", "8.0", False),  # min_redis_pack_version above the cluster's 8.0.2-17
    (None, None, "8.0.2", "8.0", True),
])
def test_the_example_proposes_a_module_version_only_when_the_validator_allows_it(
        compatible: str | None, minimum: str | None, pack: str | None, redis: str, moves: bool) -> None:
    """The example's *allowed* is the validator's (SPEC §10): it used to compare major.minor without padding,
    so a module built for 8.0.1 was not proposed for a Redis 8.0 database that the request accepts it for."""
    loaded = {"uid": "a" * 32, "module_name": "ReJSON", "semantic_version": "2.8.4"}
    newer = {"uid": "b" * 32, "module_name": "ReJSON", "semantic_version": "2.8.10",
             **{k: v for k, v in (("compatible_redis_version", compatible), ("min_redis_version", minimum),
                                  ("min_redis_pack_version", pack)) if v is not None}}
    db = Commented({"uid": 1, "name": "orders", "redis_version": redis, "replication": True,
                    "data_persistence": "aof", "module_list": [{"module_name": "ReJSON", "semantic_version": "2.8.4",
                                                                "module_id": "a" * 32}]})
    text = "\n".join(example_lines([db], [loaded, newer], "8.0.2-17"))
    assert (f"new_module: {'b' * 32}" in text) is moves
    assert ("2.8.4 -> 2.8.10" in text) is moves


def test_what_the_cluster_says_is_carried_into_the_scenario(tmp_path: Path) -> None:
    """A module's min_redis_version, version and capability names (those outside SPEC §4's list
    too, as written), and a database's master_persistence: true are kept as the bodies say."""
    def edit(b: dict[str, Any]) -> None:
        b["modules.json"][0].update(min_redis_version="7.2", min_redis_pack_version="7.4.0", version=99999)
        b["modules.json"][0]["capabilities"].append("Foo_Cap")
        b["bdbs.json"][0]["master_persistence"] = True
    scenario = imported(tmp_path, edit).scenario
    module = next(m for m in scenario.cluster.modules if m.uid == "0c7f2a9b5e3d4f1a8b6c2d9e0f1a2b3c")
    assert (module.min_redis_version, module.min_redis_pack_version, module.version) == ("7.2", "7.4.0", 99999)
    assert "Foo_Cap" in module.capabilities
    assert scenario.databases[0].master_persistence is True


def test_fields_left_out_take_the_vendors_defaults(tmp_path: Path) -> None:
    """A node without max_redis_servers holds up to 100 shards (it is not quorum-only, even empty);
    a database without `type` is a Redis database and is imported."""
    def edit(b: dict[str, Any]) -> None:
        b["nodes.json"].append({k: v for k, v in b["nodes.json"][0].items() if k != "max_redis_servers"}
                               | {"uid": 4, "rack_id": "az-d"})
        del b["bdbs.json"][1]["type"]
    scenario = imported(tmp_path, edit).scenario
    assert scenario.cluster.nodes[3].quorum_only is False and scenario.cluster.nodes[3].max_redis_servers == 100
    assert [db.uid for db in scenario.databases] == [1, 2]


def test_snapshot_rules_and_replica_sources_as_the_import_writes_them(tmp_path: Path) -> None:
    """A snapshot rule without `writes` means one write; `snapshot_policy` is written for a
    snapshot database only (the AOF one's is left out); each replica source gets a placeholder."""
    def edit(b: dict[str, Any]) -> None:
        b["bdbs.json"][1]["snapshot_policy"] = [{"secs": 900}]
        b["bdbs.json"][0]["snapshot_policy"] = [{"secs": 60, "writes": 5}]
        b["bdbs.json"][0]["replica_sources"] = [{"uri": "redis://a"}, {"uri": "redis://b"}]
    aof, snapshot = imported(tmp_path, edit).scenario.databases
    assert [(r.secs, r.writes) for r in snapshot.snapshot_policy] == [(900, 1)]
    assert "snapshot_policy" not in aof.model_fields_set
    assert list(aof.replica_sources) == ["source-1", "source-2"]
