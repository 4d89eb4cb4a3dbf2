"""The JSON Schema of scenario files, for editors (`upgrade-sim schema`)."""
from __future__ import annotations

import json
from typing import Any

from sim.scenario.extends import KEY as EXTENDS
from sim.scenario.models import Scenario

__all__ = ["scenario_schema", "schema_text"]

SCHEMA_ID = "https://upgrade-sim.dev/scenario.schema.json"


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    schema = Scenario.model_json_schema(mode="validation")
    # `extends` is read (and removed) before the document is validated: the model never sees it
    schema["properties"] = {EXTENDS: {
        "type": "string", "pattern": r"^(?!(.*/)?\.\.(/|$))[^/~\\][^\\]*\.ya?ml$",
        "description": "a base scenario file (relative to this file, in its folder or below) merged under this "
                       "one: mappings merged key by key, anything else (lists too) replaced by this file's"},
        **schema["properties"]}
    required = schema.pop("required", [])
    if required:  # a file that extends another may leave the required keys to its base
        schema["if"] = {"not": {"required": [EXTENDS]}}
        schema["then"] = {"required": required}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "upgrade-sim scenario", **schema}


def schema_text() -> str:
    """The schema as stable, indented JSON text (what `scenarios/scenario.schema.json` holds)."""
    return json.dumps(scenario_schema(), indent=2, sort_keys=True) + "\n"
