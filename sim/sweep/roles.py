"""Strategy keys and condition keys: what the operator chooses, and what the plan must survive.

A sweep ranks strategies over every condition and seed. `--vary` classes each key by what it
sets (ours). Condition keys:

- any key of a fault step (`timeline.N.…` where step N is a `node_crash`, `node_recover` or
  `cluster_recover`): its time, its node;
- random faults: `faults.…`, `mtbf_s`, `mttr_s`;
- the timing profile: `timing.…` and its shortcuts (`shard_restart_s`, …);
- the data and the traffic: `databases.N.dataset.…`, `databases.N.workload.…`; the window, `duration`.

Strategy keys: everything else — request steps (`timeline.N.at`, `timeline.N.request.…`) and
their shortcuts (`preserve_roles`, `may_discard_data`, `redis_version`), the cluster (its
policy: `parallel_shards_upgrade`, `slave_ha`, …), database settings (`replication`,
`data_persistence`, `shards_count`, …), expectations.

`--strategy KEY=…` and `--condition KEY=…` class a key explicitly instead.
"""
from __future__ import annotations

from typing import Any

from sim.errors import InputError
from sim.model.sizes import whole_number
from sim.model.timing import Timing

__all__ = ["STRATEGY", "CONDITION", "role_of", "axis_role"]

STRATEGY, CONDITION = "strategy", "condition"
_FAULT_STEPS = ("node_crash", "node_recover", "cluster_recover")
_CONDITION_SHORTCUTS = {"mtbf_s", "mttr_s", *Timing.model_fields}


def role_of(key: str, data: Any) -> str:
    """The role of one key in scenario `data` (see the module docstring)."""
    if key in _CONDITION_SHORTCUTS:
        return CONDITION
    parts = key.split(".")
    top = parts[0]
    if top in ("faults", "timing", "duration"):
        return CONDITION
    if top == "databases" and len(parts) > 2 and parts[2] in ("dataset", "workload"):
        return CONDITION
    index = whole_number(parts[1]) if top == "timeline" and len(parts) > 1 else None
    if index is not None:
        steps = data.get("timeline") if isinstance(data, dict) else None
        if isinstance(steps, list) and index < len(steps) and isinstance(steps[index], dict) \
                and any(kind in steps[index] for kind in _FAULT_STEPS):
            return CONDITION
    return STRATEGY


def axis_role(option: str, keys: tuple[str, ...], data: Any, forced: str | None) -> str:
    """The role of an axis: `forced` (from --strategy / --condition), else that of its keys, which
    must agree; InputError naming the keys when they do not."""
    if forced is not None:
        return forced
    roles = {key: role_of(key, data) for key in keys}
    if len(set(roles.values())) > 1:
        strategy = next(k for k, r in roles.items() if r == STRATEGY)
        condition = next(k for k, r in roles.items() if r == CONDITION)
        raise InputError(f"{option} {','.join(keys)}: {strategy} is a strategy key and {condition} a condition key; "
                         "vary them apart, or class them with --strategy or --condition")
    return next(iter(roles.values()))
