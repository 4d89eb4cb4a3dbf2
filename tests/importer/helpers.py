"""Shared helpers of the import tests: the saved bodies, folders of them, and the example's uncommenting."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
REAL = DATA / "real-cluster-8.0"
THREE = DATA / "three-racks"

#: The importer's file name -> the real capture's file name (kept as published).
REAL_FILES = {"cluster.json": "cluster.json", "nodes.json": "nodes_list.json", "bdbs.json": "bdbs_list.json",
              "modules.json": "modules_list.json", "shards.json": "shards_list.json"}
#: The importer's file name -> its REST path.
PATHS = {"cluster.json": "/v1/cluster", "cluster_policy.json": "/v1/cluster/policy", "nodes.json": "/v1/nodes",
         "bdbs.json": "/v1/bdbs", "modules.json": "/v1/modules", "shards.json": "/v1/shards"}


def real_bodies() -> dict[str, Any]:
    """The real Redis Software 8.0 bodies, by the file names the importer reads (no policy body)."""
    return {name: json.loads((REAL / source).read_text()) for name, source in REAL_FILES.items()}


def three_bodies() -> dict[str, Any]:
    """The three-rack cluster's six bodies, by file name."""
    return {name: json.loads((THREE / name).read_text()) for name in PATHS}


def lay_out(folder: Path, bodies: dict[str, Any]) -> Path:
    """Write `bodies` (decoded JSON, or raw text for a `str`) as files in `folder`; returns it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in bodies.items():
        (folder / name).write_text(body if isinstance(body, str) else json.dumps(body, indent=1))
    return folder


def changed(bodies: dict[str, Any], change: Any) -> dict[str, Any]:
    """A deep copy of `bodies` after `change(copy)` (which edits it in place)."""
    result = copy.deepcopy(bodies)
    change(result)
    return result


def uncomment_example(text: str) -> str:
    """What the scenario's timeline comment tells a user to do: replace `[]` with the example, uncommented."""
    lines, out, in_example = text.splitlines(), [], False
    for line in lines:
        if line.startswith("timeline: []"):
            out.append("timeline:")
            in_example = True
        elif in_example and line.startswith("#"):
            out.append(line[2:] if line.startswith("# ") else "")
        else:
            in_example = False
            out.append(line)
    return "\n".join(out) + "\n"
