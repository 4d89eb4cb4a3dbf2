"""Scenario data written back as a YAML scenario file, with a header comment."""
from __future__ import annotations

import textwrap
from typing import Any

import yaml

__all__ = ["scenario_yaml"]


def scenario_yaml(data: dict[str, Any], comment: str = "") -> str:
    """A scenario file for `data`: the comment wrapped as `# ` lines, then the keys in their order
    (innermost lists and mappings on one line, floats exact: they read back as the same numbers)."""
    head = "".join(f"# {line}\n" for line in textwrap.wrap(comment, 96)) if comment else ""
    text = yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=110, allow_unicode=True)
    if any(ch in text for ch in _UNICODE_BREAKS):  # written raw, YAML would read them back as line breaks
        text = yaml.safe_dump(data, sort_keys=False, default_flow_style=None, width=110)
    return head + text


#: Line breaks besides \n and \r that YAML knows and PyYAML writes raw with `allow_unicode`.
_UNICODE_BREAKS = "\x85\u2028\u2029"
