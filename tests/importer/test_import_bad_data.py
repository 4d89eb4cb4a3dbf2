"""Bad data from the cluster is bad input (SPEC §12): exit 2, one line naming the file, the field and the
offending value; nothing on stdout, no file written. One row per kind of bad data."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from collections.abc import Callable

import pytest

from sim.cli import main
from tests.importer.helpers import changed, lay_out, three_bodies

F32 = "f" * 32


def _set(name: str, index: int | None, **fields: Any) -> Callable[[dict[str, Any]], None]:
    """A change setting `fields` on one object of a body (the body itself when index is None)."""
    def change(bodies: dict[str, Any]) -> None:
        target = bodies[name] if index is None else bodies[name][index]
        target.update(fields)
    return change


def _delete(name: str, index: int, key: str) -> Callable[[dict[str, Any]], None]:
    def change(bodies: dict[str, Any]) -> None:
        del bodies[name][index][key]
    return change


def _replace(name: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def change(bodies: dict[str, Any]) -> None:
        if value is None:
            del bodies[name]
        else:
            bodies[name] = value
    return change


def _raw(name: str, index: int, key: str, token: str) -> Callable[[dict[str, Any]], None]:
    """A change writing `token` as-is (no JSON encoding) as the value of `key` of one object."""
    def change(bodies: dict[str, Any]) -> None:
        bodies[name][index][key] = "__RAW__"
        bodies[name] = json.dumps(bodies[name], indent=1).replace('"__RAW__"', token)
    return change


def _module_id(bodies: dict[str, Any]) -> None:
    bodies["bdbs.json"][0]["module_list"][1]["module_id"] = F32


def _slots(bodies: dict[str, Any]) -> None:
    for shard in bodies["shards.json"][4:6]:
        shard["assigned_slots"] = "10923-16000"


#: (id, change, fragments the one line must hold: file, field, offending value)
CASES = [
    ("shard on an unknown node", _set("shards.json", 0, node_uid="9"), ["shards.json: [0].node_uid", '"9"',
                                                                        "names no node"]),
    ("database names an unknown module", _module_id, ["bdbs.json: [0].module_list[1].module_id", F32,
                                                      "not an uploaded module"]),
    ("wrong type: boolean", _set("bdbs.json", 0, replication="yes"), ["bdbs.json: [0].replication", '"yes"']),
    ("wrong type: uid", _set("nodes.json", 1, uid="two"), ["nodes.json: [1].uid", '"two"']),
    ("wrong type: integer", _set("bdbs.json", 0, shards_count=1.5), ["bdbs.json: [0].shards_count", "1.5"]),
    ("wrong type: list", _set("modules.json", 0, capabilities="types"), ["modules.json: [0].capabilities",
                                                                         '"types"']),
    ("wrong type: replica_sources", _set("bdbs.json", 1, replica_sources="redis://x"),
     ["bdbs.json: [1].replica_sources", '"redis://x"']),
    ("missing uid", _delete("bdbs.json", 1, "uid"), ["bdbs.json: [1].uid", "missing"]),
    ("missing software_version", _delete("nodes.json", 0, "software_version"),
     ["nodes.json: [0].software_version", "missing"]),
    ("missing memory_size", _delete("bdbs.json", 0, "memory_size"), ["bdbs.json: [0].memory_size", "missing"]),
    ("missing redis_version", _delete("bdbs.json", 0, "redis_version"), ["bdbs.json: [0].redis_version", "missing"]),
    ("missing role", _delete("shards.json", 1, "role"), ["shards.json: [1].role", "missing"]),
    ("snapshot rule without secs", _set("bdbs.json", 1, snapshot_policy=[{"writes": 1}]),
     ["bdbs.json: [1].snapshot_policy[0].secs", "missing"]),
    ("shard of an unknown database", _set("shards.json", 6, bdb_uid=42), ["shards.json: [6].bdb_uid", "42"]),
    ("unknown role", _set("shards.json", 1, role="replica"), ["shards.json: [1].role", '"replica"']),
    ("bad version", _set("modules.json", 0, semantic_version="latest"), ["modules.json: [0].semantic_version",
                                                                         '"latest"']),
    ("bad module uid", _set("modules.json", 2, uid="search-2.10"), ["modules.json: [2].uid", '"search-2.10"']),
    ("unknown persistence", _set("bdbs.json", 1, data_persistence="rdb"), ["bdbs.json: [1].data_persistence",
                                                                           '"rdb"']),
    ("unknown eviction policy", _set("bdbs.json", 1, eviction_policy="lru"), ["bdbs.json: [1].eviction_policy",
                                                                              '"lru"']),
    ("negative memory_size", _set("bdbs.json", 0, memory_size=-1), ["bdbs.json: [0].memory_size", "-1"]),
    ("snapshot rule of the wrong type", _set("bdbs.json", 1, snapshot_policy=[{"secs": "900", "writes": 1}]),
     ["bdbs.json: [1].snapshot_policy[0].secs", '"900"']),
    ("zero shards_count", _set("bdbs.json", 1, shards_count=0), ["bdbs.json: [1].shards_count", "0"]),
    ("shard_list names an absent shard", _set("bdbs.json", 1, shard_list=[12, 13]),
     ["bdbs.json: [1].shard_list[1]", "shard 13"]),
    ("shard_key_regex entry", _set("bdbs.json", 0, shard_key_regex=[{"re": 1}]),
     ["bdbs.json: [0].shard_key_regex[0]", '{"re": 1}']),
    ("duplicate node uid", _set("nodes.json", 2, uid=1), ["nodes.json: [2].uid", "1 is the uid of another node"]),
    ("duplicate shard uid", _set("shards.json", 1, uid="4"), ["shards.json: [1].uid", "4 is the uid of another"]),
    ("duplicate module uid", _set("modules.json", 1, uid="0c7f2a9b5e3d4f1a8b6c2d9e0f1a2b3c"),
     ["modules.json: [1].uid", "0c7f2a9b5e3d4f1a8b6c2d9e0f1a2b3c"]),
    ("duplicate module uid in capitals", _set("modules.json", 1, uid="0C7F2A9B5E3D4F1A8B6C2D9E0F1A2B3C"),
     ["modules.json: [1].uid", "is the uid of another module too"]),
    ("a Redis database sharing a memcached one's uid", _set("bdbs.json", 0, uid=2, type="memcached"),
     ["bdbs.json: [1].uid", "2 is the uid of another database too"]),
    ("a database without shards", _set("shards.json", 6, bdb_uid=1),
     ["shards.json", "no shard has bdb_uid 2"]),
    ("replica without slots among three pairs", _set("shards.json", 1, assigned_slots=""),
     ["shards.json: [1].assigned_slots", "empty on a replica of database 1, which has 3 masters"]),
    ("slots that are not slots", _set("shards.json", 0, assigned_slots="0-5461x"),
     ["shards.json: [0].assigned_slots", '"0-5461x"']),
    ("slots out of order", _set("shards.json", 0, assigned_slots="5461-0"),
     ["shards.json: database 1: shard 4", "slot range 5461-0 ends before it starts"]),
    # rules of the pinned placement, reported against the body the shards came from
    ("master and replica on one node", _set("shards.json", 1, node_uid="3"),
     ["shards.json: database 1", "master shard 4 and its replica 5 are both on node 3"]),
    ("master and replica in one rack", _set("nodes.json", 0, rack_id="az-c"),
     ["shards.json: database 1", "both in rack az-c"]),
    ("slots not covered", _slots, ["shards.json: database 1", "slots 16001-16383"]),
    ("shards_count disagrees with the shards", _set("bdbs.json", 0, shards_count=2),
     ["shards.json: database 1", "pins 3 master shard(s) but shards_count is 2"]),
    ("rack-aware cluster, node without a rack", _set("nodes.json", 0, rack_id=""),
     ["nodes.json: [0]", "node 1 has no rack_id"]),
    ("sharding false with three shards", _set("bdbs.json", 0, sharding=False),
     ["bdbs.json: [0] (database 1)", "sharding: false allows one shard, not shards_count 3"]),
    ("two uploads of one module version", _set("modules.json", 1, semantic_version="2.8.4"),
     ["modules.json: [1]", "duplicate uploaded module"]),
    # what JSON may say but no scenario (or log) can hold
    ("NaN", _raw("bdbs.json", 0, "memory_size", "NaN"), ["bdbs.json: not valid JSON", "NaN is not a JSON value"]),
    ("a number too large to be finite", _raw("bdbs.json", 0, "memory_size", "1e999"),
     ["bdbs.json: not valid JSON", "1e999 is not a JSON value"]),
    ("a lone surrogate", _raw("bdbs.json", 0, "name", '"db\\ud800"'),
     ["bdbs.json: not valid JSON", "a lone surrogate"]),
    ("an integer beyond 64 bits", _set("cluster_policy.json", None, parallel_shards_upgrade=2**63),
     ["cluster_policy.json", "parallel_shards_upgrade", "64 bits"]),
    ("a line separator in a value", _set("nodes.json", 0, software_version="7\u20282"),
     ["nodes.json: [0].software_version", "7\\u20282"]),
    # whole bodies
    ("not JSON", _replace("bdbs.json", '[{"uid": 1,\n  "name": }]'), ["bdbs.json:2:", "not valid JSON"]),
    ("an object where a list is due", _replace("nodes.json", {"uid": 1}), ["nodes.json", "expected a JSON list",
                                                                           "got a JSON object"]),
    ("an item that is not an object", _replace("shards.json", ["4"]), ["shards.json: [0]", "expected a JSON object",
                                                                      '"4"']),
    ("a missing body", _replace("shards.json", None), ["shards.json: missing", "curl"]),
    ("no node", _replace("nodes.json", []), ["nodes.json", "lists no node"]),
]


@pytest.mark.parametrize("change, fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_data_exits_2_with_one_line(tmp_path: Path, capsys, change: Callable, fragments: list[str]) -> None:
    """Exit 2; one stderr line naming the file (or URL path), the field and the value; no output file."""
    folder = lay_out(tmp_path / "saved", changed(three_bodies(), change))
    out = tmp_path / "out" / "scenario.yaml"
    out.parent.mkdir()
    code = main(["import", "--from-dir", str(folder), "--out", str(out)])
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert code == 2, captured.err
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("upgrade-sim: error: ") and "Traceback" not in captured.err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert captured.out == "" and list(out.parent.iterdir()) == []


def test_the_unchanged_bodies_import(tmp_path: Path, capsys) -> None:
    """The baseline of the table: without a change, the same bodies import (exit 0)."""
    folder = lay_out(tmp_path / "saved", three_bodies())
    assert main(["import", "--from-dir", str(folder)]) == 0
    assert capsys.readouterr().out.startswith("# Imported by upgrade-sim import")


@pytest.mark.parametrize("kind, fragment", [
    ("fifo", "shards.json: is a FIFO, not a saved REST body"),
    ("folder", "shards.json: is a folder, not a saved REST body"),
    ("device", "shards.json: is a special file, not a saved REST body"),
])
def test_a_saved_body_that_is_not_a_regular_file_is_refused_without_waiting(tmp_path: Path, capsys, kind: str,
                                                                           fragment: str) -> None:
    """Nothing writes to the FIFO and /dev/zero never ends: opening must not wait, reading must not start."""
    bodies = three_bodies()
    del bodies["shards.json"]
    folder = lay_out(tmp_path / "saved", bodies)
    target = folder / "shards.json"
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "folder":
        target.mkdir()
    else:
        target.symlink_to("/dev/zero")
    assert main(["import", "--from-dir", str(folder)]) == 2
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and fragment in captured.err, captured.err
    assert captured.out == ""
