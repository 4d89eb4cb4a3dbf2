"""Executors: a sweep gives the same table in this process, in local processes and on a real
Dask cluster (a `distributed.LocalCluster`), equal to individual `run_scenario` runs."""
from __future__ import annotations

import copy
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.cli import main
from sim.run import run_scenario
from sim.scenario import scenario_from_data
from sim.scenario.yamlsource import load_yaml
from sim.sweep import (
    DaskCluster, InProcess, LocalProcesses, csv_text, executors, make_executor, plan_sweep, run_sweep,
)

distributed = pytest.importorskip("distributed")

FAULTS = Path(__file__).resolve().parents[2] / "scenarios" / "random-node-faults.yaml"
VARY = ["preserve_roles=true,false"]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A small real Dask cluster in this process (threads; tcp, as a remote one would be)."""
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                                  dashboard_address=":0") as cluster:
        yield cluster.scheduler_address


def _by_hand(preserve_roles: bool, seed: int) -> dict:
    """One run of the scenario with the upgrade's flag edited by hand, through the ordinary façade."""
    data, _, _ = load_yaml(FAULTS)
    data = copy.deepcopy(data)
    data["timeline"][0]["request"]["body"]["preserve_roles"] = preserve_roles
    return run_scenario(scenario_from_data(data), seed=seed, plots=False).summary


def test_dask_local_processes_and_single_runs_agree(scheduler: str) -> None:
    """2 strategies × 3 seeds: identical rows from every executor, and each row is that seed's own run."""
    plan = plan_sweep(FAULTS, VARY, seeds=3)
    here = run_sweep(plan, InProcess())
    local = run_sweep(plan, LocalProcesses(2))
    dask = DaskCluster(scheduler)
    try:
        on_dask = run_sweep(plan, dask)
    finally:
        dask.close()
    assert here == local == on_dask
    assert csv_text(here) == csv_text(local) == csv_text(on_dask)
    assert [(r["preserve_roles"], r["seed"]) for r in here] == [
        ("true", 1), ("true", 2), ("true", 3), ("false", 1), ("false", 2), ("false", 3)]
    for row in here:
        summary = _by_hand(row["preserve_roles"] == "true", row["seed"])
        figures = summary["databases"]["1"]
        assert row["events"] == summary["events"]
        for name in ("availability", "downtime_s", "request_availability", "failed_requests", "longest_outage_s",
                     "keys_lost", "bytes_lost", "writes_lost", "upgrade_duration_s", "roles_preserved", "status"):
            assert row[f"db1.{name}"] == figures[name], name
        assert row["db1.failovers.unplanned"] == figures["failovers"]["unplanned"]
    assert len({r["db1.downtime_s"] for r in here}) > 1  # the seeds draw different faults


def test_the_cli_writes_the_same_folder_on_dask_and_locally(scheduler: str, tmp_path: Path, monkeypatch,
                                                            capsys) -> None:
    """Byte-identical outputs (table, verdict, PNG and SVG plots) from the environment's scheduler
    and from local processes."""
    args = ["sweep", str(FAULTS), "--vary", "preserve_roles=true,false", "--seeds", "3"]
    assert main(args + ["--out", str(tmp_path / "local"), "--workers", "2"]) == 0
    monkeypatch.setenv(executors.SCHEDULER_ENV, scheduler)
    assert main(args + ["--out", str(tmp_path / "dask")]) == 0
    err = capsys.readouterr().err
    assert "2 local processes" in err and f"the Dask cluster at {scheduler}" in err
    local = sorted((tmp_path / "local").iterdir())
    assert [p.name for p in local] == [".upgrade-sim-output", "distributions-db1.png", "distributions-db1.svg", "results.csv",
                                       "summary.json", "tradeoff-db1.png", "tradeoff-db1.svg", "verdict.txt"]
    for path in local:
        assert path.read_bytes() == (tmp_path / "dask" / path.name).read_bytes(), path.name


def test_the_scheduler_option_wins_over_the_environment(scheduler: str, monkeypatch) -> None:
    """--scheduler, else UPGRADE_SIM_SCHEDULER, else local processes (1 worker: this process)."""
    monkeypatch.setenv(executors.SCHEDULER_ENV, "tcp://127.0.0.1:1")
    chosen = make_executor(scheduler, None)
    try:
        assert isinstance(chosen, DaskCluster) and chosen.workers == 2
    finally:
        chosen.close()
    monkeypatch.delenv(executors.SCHEDULER_ENV)
    assert isinstance(make_executor(None, 1), InProcess)
    assert isinstance(make_executor(None, 3), LocalProcesses)


def test_without_distributed_the_message_says_what_to_install(tmp_path: Path, monkeypatch, capsys) -> None:
    """Exit 2 with one line naming the extra to install; nothing written."""
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` now fails
    out = tmp_path / "o"
    assert main(["sweep", str(FAULTS), "--seeds", "1", "--scheduler", "tcp://127.0.0.1:1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "pip install 'upgrade-sim[distributed]'" in err[0]
    assert not out.exists()


def test_an_unreachable_scheduler_is_bad_input(tmp_path: Path, monkeypatch, capsys) -> None:
    """Exit 2 with one line naming the address."""
    monkeypatch.setattr(executors, "CONNECT_TIMEOUT", "0.5s")
    out = tmp_path / "o"
    assert main(["sweep", str(FAULTS), "--seeds", "1", "--scheduler", "tcp://127.0.0.1:1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "--scheduler tcp://127.0.0.1:1: cannot reach the Dask scheduler" in err[0]
    assert not out.exists()
