"""`check` as a CI gate on a distribution (issue 20): `--seeds N` with `--pass-share`, JUnit per
expectation over the seeds, the JUnit file written even when a file is bad input (exit 2), and a
failed action's reason in the failure text (issue 14)."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import pytest

from sim.cli import main
from sim.cli.check_report import Outcome, failed_actions, required_seeds, rows_of
from sim.run import run_scenario
from sim.scenario import load_scenario, scenario_from_data, scenario_yaml

ROOT = Path(__file__).resolve().parents[2]
FAULTS = ROOT / "scenarios" / "random-node-faults.yaml"
AOF = ROOT / "scenarios" / "vulnerability-aof.yaml"
EXAMPLE = ROOT / "scenarios" / "preserve-roles.yaml"


@pytest.mark.parametrize("seeds, share, required", [
    (20, 0.95, 19), (20, 1.0, 20), (10, 0.9, 9),  # 0.9 × 10 is 9.000000000000002 in floats: still 9
    (3, 0.5, 2), (1, 0.01, 1), (50, 0.95, 48),    # 47.5 rounds up
    (25, 0.28, 7),                                 # 0.28 × 25 is 7.000000000000001 in floats: still 7
])
def test_the_share_is_rounded_up_to_whole_seeds(seeds: int, share: float, required: int) -> None:
    """An expectation must hold on ⌈share × seeds⌉ seeds."""
    assert required_seeds(seeds, share) == required


def _seeds_failing(what: str, seeds: range) -> dict[int, float]:
    """The oracle: run each seed on its own; the seeds the expectation fails on, with their values."""
    scenario = load_scenario(FAULTS)
    found = {n: next(e for e in run_scenario(scenario, seed=n).expectations if e.what == what) for n in seeds}
    return {n: e.actual for n, e in found.items() if not e.ok}


@pytest.mark.parametrize("share, code", [(0.7, 0), (0.75, 1), (1.0, 1)])
def test_check_over_seeds_counts_where_each_expectation_holds(share: float, code: int, tmp_path: Path, capsys) -> None:
    """random-node-faults over seeds 1..10: availability_min fails on exactly the seeds that fail
    alone (3 of them: held 7/10), keys_lost_max holds on all. 0.7 needs 7 (pass), 0.75 needs 8. The
    worst seed is the one with the lowest availability."""
    failing = _seeds_failing("databases.1.availability_min", range(1, 11))
    assert len(failing) == 3
    worst = min(failing, key=lambda n: failing[n])
    junit = tmp_path / "r.xml"
    assert main(["check", str(FAULTS), "--seeds", "10", "--first-seed", "1", "--pass-share", str(share),
                 "--junit", str(junit)]) == code
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if "availability_min" in line)
    assert f"7/10   {failing[worst]:g} (seed {worst})" in row and ("ok" if code == 0 else "FAILED") in row
    assert "10/10" in next(line for line in out.splitlines() if "keys_lost_max" in line)
    assert f"1 scenarios x 10 seeds (each expectation on at least {required_seeds(10, share)})" in out
    suite = ET.parse(junit).getroot().find("testsuite")
    assert [c.get("name") for c in suite.findall("testcase")] == ["databases.1.availability_min",
                                                                  "databases.1.keys_lost_max"]
    failure = suite.find("testcase/failure")
    if code == 0:
        assert failure is None
    else:
        assert failure.get("message").startswith(f"held on 7 of 10 seeds, needs {required_seeds(10, share)}")
        named = ", ".join(f"{n} (got {v:g})" for n, v in sorted(failing.items()))
        assert f"failed on seeds {named}" in failure.text
        assert f"reproduce: upgrade-sim run {FAULTS} --seed {worst}" in failure.text


def test_one_seed_keeps_the_one_run_table(capsys) -> None:
    """Without --seeds the table shows expected and actual, as it always did."""
    assert main(["check", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["scenario", "expectation", "expected", "actual", "ok"]
    assert "1 scenarios, 6 expectations, 0 unmet" in out


def test_a_failed_actions_reason_is_in_the_junit_failure(tmp_path: Path) -> None:
    """vulnerability-aof with `status: active` expected: unmet, and the failure says why the upgrade
    failed — `shard 1 died with node 1 at t=20`, as summary.json's actions[].error says."""
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(AOF.read_text().replace("status: active-change-pending", "status: active"))
    junit = tmp_path / "r.xml"
    assert main(["check", str(wrong), "--junit", str(junit)]) == 1
    failure = ET.parse(junit).getroot().find(".//failure")
    assert failure.get("message").startswith("expected active, got active-change-pending; action ")
    assert "(SMUpgradeBDB) on database 1 failed at t=20 in state prepare: shard 1 died with node 1 at t=20" in \
        failure.get("message")
    assert failure.text.splitlines()[1].endswith("shard 1 died with node 1 at t=20")


def test_no_action_reason_when_no_action_failed(tmp_path: Path) -> None:
    """An unmet expectation of a run whose action completed: the failure text is the comparison alone."""
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(EXAMPLE.read_text().replace("availability_min: 0.996", "availability_min: 0.999"))
    junit = tmp_path / "r.xml"
    assert main(["check", str(wrong), "--junit", str(junit)]) == 1
    failure = ET.parse(junit).getroot().find(".//failure")
    assert failure.get("message") == "expected 0.999, got 0.996667" and "action" not in failure.text


@pytest.mark.parametrize("bad_text, message", [
    ("name: bad\ncluster: {nodes: [{uid: 1}]}\ndurration: 5\n", "durration: unknown key 'durration'"),
    ("name: [\n", "malformed YAML"),
])
def test_a_bad_file_still_writes_the_junit_file_then_exits_2(bad_text: str, message: str, tmp_path: Path,
                                                            capsys) -> None:
    """Exit 2 with one line, as before; but the JUnit file is written first: an error case for the bad
    file, a skipped case for each file not run."""
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "a-good.yaml").write_text(EXAMPLE.read_text())
    (folder / "b-bad.yaml").write_text(bad_text)
    junit = tmp_path / "reports" / "junit.xml"
    assert main(["check", str(folder), "--junit", str(junit)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"upgrade-sim: error: {folder / 'b-bad.yaml'}:") and message in err[0]
    root = ET.parse(junit).getroot()
    assert (root.get("tests"), root.get("errors"), root.get("skipped"), root.get("failures")) == ("2", "1", "1", "0")
    bad, good = root.findall("testsuite")
    error = bad.find("testcase/error")
    assert bad.get("file") == str(folder / "b-bad.yaml") and error.get("type") == "InputError"
    assert message in error.get("message")
    assert good.get("name") == "preserve-roles" and good.find("testcase/skipped") is not None


def test_a_missing_path_is_an_error_case_too(tmp_path: Path, capsys) -> None:
    """A path that names nothing: exit 2, and the JUnit file says so."""
    junit = tmp_path / "r.xml"
    assert main(["check", str(EXAMPLE), str(tmp_path / "nope.yaml"), "--junit", str(junit)]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    root = ET.parse(junit).getroot()
    assert root.find(".//error").get("message") == f"{tmp_path / 'nope.yaml'}: no such file or folder"


def test_seeds_start_at_the_scenarios_own_and_the_worst_of_a_max_is_the_highest(tmp_path: Path, capsys) -> None:
    """random-node-faults with `seed: 5` and `downtime_max_s: 0`, checked over 20 seeds without
    --first-seed: the seeds are 5..24 (the oracle runs each alone); the worst failing seed of a
    `_max` expectation is the one with the highest value; the JUnit text names ten failing seeds
    at most, then how many more."""
    data = load_scenario(FAULTS).model_dump(mode="json", exclude_unset=True)
    data.update(seed=5, expect={"databases": {1: {"downtime_max_s": 0}}})
    strict = tmp_path / "strict.yaml"
    strict.write_text(scenario_yaml(data))
    scenario = load_scenario(strict)
    what = "databases.1.downtime_max_s"
    results = {n: next(e for e in run_scenario(scenario, seed=n).expectations if e.what == what) for n in range(5, 25)}
    failing = {n: e.actual for n, e in results.items() if not e.ok}
    assert len(failing) > 10
    worst = max(failing, key=lambda n: failing[n])
    junit = tmp_path / "r.xml"
    assert main(["check", str(strict), "--seeds", "20", "--junit", str(junit)]) == 1
    row = next(line for line in capsys.readouterr().out.splitlines() if "downtime_max_s" in line)
    assert f"{20 - len(failing)}/20" in row.split() and f"{failing[worst]:g} (seed {worst})" in row
    text = ET.parse(junit).getroot().find(".//failure").text
    named = ", ".join(f"{n} (got {failing[n]:g})" for n in sorted(failing)[:10])
    assert f"failed on seeds {named} and {len(failing) - 10} more" in text
    assert f"reproduce: upgrade-sim run {strict} --seed {worst}" in text


def test_a_pass_share_of_0_is_bad_input(capsys) -> None:
    """An expectation must hold on a share above 0 of the seeds: 0 would let anything pass."""
    assert main(["check", str(EXAMPLE), "--pass-share", "0"]) == 2
    assert "--pass-share" in capsys.readouterr().err


def test_a_scenario_without_expectations_gets_one_ok_row() -> None:
    """Its table row says so, rather than the scenario vanishing from the table."""
    data = load_scenario(EXAMPLE).model_dump(mode="json", exclude_unset=True)
    data.pop("expect")
    result = run_scenario(scenario_from_data(data))
    assert rows_of([Outcome(EXAMPLE, "plain", [(7, result)])], 1.0, 1) == [("plain", "(no expectations)", "-", "-", "ok")]


def test_only_the_failed_actions_of_the_expectations_database_are_named() -> None:
    """A database 1 expectation names database 1's failed actions, not database 2's; an
    expectation of no database (responses) names them all."""
    actions = [{"action_uid": "a1", "name": "SMUpgradeBDB", "bdb": 2, "status": "failed", "state": "prepare",
                "ended_at": 201.0, "error": "shard 3 died with node 1 at t=201"},
               {"action_uid": "a2", "name": "SMUpgradeBDB", "bdb": 1, "status": "completed", "state": "completed"}]
    result = SimpleNamespace(summary={"actions": actions})
    assert failed_actions(result, "databases.1.downtime_max_s") == []
    assert failed_actions(result, "databases.2.status") == failed_actions(result, "responses.0.status") == [
        "action a1 (SMUpgradeBDB) on database 2 failed at t=201 in state prepare: shard 3 died with node 1 at t=201"]
