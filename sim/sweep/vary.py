"""`--vary KEY=V1,V2`: parse an axis of a sweep and apply one of its values to scenario data.

KEY is a dotted path into the scenario data (`cluster.policy.parallel_shards_upgrade`,
`timeline.0.request.body.preserve_roles`; list items by index) or a shortcut naming a
field set in several places at once (see `SHORTCUTS`). Values are YAML scalars
(`true`, `4`, `aof`, `"7.2"`) separated by commas.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from sim.errors import InputError, ScenarioError
from sim.model.config import PolicySpec
from sim.model.timing import Timing
from sim.scenario import Scenario
from sim.scenario.yamlsource import parse_yaml

__all__ = ["Axis", "parse_axis", "apply_value", "SHORTCUTS", "UPGRADE_PATH", "DB_UPGRADE_PATH"]

#: The module- and database-upgrade endpoints (the patterns of `sim.api.requests.ENDPOINTS`).
UPGRADE_PATH = re.compile(r"^/v1/bdbs/[^/]+/(modules/)?upgrade/?$")
#: The database-upgrade endpoint: its body's `redis_version` is the target (SPEC §10).
DB_UPGRADE_PATH = re.compile(r"^/v1/bdbs/[^/]+/upgrade/?$")

_BODY = ("preserve_roles", "may_discard_data")
_DB_BODY = ("redis_version",)
_DATABASE = ("replication", "data_persistence", "aof_policy", "master_persistence", "shards_count", "shards_placement",
             "max_aof_load_time")
_RANDOM_FAULTS = ("mtbf_s", "mttr_s")

#: Shortcut → where it is set: `body` of every (database-)upgrade request, every database,
#: or a single dotted path.
SHORTCUTS: dict[str, str] = {
    **{name: "request body of every module or database upgrade" for name in _BODY},
    **{name: "request body of every database upgrade" for name in _DB_BODY},
    **{name: "every database" for name in _DATABASE},
    **{name: f"cluster.policy.{name}" for name in PolicySpec.model_fields},
    **{name: f"timing.{name}" for name in Timing.model_fields if name != "failure_detection_s"},
    **{name: f"faults.random.{name}" for name in _RANDOM_FAULTS},
}


@dataclass(frozen=True, slots=True)
class Axis:
    """One `--vary`: a key and its values, each as typed (`texts`) and as parsed (`values`)."""

    key: str
    texts: tuple[str, ...]
    values: tuple[Any, ...]


def parse_axis(spec: str) -> Axis:
    """Parse `KEY=V1,V2,...`; raises InputError naming the key or the value."""
    key, sep, raw = spec.partition("=")
    key = key.strip()
    if not sep or not key:
        raise InputError(f"--vary {spec!r}: write KEY=V1,V2 (for example preserve_roles=true,false)")
    check_key(key)
    texts = tuple(t.strip() for t in raw.split(","))
    if any(not t for t in texts):
        raise InputError(f"--vary {key}: an empty value in {raw!r} (write KEY=V1,V2)")
    if len(set(texts)) != len(texts):
        raise InputError(f"--vary {key}: a value is repeated in {raw!r}")
    values = tuple(_scalar(key, t) for t in texts)
    if key in _DB_BODY:  # a version as typed: YAML would read 7.10 as the number 7.1
        values = tuple(v if isinstance(v, str) else t for v, t in zip(values, texts))
    if key in _BODY and any(not isinstance(v, bool) for v in values):
        raise InputError(f"--vary {key}={raw}: {key} is true or false")
    return Axis(key, texts, values)


def check_key(key: str) -> None:
    """A key is a shortcut, or a dotted path starting at a top-level scenario key."""
    if key == "seed":
        raise InputError("--vary seed: the seeds come from --seeds and --first-seed")
    if key in SHORTCUTS or key.split(".")[0] in Scenario.model_fields:
        return
    raise InputError(f"--vary {key}: unknown key: use a dotted path into the scenario (such as "
                     f"cluster.policy.parallel_shards_upgrade) or a shortcut ({', '.join(sorted(SHORTCUTS))})")


def _scalar(key: str, text: str) -> Any:
    try:
        data, _ = parse_yaml(text.encode("utf-8"), "value")
    except ScenarioError as err:
        raise InputError(f"--vary {key}={text}: not a YAML value ({str(err).split(': ', 1)[-1]})") from None
    if isinstance(data, (dict, list)):
        raise InputError(f"--vary {key}={text}: values are YAML scalars (true, 4, aof, \"7.2\")")
    return data


def apply_value(data: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    """A copy of the scenario data with `key` set to `value`; InputError if the key leads nowhere."""
    data = copy.deepcopy(data)
    if key in _BODY:
        _set_in_upgrade_bodies(data, key, value, UPGRADE_PATH)
    elif key in _DB_BODY:
        _set_in_upgrade_bodies(data, key, value, DB_UPGRADE_PATH)
    elif key in _DATABASE:
        _set_in_databases(data, key, value)
    else:
        _set_path(data, key, SHORTCUTS.get(key, key).split("."), value)
    return data


def _set_in_upgrade_bodies(data: dict[str, Any], key: str, value: Any, path: re.Pattern[str]) -> None:
    found = 0
    for step in data.get("timeline") or []:
        request = step.get("request") if isinstance(step, dict) else None
        if isinstance(request, dict) and path.match(str(request.get("path", ""))):
            if request.get("body") is None:
                request["body"] = {}
            if isinstance(request["body"], dict):
                request["body"][key] = value
                found += 1
    if not found and path is DB_UPGRADE_PATH:
        raise InputError(f"--vary {key}: the timeline has no database-upgrade request "
                         f"(POST /v1/bdbs/UID/upgrade) to set it in")
    if not found:
        raise InputError(f"--vary {key}: the timeline has no module-upgrade request "
                         f"(POST /v1/bdbs/UID/modules/upgrade) or database-upgrade request "
                         f"(POST /v1/bdbs/UID/upgrade) to set it in")


def _set_in_databases(data: dict[str, Any], key: str, value: Any) -> None:
    databases = [d for d in data.get("databases") or [] if isinstance(d, dict)]
    if not databases:
        raise InputError(f"--vary {key}: the scenario has no databases to set it on")
    for database in databases:
        database[key] = value


def _set_path(data: dict[str, Any], key: str, parts: list[str], value: Any) -> None:
    node: Any = data
    for depth, part in enumerate(parts):
        where = ".".join(parts[:depth]) or "the scenario"
        last = depth == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise InputError(f"--vary {key}: {where} has {len(node)} item{'' if len(node) == 1 else 's'}; "
                                 f"{part!r} is not an index in it")
            index: Any = int(part)
        elif isinstance(node, dict):
            index = int(part) if part not in node and part.isdigit() and int(part) in node else part
            if not last and node.get(index) is None:
                node[index] = {}  # a section left to its defaults; unknown keys are caught by validation
        else:
            raise InputError(f"--vary {key}: {where} is a value ({node!r}), not a mapping or a list")
        if last:
            node[index] = value
        else:
            node = node[index]
