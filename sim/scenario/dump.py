"""Scenario data written back as a YAML scenario file, with a header comment."""
from __future__ import annotations

import textwrap
from typing import Any

import yaml

__all__ = ["scenario_yaml", "step_yaml_size"]

#: Line breaks besides \n and \r that YAML knows: written raw (`allow_unicode`), they would read
#: back as line breaks; a text holding one is double-quoted, where PyYAML escapes them.
_UNICODE_BREAKS = "\x85\u2028\u2029"


class _Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, double-quoting a text that holds one of YAML's Unicode line breaks."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if any(ch in value for ch in _UNICODE_BREAKS) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def _dump(data: dict[str, Any]) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=None, width=110, allow_unicode=True)


def scenario_yaml(data: dict[str, Any], comment: str = "") -> str:
    """A scenario file for `data`: the comment wrapped as `# ` lines, then the keys in their order
    (innermost lists and mappings on one line, floats exact: they read back as the same numbers)."""
    head = "".join(f"# {line}\n" for line in textwrap.wrap(comment, 96)) if comment else ""
    return head + _dump(data)


def step_yaml_size(step: dict[str, Any]) -> int:
    """The bytes one timeline step takes in the file `scenario_yaml` writes: an item of the
    top-level `timeline` list is written alike whatever else the file holds."""
    return len(_dump({"timeline": [step]}).encode()) - len("timeline:\n")
