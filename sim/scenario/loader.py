"""Load a scenario file: YAML → validated `Scenario`, with every error naming file, line and key."""
from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.api.requests import ENDPOINTS, match_endpoint
from sim.engine import rare_collections
from sim.errors import InputError, ScenarioError
from sim.model.sizes import whole_number
from sim.scenario.models import NodeCrashStepSpec, NodeRecoverStepSpec, RequestStepSpec, Scenario
from sim.scenario.extends import KEY as EXTENDS
from sim.scenario.extends import load_document
from sim.scenario.suggest import allowed_keys, did_you_mean
from sim.scenario.yamlsource import SourceMap, parse_yaml

__all__ = ["load_scenario", "parse_scenario", "scenario_from_data", "content_hash", "MAX_SHARDS",
           "MAX_RANDOM_CRASHES", "first_error"]

#: Most shards of one run, all databases together [OURS]: a bound on memory and time
#: (the benchmarks run 50,000).
MAX_SHARDS = 200_000
#: Most random crashes a run may expect (nodes × duration ÷ (mtbf_s + mttr_s)) [OURS].
MAX_RANDOM_CRASHES = 1_000_000


def load_scenario(path: str | Path) -> Scenario:
    """Read and check a scenario file (its `extends` bases merged in); raises ScenarioError
    (file:line: key: problem, naming the file that holds the key)."""
    data, source = load_document(path)
    return scenario_from_data(data, source)


def parse_scenario(text: str, name: str = "<scenario>") -> Scenario:
    """Check a scenario given as YAML text."""
    data, source = parse_yaml(text.encode("utf-8"), name)
    return scenario_from_data(data, source)


def scenario_from_data(data: Any, source: SourceMap | None = None) -> Scenario:
    """Validate scenario data (already parsed) and check its cross-references."""
    source = source or SourceMap("<scenario>", {})
    if not isinstance(data, dict):
        raise source.error((), f"a scenario is a mapping of keys (name, cluster, databases, ...), "
                               f"not a {type(data).__name__}")
    if EXTENDS in data:  # read from a file only: relative to what?
        raise source.error((EXTENDS,), "a base is merged when a scenario is read from its file "
                                       "(load_scenario(path), or the command line); here it cannot be")
    with rare_collections():  # the placement check builds the whole cluster: many objects, no cycles
        try:
            scenario = Scenario.model_validate(data)
        except ValidationError as err:
            raise first_error(err, data, source) from None
        _check_references(scenario, source)
    return scenario


def content_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: formatting and comments do not change it."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def first_error(err: ValidationError, data: Any, source: SourceMap, at: tuple[Any, ...] = ()) -> ScenarioError:
    """The first validation error as file:line: key: problem (`at`: where the validated part sits in `data`)."""
    first = err.errors()[0]
    loc, rest = _split(at + tuple(first["loc"]), data)
    kind, message = first["type"], first["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if kind == "missing" and rest:
        message = f"missing required key {rest[-1]!r}"
    elif kind == "extra_forbidden":
        full = at + tuple(first["loc"])
        choices = allowed_keys(full[:-1]) + ([EXTENDS] if len(full) == 1 else [])
        message = f"unknown key {loc[-1]!r}{did_you_mean(loc[-1], choices)}"
    elif "input" in first and kind not in ("step_kind",) and not isinstance(first["input"], (dict, list)) \
            and "boolean" not in message:
        message += _got(first["input"], message)
    return source.error(loc, message)


def _got(value: Any, message: str) -> str:
    """` (got VALUE)`, unless the message already shows the value."""
    shown = repr(value)
    if f"got {shown}" in message or (isinstance(value, str) and shown in message):
        return ""
    return f" (got {shown if len(shown) <= 60 else shown[:57] + '...'})"


def _split(loc: tuple[Any, ...], data: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The part of a pydantic `loc` present in the data, and what is left (e.g. a missing key).

    Union tags (such as `node_crash` in `timeline.1.node_crash.at`) also name keys; a part
    is followed only when it is the last one or leads to a mapping or a list.
    """
    present: tuple[Any, ...] = ()
    node, rest = data, []
    for i, part in enumerate(loc):
        last = i == len(loc) - 1
        number = whole_number(part) if isinstance(node, dict) and isinstance(part, str) and part not in node else None
        key = number if number is not None else part
        if isinstance(node, dict) and key in node and (last or isinstance(node[key], (dict, list))):
            present, node = present + (key,), node[key]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            present, node = present + (part,), node[part]
        else:
            rest.append(part)
    return present, tuple(rest)


def _readable(pattern: str) -> str:
    """An endpoint's path pattern as the vendor documents it: `/v1/bdbs/{uid}/modules/upgrade`."""
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", pattern).removeprefix("^").removesuffix("$").removesuffix("/?")


def _check_unique(values: list[int], loc: tuple[str, ...], what: str, source: SourceMap) -> None:
    """A uid given twice is named as a duplicate before anything refers to it (an expectation on
    the second of two databases 3 would otherwise read "database 4 is not declared")."""
    seen: set[int] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise source.error(loc + (i,), f"duplicate {what} {value}")
        seen.add(value)


def _check_references(scenario: Scenario, source: SourceMap) -> None:
    _check_unique([n.uid for n in scenario.cluster.nodes], ("cluster", "nodes"), "node uid", source)
    _check_unique([d.uid for d in scenario.databases], ("databases",), "database uid", source)
    nodes = {n.uid for n in scenario.cluster.nodes}
    known = ", ".join(f"{m} {_readable(p.pattern)}" for m, p, _ in ENDPOINTS)
    for i, step in enumerate(scenario.timeline):
        if scenario.duration is not None and step.at >= scenario.duration:
            raise source.error(("timeline", i, "at"), f"{step.at:g} is not before the window's end "
                                                      f"(duration {scenario.duration:g})")
        if isinstance(step, NodeCrashStepSpec) and step.node_crash not in nodes:
            raise source.error(("timeline", i, "node_crash"),
                               f"node {step.node_crash} is not declared in cluster.nodes")
        if isinstance(step, NodeRecoverStepSpec) and step.node_recover not in nodes:
            raise source.error(("timeline", i, "node_recover"),
                               f"node {step.node_recover} is not declared in cluster.nodes")
        if isinstance(step, RequestStepSpec) and match_endpoint(step.request.method, step.request.path) is None:
            path = step.request.path if step.request.path.isprintable() else repr(step.request.path)
            raise source.error(("timeline", i, "request", "path"),
                               f"{step.request.method} {path} is not a known endpoint ({known})")
    random = scenario.faults.random
    for j, node in enumerate(random.nodes if random else []):
        if node not in nodes:
            raise source.error(("faults", "random", "nodes", j), f"node {node} is not declared in cluster.nodes")
    if random is not None and scenario.duration is not None:
        crashes = len(random.nodes or nodes) * scenario.duration / (random.mtbf_s + random.mttr_s)
        if crashes > MAX_RANDOM_CRASHES:
            raise source.error(("faults", "random", "mtbf_s"), f"about {crashes:.3g} random crashes in the window, "
                               f"more "
                               f"than the {MAX_RANDOM_CRASHES:,} a run may hold: lengthen mtbf_s or mttr_s, or "
                               "shorten the duration")
    shards = sum(d.shards_count * (2 if d.replication else 1) for d in scenario.databases)
    if shards > MAX_SHARDS:
        raise source.error(("databases",), f"{shards:,} shards in all, more than the {MAX_SHARDS:,} a run may hold")
    databases = {d.uid for d in scenario.databases}
    for uid in scenario.expect.databases:
        if uid not in databases:
            raise source.error(("expect", "databases", uid), f"database {uid} is not declared in databases")
    try:
        scenario.initial_state()
    except InputError as err:
        raise source.error(err.loc, str(err)) from None
