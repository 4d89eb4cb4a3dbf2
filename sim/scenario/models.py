"""The scenario file's shape (SPEC §9) as pydantic models; unknown keys are errors."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator, Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt, PrivateAttr, Tag,
    field_validator, model_validator,
)

from sim.api.requests import checked_body
from sim.model.build import build_state
from sim.model.config import ClusterSpec, DatabaseSpec, Strict, bounded_text
from sim.model.sizes import whole_number
from sim.model.state import ClusterState
from sim.model.timing import Timing

__all__ = [
    "UserCredentials", "RequestSpec", "RequestStepSpec", "NodeCrashStepSpec", "NodeRecoverStepSpec",
    "ClusterRecoverStepSpec",
    "TimelineStep", "RandomFaultsSpec", "FaultsSpec", "ResponseExpectation", "DatabaseExpectation", "Expect",
    "Scenario",
]


class UserCredentials(Strict):
    """A user named with a password."""

    name: str
    password: str | None = None


class RequestSpec(Strict):
    """A REST request as an operator would send it. Without `user`, it runs as an implicit
    admin; `user: null` sends no credentials."""

    method: Literal["POST", "GET", "PUT", "DELETE"] = "POST"
    path: str
    user: str | UserCredentials | None = None
    body: Any = None

    @field_validator("*", mode="after")
    @classmethod
    def _bounded_values(cls, value: Any) -> Any:
        """Overrides `Strict`'s by name: `body` is data (`2e15` is a body, not a setting past 10¹⁵),
        checked by `_json_body`; the other fields are texts."""
        return bounded_text(value)

    @field_validator("body")
    @classmethod
    def _json_body(cls, value: Any) -> Any:
        problem, body = checked_body(value)  # a plain copy: the caller's objects are not kept
        if problem:
            raise ValueError(f"the body must be what a JSON text could hold: {problem}")
        return body


class RequestStepSpec(Strict):
    """`{at, request}`: a request sent at time `at` (seconds)."""

    at: NonNegativeFloat
    request: RequestSpec


class NodeCrashStepSpec(Strict):
    """`{at, node_crash: UID}`: a node crashes."""

    at: NonNegativeFloat
    node_crash: PositiveInt


class NodeRecoverStepSpec(Strict):
    """`{at, node_recover: UID}`: a node comes back."""

    at: NonNegativeFloat
    node_recover: PositiveInt


class ClusterRecoverStepSpec(Strict):
    """`{at, cluster_recover: true}`: recover a cluster that lost quorum (SPEC §5 "Quorum")."""

    at: NonNegativeFloat
    cluster_recover: Literal[True]


_KINDS = ("request", "node_crash", "node_recover", "cluster_recover")


def _step_kind(value: Any) -> str | None:
    if isinstance(value, dict):
        for kind in _KINDS:
            if kind in value:
                return kind
        return None
    return next((k for k in _KINDS if hasattr(value, k)), None)


TimelineStep = Annotated[
    Annotated[RequestStepSpec, Tag("request")]
    | Annotated[NodeCrashStepSpec, Tag("node_crash")]
    | Annotated[NodeRecoverStepSpec, Tag("node_recover")]
    | Annotated[ClusterRecoverStepSpec, Tag("cluster_recover")],
    Discriminator(_step_kind, custom_error_type="step_kind",
                  custom_error_message="a timeline step needs one of the keys request, node_crash, node_recover, "
                                       "cluster_recover"),
]


class RandomFaultsSpec(Strict):
    """Random node crashes drawn from the seed: exponential times, per node."""

    mtbf_s: PositiveFloat = Field(description="mean seconds between a node's failures")
    mttr_s: PositiveFloat = Field(description="mean seconds until a crashed node recovers")
    nodes: list[PositiveInt] = Field(default=[], description="nodes that may fail; default: all")


class FaultsSpec(Strict):
    """Faults beyond the timeline's explicit steps."""

    random: RandomFaultsSpec | None = None


class ResponseExpectation(Strict):
    """The expected answer to one request, in timeline order."""

    status: int
    error_code: str | None = None


class DatabaseExpectation(Strict):
    """Bounds and values the outcome of one database must meet."""

    availability_min: float | None = Field(None, ge=0, le=1)
    request_availability_min: float | None = Field(None, ge=0, le=1)
    downtime_max_s: NonNegativeFloat | None = None
    longest_outage_max_s: NonNegativeFloat | None = None
    keys_lost_max: NonNegativeInt | None = None
    writes_lost_max: NonNegativeFloat | None = None
    failovers_max: NonNegativeInt | None = None
    upgrade_duration_max_s: NonNegativeFloat | None = None
    roles_preserved: bool | None = None
    module_versions: dict[str, str] | None = None
    redis_version: str | None = None
    status: str | None = None


class Expect(Strict):
    """What the run must show for the scenario to pass."""

    responses: list[ResponseExpectation] | None = None
    databases: dict[PositiveInt, DatabaseExpectation] = {}

    @field_validator("databases", mode="before")
    @classmethod
    def _one_key_per_database(cls, value: Any) -> Any:
        """`1:` and `"01":` both name database 1: refused rather than one silently dropped."""
        if isinstance(value, dict):
            seen: dict[int, Any] = {}
            for key in value:
                uid = whole_number(str(key).strip())
                if uid is not None:
                    if uid in seen:
                        raise ValueError(f"database {uid} is given twice ({seen[uid]!r} and {key!r})")
                    seen[uid] = key
        return value


class Scenario(Strict):
    """A scenario file: a cluster, its databases, a timeline of requests and faults, and
    the outcomes expected."""

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$",
                      description="letters, digits, '.', '_' and '-', starting with a letter or digit (it names "
                                  "the default output folder out/NAME)")
    description: str = ""
    seed: NonNegativeInt = 0
    duration: PositiveFloat | None = Field(None, description="window end in seconds; default: end of the last "
                                                             "action or timeline step, plus 60 s")
    cluster: ClusterSpec
    databases: list[DatabaseSpec] = []
    timing: Timing = Timing()
    timeline: list[TimelineStep] = []
    faults: FaultsSpec = FaultsSpec()
    expect: Expect = Expect()

    #: the t = 0 state, built once when the scenario is checked (placement is not free)
    _initial: ClusterState | None = PrivateAttr(None)

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Scenario:
        """A copy; the cached initial state is not carried over (the copy may differ)."""
        copy = super().model_copy(update=update, deep=deep)
        copy._initial = None
        return copy

    def initial_state(self) -> ClusterState:
        """The cluster at t = 0 (placement done); built on first use and kept. Runs only read it.

        Raises InputError (with `loc`) when the cluster cannot be built.
        """
        if self._initial is None:
            self._initial = build_state(self.cluster, self.databases)
        return self._initial

    @model_validator(mode="after")
    def _needs_duration(self) -> Scenario:
        if self.faults.random is not None and self.duration is None:
            raise ValueError("random faults never stop: give the scenario a duration")
        return self
