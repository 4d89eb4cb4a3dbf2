"""Round trip through the REST twin (issue 18): serve a bundled scenario with `upgrade-sim serve`'s
app, import it over HTTP as a real cluster, and the imported cluster — its nodes, modules,
databases and pinned layout — runs to the same figures as the original, once the parts an
import cannot read (the dataset's keys, the workload, the timeline) are given back."""
from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sim.cli import main
from sim.run import run_scenario
from sim.scenario import load_scenario, scenario_from_data
from sim.scenario.yamlsource import load_yaml
from sim.session import Session
from sim.twin import Twin, TwinServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("name", ["default", "six-node-sharded", "no-preserve-roles"])
def test_a_served_scenario_imports_into_the_same_cluster(name: str, tmp_path: Path) -> None:
    original, _, _ = load_yaml(ROOT / "scenarios" / f"{name}.yaml")
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
    server = TwinServer(Twin(Session(scenario), None, None, plots=False), "127.0.0.1", 0).start()
    try:
        assert main(["import", "--url", server.url, "--user", "admin", "--password", "x",
                     "--out", str(tmp_path / "imported.yaml")]) == 0
    finally:
        server.shutdown()
        server.join()
    imported, _, _ = load_yaml(tmp_path / "imported.yaml")
    assert [n["uid"] for n in imported["cluster"]["nodes"]] == [n["uid"] for n in original["cluster"]["nodes"]]
    assert all(db.get("shards") for db in imported["databases"])  # the layout is pinned as served
    given_back = copy.deepcopy(imported)
    for key in ("timeline", "duration", "seed", "expect", "timing", "name"):
        if key in original:
            given_back[key] = copy.deepcopy(original[key])
    by_uid = {db["uid"]: db for db in original["databases"]}
    for db in given_back["databases"]:
        for key in ("dataset", "workload"):
            if key in by_uid[db["uid"]]:
                db[key] = copy.deepcopy(by_uid[db["uid"]][key])
    ours = run_scenario(scenario_from_data(given_back), check_invariants=True).summary
    theirs = run_scenario(scenario, check_invariants=True).summary
    assert ours["responses"] == theirs["responses"]
    assert ours["databases"] == theirs["databases"]
