"""The scenario library: every file passes, its bounds are the hand-computed figures exactly,
it is listed in scenarios/README.md, and it validates against the published JSON Schema."""
from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from sim.run import run_scenario
from sim.scenario import load_scenario, parse_scenario

FOLDER = Path(__file__).resolve().parents[1] / "scenarios"
FILES = sorted(FOLDER.glob("*.yaml"))
#: Scenarios whose bounds are deliberately loose (one seed of random faults).
LOOSE = {"random-node-faults.yaml"}
#: Single bounds kept loose on purpose: the SPEC §9 example's own figure.
LOOSE_BOUNDS = {("preserve-roles.yaml", "databases.1.availability_min")}


def test_there_are_at_least_twelve() -> None:
    """The library holds at least twelve scenarios, the default among them."""
    assert len(FILES) >= 12 and FOLDER / "default.yaml" in FILES


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_scenario_passes_with_tight_bounds(path: Path) -> None:
    """Every expectation holds, and every numeric bound equals the actual figure (the header's
    hand arithmetic is exact), unless the scenario is known to be loose."""
    result = run_scenario(load_scenario(path), check_invariants=True)
    assert result.ok, [r for r in result.expectations if not r.ok]
    if path.name in LOOSE:
        return
    for r in result.expectations:
        if r.what.endswith(("_min", "_max", "_max_s")) and (path.name, r.what) not in LOOSE_BOUNDS:
            assert r.actual == pytest.approx(r.expected, abs=1e-6), f"{r.what}: bound {r.expected}, actual {r.actual}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_scenario_carries_its_arithmetic_in_a_header(path: Path) -> None:
    """scenarios/README.md's claim: every file starts with a comment holding its hand arithmetic,
    and every exempted bound is named there."""
    assert path.read_text(encoding="utf-8").startswith("# "), f"{path.name} has no header comment"
    readme = (FOLDER / "README.md").read_text(encoding="utf-8")
    for name, what in LOOSE_BOUNDS:
        assert f"`{what.rsplit('.', 1)[1]}: " in readme and f"`{name}`" in readme


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_scenario_is_listed_in_the_readme(path: Path) -> None:
    """scenarios/README.md says what each scenario teaches."""
    assert f"[`{path.name}`]" in (FOLDER / "README.md").read_text()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_scenario_validates_against_the_json_schema(path: Path) -> None:
    """Editors using the published schema accept every bundled scenario."""
    schema = json.loads((FOLDER / "scenario.schema.json").read_text())
    jsonschema.validate(yaml.safe_load(path.read_text()), schema)


def test_the_schema_rejects_an_unknown_key() -> None:
    """The schema forbids unknown keys, as the loader does."""
    schema = json.loads((FOLDER / "scenario.schema.json").read_text())
    data = yaml.safe_load((FOLDER / "preserve-roles.yaml").read_text())
    data["durration"] = 5
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_the_readme_scenario_example_runs_and_meets_its_expectations() -> None:
    """The annotated example of the README's "Scenario files" section is a working file."""
    readme = (FOLDER.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("```yaml\nname: preserve-roles") + len("```yaml\n")
    text = readme[start:readme.index("```", start)]
    scenario = parse_scenario(text, "README.md example")
    result = run_scenario(scenario)
    assert result.ok, [f"{r.what}: expected {r.expected}, got {r.actual}" for r in result.failed]
    assert result.summary["responses"][0]["status"] == 200
    assert len(result.expectations) == 12
