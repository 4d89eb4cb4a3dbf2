"""The six bodies an import reads, and reading them from a folder of saved files.

`GET /v1/cluster`, `/v1/cluster/policy` (optional), `/v1/nodes`, `/v1/bdbs`,
`/v1/modules` and `/v1/shards`, saved as `cluster.json`, `cluster_policy.json`,
`nodes.json`, `bdbs.json`, `modules.json` and `shards.json` (README "Import your
cluster" gives the curl commands). Each body keeps its origin — the file's path or
`GET /v1/...` — so that every message about bad data names where the data came from.
"""
from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.importer.fields import DataError
from sim.inputfile import read_regular
from sim.jsontext import has_lone_surrogate

__all__ = ["BodySpec", "BODIES", "Body", "Bodies", "decode_json", "read_folder", "MAX_BODY_FILE"]

#: Largest saved body read (the shards of a 10,000-shard cluster take about 10 MB).
MAX_BODY_FILE = 256 * 2**20


@dataclass(frozen=True, slots=True)
class BodySpec:
    """One body: its name, saved file, REST path, JSON type and whether it is required."""

    name: str
    file: str
    path: str
    kind: type
    required: bool = True


BODIES: tuple[BodySpec, ...] = (
    BodySpec("cluster", "cluster.json", "/v1/cluster", dict),
    BodySpec("policy", "cluster_policy.json", "/v1/cluster/policy", dict, required=False),
    BodySpec("nodes", "nodes.json", "/v1/nodes", list),
    BodySpec("bdbs", "bdbs.json", "/v1/bdbs", list),
    BodySpec("modules", "modules.json", "/v1/modules", list),
    BodySpec("shards", "shards.json", "/v1/shards", list),
)


@dataclass(frozen=True, slots=True)
class Body:
    """A decoded body and its origin (a file path, or `GET /v1/...`); `data` None when absent."""

    origin: str
    data: Any


@dataclass(frozen=True, slots=True)
class Bodies:
    """The six bodies of one cluster, and where they were read (a folder or a URL)."""

    source: str
    cluster: Body
    policy: Body
    nodes: Body
    bdbs: Body
    modules: Body
    shards: Body
    live: bool = False


def decode_json(raw: bytes, origin: str, spec: BodySpec) -> Any:
    """Decode one body; DataError (naming `origin` and the line) if it is not JSON of the right type."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DataError(f"{origin}: not UTF-8 text (is it the JSON body of GET {spec.path}?)") from None
    def refuse(token: str) -> Any:
        raise DataError(f"{origin}: not valid JSON: {token} is not a JSON value")

    def finite(token: str) -> float:
        value = float(token)
        return value if math.isfinite(value) else refuse(token[:40])

    try:
        data = json.loads(text, parse_constant=refuse, parse_float=finite)
    except json.JSONDecodeError as err:
        raise DataError(f"{origin}:{err.lineno}: not valid JSON: {err.msg} (column {err.colno})") from None
    except DataError:
        raise
    except (RecursionError, ValueError):  # an integer past Python's digit limit, absurd nesting
        raise DataError(f"{origin}: not valid JSON: a number is too long or the nesting too deep") from None
    if ("\\u" in text or not text.isascii()) and has_lone_surrogate(data):
        raise DataError(f"{origin}: not valid JSON: a lone surrogate (\\ud800-\\udfff) is not text")
    if not isinstance(data, spec.kind):
        raise DataError(f"{origin}: expected {_json_type(spec.kind)} (the body of GET {spec.path}), "
                        f"got {_json_type(type(data))}")
    return data


def _json_type(kind: type) -> str:
    return {dict: "a JSON object", list: "a JSON list", str: "a string", bool: "true or false"}.get(
        kind, "null" if kind is type(None) else "a number")


def read_folder(folder: str | Path) -> Bodies:
    """The bodies saved in `folder`; DataError for a missing required file or a bad body."""
    root = Path(folder)
    if not root.is_dir():
        raise DataError(f"{root}: not a folder (--from-dir takes the folder holding cluster.json, nodes.json, ...)")
    bodies: dict[str, Body] = {}
    for spec in BODIES:
        path = root / spec.file
        origin = str(path)
        if not os.path.lexists(path):
            if spec.required:
                raise DataError(f"{origin}: missing (save it with: curl ... {spec.path} -o {spec.file}; "
                                "see README \"Import your cluster\")")
            bodies[spec.name] = Body(origin, None)
            continue
        raw = read_regular(path, MAX_BODY_FILE, "saved REST body", DataError)
        bodies[spec.name] = Body(origin, decode_json(raw, origin, spec))
    return Bodies(source=str(root), **bodies)  # type: ignore[arg-type]  # the six fields, by name
