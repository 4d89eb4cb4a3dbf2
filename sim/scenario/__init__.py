"""Scenario files: YAML → validated `Scenario`, expectations, and the published JSON Schema."""
from __future__ import annotations

from sim.scenario.convert import credentials_of, to_input
from sim.scenario.dump import scenario_yaml
from sim.scenario.expectations import ExpectationResult, evaluate
from sim.scenario.loader import content_hash, load_scenario, parse_scenario, scenario_from_data
from sim.scenario.models import Expect, Scenario
from sim.scenario.schema import scenario_schema, schema_text
from sim.scenario.timing_file import load_timing, merge_timing, with_timing

__all__ = ["credentials_of", "to_input", "ExpectationResult", "evaluate", "content_hash", "load_scenario",
           "parse_scenario", "scenario_from_data", "Expect", "Scenario", "scenario_schema", "schema_text",
           "scenario_yaml", "load_timing", "merge_timing", "with_timing"]
