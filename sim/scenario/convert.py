"""Turn a validated scenario into the engine's input."""
from __future__ import annotations

from sim.api.requests import Credentials
from sim.engine.inputs import (
    ClusterRecoverStep, NodeCrashStep, NodeRecoverStep, RandomFaults, RequestStep, SimulationInput, Step,
)
from sim.scenario.models import (
    ClusterRecoverStepSpec, NodeCrashStepSpec, NodeRecoverStepSpec, RequestSpec, Scenario, UserCredentials,
)

__all__ = ["to_input", "credentials_of"]


def to_input(scenario: Scenario, seed: int | None = None) -> SimulationInput:
    """The simulation input of a scenario; `seed` overrides the scenario's own."""
    steps: list[Step] = []
    for step in scenario.timeline:
        if isinstance(step, NodeCrashStepSpec):
            steps.append(NodeCrashStep(step.at, step.node_crash))
        elif isinstance(step, NodeRecoverStepSpec):
            steps.append(NodeRecoverStep(step.at, step.node_recover))
        elif isinstance(step, ClusterRecoverStepSpec):
            steps.append(ClusterRecoverStep(step.at))
        else:
            request = step.request
            steps.append(RequestStep(step.at, request.method, request.path, request.body, credentials_of(request)))
    random = scenario.faults.random
    faults = RandomFaults(random.mtbf_s, random.mttr_s, tuple(random.nodes)) if random else None
    return SimulationInput(
        cluster=scenario.cluster, databases=tuple(scenario.databases), timing=scenario.timing,
        timeline=tuple(steps), duration=scenario.duration, seed=scenario.seed if seed is None else seed,
        random_faults=faults, initial=scenario.initial_state())


def credentials_of(request: RequestSpec) -> Credentials | None:
    """No `user` key: the implicit admin; `user: null`: no credentials; else the named user."""
    if "user" not in request.model_fields_set:
        return Credentials.implicit_admin()
    user = request.user
    if user is None:
        return None
    if isinstance(user, UserCredentials):
        return Credentials(user.name, user.password)
    return Credentials(user)
