"""Adding an event type must reach every place that folds events (issue 16, item 12): each of
these modules either names the type in its code (`ev.TypeName`) or lists it in its
`IGNORED_EVENTS`, on purpose; a type in neither fails here, naming the place to edit."""
from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from sim.events.types import EVENT_TYPES, Event

ROOT = Path(__file__).resolve().parents[2]
#: Every module with a case (or a deliberate non-case) per event type.
PLACES = ["sim.events.apply", "sim.events.touch", "sim.metrics.projection", "sim.metrics.explain",
          "sim.plots.history"]


def named_types(module: str) -> set[str]:
    """Event types a module's source names as `ev.TypeName` (or `types.TypeName`), outside its
    IGNORED_EVENTS."""
    tree = ast.parse((ROOT / (module.replace(".", "/") + ".py")).read_text())
    skipped = {id(inner) for node in ast.walk(tree) if isinstance(node, (ast.Assign, ast.AnnAssign))
               and "IGNORED_EVENTS" in ast.unparse(node.targets[0] if isinstance(node, ast.Assign) else node.target)
               for inner in ast.walk(node)}
    return {node.attr for node in ast.walk(tree) if id(node) not in skipped
            and isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.attr in EVENT_TYPES}


@pytest.mark.parametrize("module", PLACES)
def test_every_event_type_is_handled_or_ignored_on_purpose(module: str) -> None:
    """Handled (named in the code) or in IGNORED_EVENTS, never both, never neither."""
    ignored = {cls.__name__ for cls in getattr(importlib.import_module(module), "IGNORED_EVENTS", ())}
    handled = named_types(module)
    missing = sorted(set(EVENT_TYPES) - handled - ignored)
    assert not missing, f"{module}: handle these event types or add them to IGNORED_EVENTS: {missing}"
    assert not handled & ignored, f"{module}: both handled and ignored: {sorted(handled & ignored)}"


def test_the_check_would_catch_a_new_type() -> None:
    """A type no place knows about is reported (the test cannot pass vacuously)."""
    assert "NodeExploded" not in named_types("sim.events.touch")
    assert named_types("sim.events.apply") == set(EVENT_TYPES)


def test_no_event_type_derives_from_another() -> None:
    """The folds dispatch by exact type (`type(event)` looked up in a table: touch, the figures'
    fold, the engine's reactions); a subclass would silently miss its parent's case."""
    assert EVENT_TYPES and all(cls.__bases__ == (Event,) for cls in EVENT_TYPES.values())
