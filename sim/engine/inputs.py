"""What a simulation takes: the cluster, databases, timing, window, seed and timeline."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sim.api.requests import Credentials
from sim.model.config import ClusterSpec, DatabaseSpec
from sim.model.state import ClusterState
from sim.model.timing import Timing

__all__ = ["RequestStep", "NodeCrashStep", "NodeRecoverStep", "ClusterRecoverStep", "RandomFaults",
           "SimulationInput", "Step"]


@dataclass(frozen=True, slots=True)
class RequestStep:
    """A REST request sent at time `at`."""

    at: float
    method: str
    path: str
    body: Any
    credentials: Credentials | None = field(default_factory=Credentials.implicit_admin)


@dataclass(frozen=True, slots=True)
class NodeCrashStep:
    """A node crashes at time `at`."""

    at: float
    node: int


@dataclass(frozen=True, slots=True)
class NodeRecoverStep:
    """A node comes back at time `at`."""

    at: float
    node: int


@dataclass(frozen=True, slots=True)
class ClusterRecoverStep:
    """A lost cluster is recovered at time `at` (SPEC §5 "Quorum")."""

    at: float


Step = RequestStep | NodeCrashStep | NodeRecoverStep | ClusterRecoverStep


@dataclass(frozen=True, slots=True)
class RandomFaults:
    """Random node crashes: mean time between failures and to recovery (seconds), per node."""

    mtbf_s: float
    mttr_s: float
    nodes: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class SimulationInput:
    """Everything that determines a run (with the seed): same input, same log."""

    cluster: ClusterSpec
    databases: tuple[DatabaseSpec, ...]
    timing: Timing = Timing()
    timeline: tuple[Step, ...] = ()
    duration: float | None = None
    seed: int = 0
    random_faults: RandomFaults | None = None
    #: the state at t = 0 when already built (from `cluster` and `databases`); only read
    initial: ClusterState | None = None
