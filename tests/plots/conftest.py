"""Runs shared by the plot tests: each scenario is simulated once per session (without figures),
and its log folded into the History the figures draw from."""
from __future__ import annotations

import pytest

from tests.plots.helpers import Run, library


@pytest.fixture(scope="session")
def default_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """scenarios/default.yaml: 3 nodes, 3 replicated pairs, rolling upgrade with preserve_roles."""
    return library("default", tmp_path_factory.mktemp("plots") / "default")


@pytest.fixture(scope="session")
def six_node_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """scenarios/six-node-sharded.yaml: 6 nodes, 24 shards, upgrade then a crash of node 3 (150-200)."""
    return library("six-node-sharded", tmp_path_factory.mktemp("plots") / "six")
