"""The JSON Schema of scenario files, for editors (`upgrade-sim schema`)."""
from __future__ import annotations

import json
from typing import Any

from sim.scenario.models import Scenario

__all__ = ["scenario_schema", "schema_text"]

SCHEMA_ID = "https://upgrade-sim.dev/scenario.schema.json"


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    schema = Scenario.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "upgrade-sim scenario", **schema}


def schema_text() -> str:
    """The schema as stable, indented JSON text (what `scenarios/scenario.schema.json` holds)."""
    return json.dumps(scenario_schema(), indent=2, sort_keys=True) + "\n"
