"""Runs shared by the plot tests: each scenario is simulated once per session (without figures),
and its log folded into the History the figures draw from."""
from __future__ import annotations

import copy

import pytest

from tests.kit import scenario_data
from tests.plots.helpers import Run, from_data, library


@pytest.fixture(scope="session")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """scenarios/default.yaml: 3 nodes, 3 replicated pairs, rolling upgrade with preserve_roles."""
    return library("default", tmp_path_factory.mktemp("plots") / "default")


@pytest.fixture(scope="session")
def six_node_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """scenarios/six-node-sharded.yaml: 6 nodes, 24 shards, upgrade then a crash of node 3 (150-200)."""
    return library("six-node-sharded", tmp_path_factory.mktemp("plots") / "six")


@pytest.fixture(scope="session")
def two_database_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """Two replicated databases pinned to disjoint nodes — orders (db 1: shards 1, 2 on nodes 1, 2)
    and carts (db 2: shards 3, 4 on nodes 3, 4) — and node 3 down from t=100 to t=150."""
    data = scenario_data(nodes=4, timeline=[{"at": 100, "node_crash": 3}, {"at": 150, "node_recover": 3}],
                         duration=300, db={"replication": True, "shards": [
                             {"uid": 1, "node": 1, "role": "master", "slots": "0-16383"},
                             {"uid": 2, "node": 2, "role": "slave", "slots": "0-16383"}]})
    carts = copy.deepcopy(data["databases"][0])
    carts.update(uid=2, name="carts", shards=[{"uid": 3, "node": 3, "role": "master", "slots": "0-16383"},
                                             {"uid": 4, "node": 4, "role": "slave", "slots": "0-16383"}])
    data["databases"].append(carts)
    return from_data(data, tmp_path_factory.mktemp("plots") / "two")


@pytest.fixture(scope="session")
def failed_action_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """scenarios/retry-after-failure.yaml: the first upgrade fails at t=18 (node 2 dies), a retry completes."""
    return library("retry-after-failure", tmp_path_factory.mktemp("plots") / "retry")
