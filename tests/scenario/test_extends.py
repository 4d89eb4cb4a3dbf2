"""`extends: base.yaml`: bases merged (mappings key by key, lists and values replaced), errors naming
the file and line that hold the key, hostile paths and cycles refused with one line, and the log's
content hash covering the merged document."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario import content_hash, load_scenario
from sim.scenario.extends import MAX_CHAIN, load_document

BASE = """\
name: base
seed: 3
duration: 200
cluster:
  version: 7.4.2-54
  policy: {parallel_shards_upgrade: 1, slave_ha: false}
  nodes: [{uid: 1, rack_id: a}, {uid: 2, rack_id: b}, {uid: 3, rack_id: c}]
databases:
  - {uid: 1, replication: true, shards_count: 2}
  - {uid: 2}
expect:
  databases:
    1: {keys_lost_max: 0}
"""


def _files(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    return tmp_path


def test_mappings_merge_key_by_key_and_everything_else_is_replaced(tmp_path: Path) -> None:
    """The extending file wins: policy keys merge (parallel_shards_upgrade kept, slave_ha replaced),
    the databases list is replaced whole, scalars replaced, `"1"` and `1` are one key."""
    _files(tmp_path, {"bases/cluster.yaml": BASE, "plan.yaml": """\
extends: bases/cluster.yaml
name: plan
cluster:
  policy: {slave_ha: true}
databases:
  - {uid: 7}
expect:
  databases:
    "1": {writes_lost_max: 5}
"""})
    data, _ = load_document(tmp_path / "plan.yaml")
    assert "extends" not in data
    assert (data["name"], data["seed"], data["duration"]) == ("plan", 3, 200)
    assert data["cluster"]["policy"] == {"parallel_shards_upgrade": 1, "slave_ha": True}
    assert data["cluster"]["nodes"][2] == {"uid": 3, "rack_id": "c"}
    assert data["databases"] == [{"uid": 7}]
    assert data["expect"] == {"databases": {"1": {"keys_lost_max": 0, "writes_lost_max": 5}}}


def test_a_chain_of_bases_merges_in_order(tmp_path: Path) -> None:
    """c extends b extends a: each later file wins over the ones it extends."""
    _files(tmp_path, {"a.yaml": BASE, "b.yaml": "extends: a.yaml\nseed: 4\nduration: 300\n",
                      "c.yaml": "extends: b.yaml\nname: c\nseed: 5\n"})
    scenario = load_scenario(tmp_path / "c.yaml")
    assert (scenario.name, scenario.seed, scenario.duration) == ("c", 5, 300)


@pytest.mark.parametrize("child, base_edit, where", [
    # the bad key is in the extending file: its file and line
    ("extends: base.yaml\nname: plan\ncluster:\n  policy: {slave_ha: maybe}\n", None, "plan.yaml:4: cluster.policy.slave_ha"),
    ("extends: base.yaml\nname: plan\ndatabases:\n  - {uid: 1}\n  - {uid: 1, shard_count: 2}\n", None,
     "plan.yaml:5: databases[1].shard_count: unknown key 'shard_count'; did you mean 'shards_count'?"),
    # the bad key is in the base: the base's file and line
    ("extends: base.yaml\nname: plan\n", ("shards_count: 2", "shards_count: 0"),
     "base.yaml:9: databases[0].shards_count: Input should be greater than 0 (got 0)"),
    ("extends: base.yaml\nname: plan\n", ("rack_id: c}", "rack_id: c, extra: 1}"),
     "base.yaml:7: cluster.nodes[2].extra: unknown key 'extra'"),
    # a reference from the child to something the base declares (node 9 is nowhere)
    ("extends: base.yaml\nname: plan\ntimeline:\n  - {at: 5, node_crash: 9}\n", None,
     "plan.yaml:4: timeline[0].node_crash: node 9 is not declared in cluster.nodes"),
])
def test_errors_name_the_file_and_line_that_hold_the_key(tmp_path: Path, child: str,
                                                          base_edit: tuple[str, str] | None, where: str) -> None:
    """Validation runs on the merged document, and the message names whichever file holds the key."""
    base = BASE.replace(*base_edit) if base_edit else BASE
    _files(tmp_path, {"base.yaml": base, "plan.yaml": child})
    with pytest.raises(ScenarioError) as error:
        load_scenario(tmp_path / "plan.yaml")
    assert str(error.value).startswith(str(tmp_path / where.split(":")[0]) + ":" + where.split(":", 1)[1]), error.value


@pytest.mark.parametrize("value, fragment", [
    ("/etc/passwd.yaml", "give a path relative to this file's folder"),
    ("~/base.yaml", "give a path relative to this file's folder"),
    ("sub\\\\base.yaml", "give a path relative to this file's folder"),
    ("../base.yaml", "a base must be in this file's folder or below it ('..' is refused"),
    ("sub/../../base.yaml", "'..' is refused"),
    ("base.txt", "a base is a scenario file (*.yaml or *.yml)"),
    ("missing.yaml", "missing.yaml: cannot read the file (No such file or directory)"),
    ("link.yaml", "is a symbolic link (refused: write the real path)"),
    ("linked/base.yaml", "is a symbolic link"),
    ("42", "the path of a base scenario file, relative to this file (got 42)"),
    ("''", "the path of a base scenario file"),
    ("[a.yaml]", "the path of a base scenario file"),
    ("plan.yaml", "a cycle of extends (plan.yaml -> plan.yaml)"),
    ('"a\\0.yaml"', "a file name has no NUL character"),  # os.lstat raised ValueError: exit 3
])
def test_hostile_extends_values_are_one_line_naming_the_key(tmp_path: Path, value: str, fragment: str) -> None:
    """Absolute paths, `..`, `~`, backslashes, other suffixes, symbolic links, missing files, non-text
    values and a file extending itself: each refused with file:line: extends: and why."""
    _files(tmp_path, {"base.yaml": BASE, "outside/base.yaml": BASE, "plan.yaml": f"name: plan\nextends: {value}\n"})
    os.symlink(tmp_path / "base.yaml", tmp_path / "link.yaml")
    os.symlink(tmp_path / "outside", tmp_path / "linked")
    with pytest.raises(ScenarioError) as error:
        load_document(tmp_path / "plan.yaml")
    assert str(error.value).startswith(f"{tmp_path / 'plan.yaml'}:2: extends: "), error.value
    assert fragment in str(error.value)


def test_a_cycle_through_several_files_is_named(tmp_path: Path) -> None:
    """a → b → c → a: refused at the file that closes the cycle, the cycle spelt out."""
    _files(tmp_path, {"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: c.yaml\n", "c.yaml": "extends: a.yaml\n"})
    with pytest.raises(ScenarioError) as error:
        load_document(tmp_path / "a.yaml")
    assert str(error.value) == f"{tmp_path / 'c.yaml'}:1: extends: a.yaml: a cycle of extends " \
                               "(a.yaml -> b.yaml -> c.yaml -> a.yaml)"


def test_a_chain_longer_than_the_limit_is_refused(tmp_path: Path) -> None:
    """MAX_CHAIN files may extend one another; one more is refused (no cycle needed)."""
    files = {f"f{i}.yaml": f"extends: f{i + 1}.yaml\n" for i in range(MAX_CHAIN)}
    files[f"f{MAX_CHAIN}.yaml"] = BASE
    _files(tmp_path, files)
    with pytest.raises(ScenarioError, match=f"more than {MAX_CHAIN} files extend one another"):
        load_document(tmp_path / "f0.yaml")
    _files(tmp_path, {"f1.yaml": BASE})  # now f0 -> f1: two files
    assert load_scenario(tmp_path / "f0.yaml").name == "base"


def test_a_base_that_is_not_a_mapping_is_named(tmp_path: Path) -> None:
    """The base's own file is named when it is not a mapping."""
    _files(tmp_path, {"base.yaml": "- 1\n- 2\n", "plan.yaml": "extends: base.yaml\n"})
    with pytest.raises(ScenarioError) as error:
        load_document(tmp_path / "plan.yaml")
    assert str(error.value).startswith(f"{tmp_path / 'base.yaml'}:1: a base of ") and "not a list" in str(error.value)


def test_the_content_hash_covers_the_merged_document(tmp_path: Path) -> None:
    """A scenario written out whole and the same scenario made by extends have one content hash
    (the log header's); changing the base changes it."""
    _files(tmp_path, {"whole.yaml": BASE.replace("name: base", "name: plan"),
                      "base.yaml": BASE, "plan.yaml": "extends: base.yaml\nname: plan\n"})
    merged = content_hash(load_scenario(tmp_path / "plan.yaml"))
    assert merged == content_hash(load_scenario(tmp_path / "whole.yaml"))
    (tmp_path / "base.yaml").write_text(BASE.replace("duration: 200", "duration: 201"))
    assert content_hash(load_scenario(tmp_path / "plan.yaml")) != merged


def test_check_skips_underscore_bases_in_folders_and_runs_what_extends_them(tmp_path: Path, capsys) -> None:
    """`check FOLDER` does not run `_cluster.yaml` (a base, incomplete on its own) but runs the file
    that extends it; naming the base explicitly still checks it (and fails: it has no name)."""
    _files(tmp_path, {"_cluster.yaml": BASE.replace("name: base\n", ""),
                      "plan.yaml": "extends: _cluster.yaml\nname: plan\n"})
    assert main(["check", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "plan" in out and "1 scenarios" in out
    assert main(["check", str(tmp_path / "_cluster.yaml")]) == 2
    assert "missing required key 'name'" in capsys.readouterr().err


def test_the_schema_knows_extends_and_leaves_required_keys_to_the_base() -> None:
    """The JSON Schema has `extends` (a relative *.yaml path, no `..`); a file with `extends` need not
    carry name and cluster, a file without it must."""
    import jsonschema

    from sim.scenario import scenario_schema

    validator = jsonschema.Draft202012Validator(scenario_schema())
    assert not list(validator.iter_errors({"extends": "bases/cluster.yaml", "seed": 2}))
    assert list(validator.iter_errors({"extends": "../cluster.yaml"}))
    assert list(validator.iter_errors({"extends": "/etc/cluster.yaml"}))
    assert {e.message for e in validator.iter_errors({"seed": 2})} == {
        "'name' is a required property", "'cluster' is a required property"}


def test_extends_in_text_without_a_file_is_named() -> None:
    """Scenario text given directly (no file to be relative to) cannot extend: one clear error."""
    from sim.scenario import parse_scenario

    with pytest.raises(ScenarioError, match=r"^t.yaml:1: extends: a base is merged when a scenario is read from its "
                                            r"file"):
        parse_scenario("extends: base.yaml\nname: x\n", "t.yaml")
