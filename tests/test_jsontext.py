"""`sim.jsontext.pretty` is `json.dumps(value, indent=2, ...)`, byte for byte, on any value."""
from __future__ import annotations

import enum
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.jsontext import pretty

_SCALARS = st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30) | st.floats() | st.text()
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
                       | st.dictionaries(st.text(max_size=6), inner, max_size=4), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(_VALUES, st.booleans(), st.booleans())
def test_same_text_as_json_dumps(value: object, sort_keys: bool, ensure_ascii: bool) -> None:
    assert pretty(value, sort_keys=sort_keys, ensure_ascii=ensure_ascii) == json.dumps(
        value, indent=2, sort_keys=sort_keys, ensure_ascii=ensure_ascii)


class _Colour(str, enum.Enum):
    RED = "red"


@pytest.mark.parametrize("value", [
    {}, [], (), {"a": {}}, [[]], "é\n\"", math.nan, -math.inf, math.inf, 10**100, True, None,
    {1: "number key"}, {None: 1, True: 2, 2.5: 3},  # keys json turns into strings
    {"colour": _Colour.RED}, [_Colour.RED], {_Colour.RED: 1},  # subclasses: json's own rules
    {"b": 1, "a": [1, {"z": None, "y": 2.5}]},
])
@pytest.mark.parametrize("sort_keys", [False, True])
@pytest.mark.parametrize("ensure_ascii", [False, True])
def test_cases_json_handles_its_own_way(value: object, sort_keys: bool, ensure_ascii: bool) -> None:
    try:
        expected = json.dumps(value, indent=2, sort_keys=sort_keys, ensure_ascii=ensure_ascii)
    except TypeError as err:  # keys that do not compare, sorted
        with pytest.raises(TypeError, match=str(err)):
            pretty(value, sort_keys=sort_keys, ensure_ascii=ensure_ascii)
    else:
        assert pretty(value, sort_keys=sort_keys, ensure_ascii=ensure_ascii) == expected


def test_errors_are_jsons() -> None:
    cycle: list[object] = []
    cycle.append(cycle)
    with pytest.raises(ValueError, match="Circular reference"):
        pretty(cycle)
    with pytest.raises(TypeError, match="not JSON serializable"):
        pretty({"a": object()})
    with pytest.raises(TypeError):
        pretty({"a": 1, 2: 3}, sort_keys=True)  # json cannot order str and int keys
