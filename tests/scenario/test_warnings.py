"""Warnings on risky set-ups (issue 20): a rack whose loss loses quorum, a recovery of a node that is
up, a master and its replica in one rack. `validate` prints them, `--strict` makes them errors,
`run` and `check` print them and go on."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.cli import main
from sim.scenario import scenario_from_data
from sim.scenario.warnings import scenario_warnings
from tests.kit import scenario_data


def _nodes(*racks: str | None) -> list[dict[str, Any]]:
    return [{"uid": i + 1, **({"rack_id": r} if r is not None else {})} for i, r in enumerate(racks)]


def _warnings(data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    return [(w.loc, w.message) for w in scenario_warnings(scenario_from_data(data))]


@pytest.mark.parametrize("racks, expected", [
    # 6 nodes, 2 racks of 3: losing either leaves 3 of 6, not more than half
    (("a", "a", "a", "b", "b", "b"),
     "losing rack a (nodes 1, 2, 3) leaves 3 of 6 up; rack b (nodes 4, 5, 6) leaves 3 of 6 up"),
    # 3 racks of 2: losing one leaves 4 of 6 (> 3): quorum kept
    (("a", "a", "b", "b", "c", "c"), None),
    # 5 nodes: a holds 3, losing it leaves 2 of 5; losing b (2 nodes) leaves 3 of 5: fine
    (("a", "a", "a", "b", "b"), "losing rack a (nodes 1, 2, 3) leaves 2 of 5 up"),
    # a rack-less node counts for quorum but is never lost with a rack: 4 nodes, rack a of 2 -> 2 of 4
    (("a", "a", "b", None), "losing rack a (nodes 1, 2) leaves 2 of 4 up"),
    # no racks at all: nothing to judge
    ((None, None, None), None),
    # one node per rack: losing one of 3 leaves 2 of 3
    (("a", "b", "c"), None),
])
def test_a_rack_whose_loss_loses_quorum_is_warned(racks: tuple[str | None, ...], expected: str | None) -> None:
    """Quorum needs more than half of all nodes up (SPEC §5); the warning names each rack whose loss breaks it."""
    data = scenario_data(timeline=[])
    data["cluster"]["nodes"] = _nodes(*racks)
    found = [m for loc, m in _warnings(data) if loc == ("cluster", "nodes")]
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and found[0].startswith(f"the cluster loses quorum when one rack fails: {expected} ")


@pytest.mark.parametrize("steps, warned", [
    ([{"at": 5, "node_recover": 2}], {0: "node 2 is up at t=5 (no node_crash of it comes before)"}),
    ([{"at": 5, "node_crash": 2}, {"at": 9, "node_recover": 2}], {}),
    # the recover is written first but happens later: timeline order is by `at`
    ([{"at": 9, "node_recover": 2}, {"at": 5, "node_crash": 2}], {}),
    # same instant: as written; recover before crash is a recover of an up node
    ([{"at": 5, "node_recover": 2}, {"at": 5, "node_crash": 2}], {0: "node 2 is up at t=5"}),
    # a second recover with no crash between
    ([{"at": 5, "node_crash": 2}, {"at": 9, "node_recover": 2}, {"at": 20, "node_recover": 2}],
     {2: "node 2 is up at t=20 (recovered at t=9 and not crashed since)"}),
    # another node's crash does not make this one down
    ([{"at": 5, "node_crash": 1}, {"at": 9, "node_recover": 2}], {1: "node 2 is up at t=9"}),
])
def test_recovering_a_node_that_is_up_is_warned(steps: list[dict[str, Any]], warned: dict[int, str]) -> None:
    """A static check over the timeline: a node_recover with no earlier crash of that node."""
    found = {loc[1]: m for loc, m in _warnings(scenario_data(timeline=steps)) if loc[0] == "timeline"}
    assert set(found) == set(warned)
    for index, text in warned.items():
        assert found[index].startswith(text) and found[index].endswith("this recovery does nothing")


def test_random_faults_hide_what_a_static_check_cannot_know() -> None:
    """A node that random faults may crash is not judged (it may well be down then)."""
    steps = [{"at": 5, "node_recover": 2}, {"at": 6, "node_recover": 3}]
    data = scenario_data(timeline=steps, faults={"random": {"mtbf_s": 100, "mttr_s": 10, "nodes": [2]}})
    found = {loc[1] for loc, _ in _warnings(data) if loc[0] == "timeline"}
    assert found == {1}


@pytest.mark.parametrize("racks, db, expected", [
    # dense placement, 2 nodes per rack: pair 0 master node 1, replica node 2 — both rack a
    (("a", "a", "b", "b"), {"replication": True}, "database 1: every pair has master and replica in one rack (rack a: pair 0)"),
    # rack-aware: never together
    (("a", "a", "b", "b"), {"replication": True, "rack_aware": True}, None),
    # sparse, 3 pairs on a1 a2 b3 b4 (least loaded; ties: fewest of the role, then lowest uid):
    #   pair 0 master 1, replica 2 (a, a); pair 1 master 3, replica 4 (b, b);
    #   pair 2 master 2 (no master yet), replica 1 (fewest replicas, lowest uid) (a, a)
    (("a", "a", "b", "b"), {"replication": True, "shards_count": 3, "shards_placement": "sparse"},
     "database 1: every pair has master and replica in one rack (rack a: pairs 0, 2; rack b: pair 1)"),
    # sparse, 2 pairs on a1 a2 b3: pair 0 on 1, 2 (a, a); pair 1 master 3, replica 1 (b, a)
    (("a", "a", "b"), {"replication": True, "shards_count": 2, "shards_placement": "sparse"},
     "database 1: 1 of 2 pairs has master and replica in one rack (rack a: pair 0)"),
    # no replication: no pair to split
    (("a", "a", "b", "b"), {"replication": False}, None),
    # one rack only: nothing another rack could hold
    (("a", "a", "a"), {"replication": True}, None),
])
def test_a_master_and_its_replica_in_one_rack_are_warned(racks: tuple[str, ...], db: dict[str, Any],
                                                          expected: str | None) -> None:
    """Judged on the placement at t = 0 when the nodes name at least two racks."""
    data = scenario_data(db, timeline=[])
    data["cluster"]["nodes"] = _nodes(*racks)
    if db.get("rack_aware"):
        data["cluster"]["rack_aware"] = True
    found = [m for loc, m in _warnings(data) if loc == ("databases", 0)]
    if expected is None:
        assert found == []
        return
    assert len(found) == 1 and expected in found[0] and found[0].endswith(
        "losing that rack loses both copies (rack_aware: true keeps them apart)")


def _file(tmp_path: Path) -> Path:
    data = scenario_data(timeline=[{"at": 5, "node_recover": 2}])
    data["cluster"]["nodes"] = _nodes("a", "a", "b")
    path = tmp_path / "risky.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def test_validate_prints_warnings_and_strict_refuses(tmp_path: Path, capsys) -> None:
    """`validate` prints `warning: FILE:LINE: key: …` on stderr and exits 0; `--strict` exits 2 with
    the first warning as its one line."""
    path = _file(tmp_path)
    assert main(["validate", str(path)]) == 0
    captured = capsys.readouterr()
    warnings = captured.err.strip().splitlines()
    assert len(warnings) == 2 and all(w.startswith(f"warning: {path}:") for w in warnings)
    assert "cluster.nodes: the cluster loses quorum when one rack fails" in warnings[0]
    assert "timeline[0].node_recover: node 2 is up at t=5" in warnings[1]
    assert captured.out.startswith(f"ok  {path}")
    assert main(["validate", "--strict", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"upgrade-sim: error: {path}:")
    assert err[0].endswith("(a warning, an error with --strict; and 1 more warning)")


def test_run_and_check_print_warnings_without_failing(tmp_path: Path, capsys) -> None:
    """The same warnings on stderr; the exit codes are the run's own (0 here)."""
    path = _file(tmp_path)
    assert main(["run", str(path), "--out", str(tmp_path / "o"), "--no-plots"]) == 0
    assert capsys.readouterr().err.count("warning: ") == 2
    assert main(["check", str(path)]) == 0
    assert capsys.readouterr().err.count("warning: ") == 2
