"""`--vary KEYS=V1,V2` and `--set KEY=VALUE`: parse an axis of a sweep (or one setting), and
apply a value to scenario data.

KEY is a dotted path into the scenario data (`cluster.policy.parallel_shards_upgrade`,
`timeline.0.request.body.preserve_roles`; list items by index) or a shortcut naming a
field set in several places at once (see `SHORTCUTS`). Values are YAML scalars
(`true`, `4`, `aof`, `"7.2"`) or ranges (`20..120/20`, see `sim.sweep.values`), separated by
commas. Several keys varied together (zipped) are separated by commas too:
`timeline.1.node_crash,timeline.2.node_recover=1,2,3` gives each value to every key;
`KEY_A,KEY_B=1:2,3:4` gives each key its own value (`:` between them, one per key).
"""
from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sim.api.requests import ENDPOINTS
from sim.errors import InputError
from sim.model.config import PolicySpec
from sim.model.sizes import whole_number
from sim.model.timing import Timing
from sim.scenario import Scenario
from sim.scenario.suggest import did_you_mean
from sim.sweep.values import expand_range, is_range, scalar

__all__ = ["Axis", "parse_axis", "parse_setting", "apply_value", "check_key", "SHORTCUTS"]

#: The requests whose bodies the body shortcuts set (`sim.api.requests.ENDPOINTS` by name): both
#: upgrades take the flags; the database upgrade's `redis_version` is its target (SPEC §10).
_UPGRADES = frozenset({"bdb_modules_upgrade", "bdb_upgrade"})
_DB_UPGRADE = frozenset({"bdb_upgrade"})

_BODY = ("preserve_roles", "may_discard_data")
_DB_BODY = ("redis_version",)
_DATABASE = ("replication", "data_persistence", "aof_policy", "master_persistence", "shards_count", "shards_placement",
             "max_aof_load_time")
_RANDOM_FAULTS = ("mtbf_s", "mttr_s")

#: Shortcut → where it is set: `body` of every (database-)upgrade request, every database,
#: or a single dotted path.
SHORTCUTS: dict[str, str] = {
    **{name: "request body of every module or database upgrade" for name in _BODY},
    **{name: "request body of every database upgrade" for name in _DB_BODY},
    **{name: "every database" for name in _DATABASE},
    **{name: f"cluster.policy.{name}" for name in PolicySpec.model_fields},
    **{name: f"timing.{name}" for name in Timing.model_fields if name != "failure_detection_s"},
    **{name: f"faults.random.{name}" for name in _RANDOM_FAULTS},
}


@dataclass(frozen=True, slots=True)
class Axis:
    """One `--vary`: its keys (several when zipped), and its items — each as typed (`texts`),
    and as a value and a text per key (`values`, `key_texts`). `role` is `strategy` or
    `condition` once the plan has classed it (None before)."""

    keys: tuple[str, ...]
    texts: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]
    key_texts: tuple[tuple[str, ...], ...]
    role: str | None = None
    option: str = "--vary"

    @property
    def key(self) -> str:
        """The keys as written (`a,b` when zipped)."""
        return ",".join(self.keys)

    def label(self, item: int) -> str:
        """`KEY=TEXT` of one item, as strategy and condition names show it."""
        return f"{self.key}={self.texts[item]}"

    def settings(self, item: int) -> tuple[tuple[str, str, Any], ...]:
        """(key, text, value) of every key for one item."""
        return tuple(zip(self.keys, self.key_texts[item], self.values[item]))


def parse_axis(spec: str, option: str = "--vary") -> Axis:
    """Parse `KEYS=V1,V2,...` (see the module docstring); raises InputError naming the key or the value."""
    head, sep, raw = spec.partition("=")
    keys = tuple(k.strip() for k in head.split(","))
    if not sep or not all(keys):
        raise InputError(f"{option} {spec!r}: write KEY=V1,V2 (for example preserve_roles=true,false)")
    for key in keys:
        check_key(key, option)
    name = ",".join(keys)
    if len(set(keys)) != len(keys):
        raise InputError(f"{option} {name}: a key is given twice")
    texts = [t.strip() for t in raw.split(",")]
    if any(not t for t in texts):
        raise InputError(f"{option} {name}: an empty value in {raw!r} (write KEY=V1,V2)")
    items: list[tuple[str, tuple[str, ...]]] = []
    for text in texts:
        items.extend(_items(option, keys, text))
    shown = [t for t, _ in items]
    if len(set(shown)) != len(shown):
        raise InputError(f"{option} {name}: a value is repeated in {raw!r}")
    values = tuple(tuple(_value(option, key, part) for key, part in zip(keys, parts)) for _, parts in items)
    return Axis(keys, tuple(shown), values, tuple(parts for _, parts in items), option=option)


def _items(option: str, keys: tuple[str, ...], text: str) -> list[tuple[str, tuple[str, ...]]]:
    """One typed value → its items (a range gives several), each with a text per key."""
    parts = [p.strip() for p in text.split(":")] if len(keys) > 1 else [text]
    if len(parts) == 1:
        if is_range(text):
            return [(value, (value,) * len(keys)) for value in expand_range(option, ",".join(keys), text)]
        return [(text, (text,) * len(keys))]
    if len(parts) != len(keys) or not all(parts):
        raise InputError(f"{option} {','.join(keys)}={text}: {len(parts)} values for {len(keys)} keys "
                         "(give one value for all, or one per key separated by ':')")
    if any(is_range(p) for p in parts):
        raise InputError(f"{option} {','.join(keys)}={text}: a range applies to every key at once "
                         "(write it alone, without ':')")
    return [(":".join(parts), tuple(parts))]


def _value(option: str, key: str, text: str) -> Any:
    value = scalar(option, key, text)
    if key in _DB_BODY and not isinstance(value, str):  # a version as typed: YAML would read 7.10 as 7.1
        value = text
    if key in _BODY and not isinstance(value, bool):
        raise InputError(f"{option} {key}={text}: {key} is true or false")
    return value


def parse_setting(spec: str, option: str = "--set") -> tuple[str, str, Any]:
    """Parse `KEY=VALUE` (one key, one YAML scalar, commas included) into (key, text, value)."""
    key, sep, text = spec.partition("=")
    key, text = key.strip(), text.strip()
    if not sep or not key or not text:
        raise InputError(f"{option} {spec!r}: write KEY=VALUE (for example preserve_roles=false)")
    check_key(key, option)
    return key, text, _value(option, key, text)


def check_key(key: str, option: str = "--vary") -> None:
    """A key is a shortcut, or a dotted path starting at a top-level scenario key."""
    if key == "seed":
        where = "the seed comes from --seed" if option == "--set" else "the seeds come from --seeds and --first-seed"
        raise InputError(f"{option} seed: {where}")
    if key in SHORTCUTS or key.split(".")[0] in Scenario.model_fields:
        return
    hint = did_you_mean(key, [*SHORTCUTS, *Scenario.model_fields])
    raise InputError(f"{option} {key}: unknown key{hint} (use a dotted path into the scenario, such as "
                     f"cluster.policy.parallel_shards_upgrade, or a shortcut: {', '.join(sorted(SHORTCUTS))})")


def apply_value(data: dict[str, Any], key: str, value: Any, option: str = "--vary") -> dict[str, Any]:
    """A copy of the scenario data with `key` set to `value`; InputError (naming `option`) if the
    key leads nowhere."""
    data = copy.deepcopy(data)
    try:
        if key in _BODY:
            _set_in_upgrade_bodies(data, key, value, _UPGRADES)
        elif key in _DB_BODY:
            _set_in_upgrade_bodies(data, key, value, _DB_UPGRADE)
        elif key in _DATABASE:
            _set_in_databases(data, key, value)
        else:
            _set_path(data, key, SHORTCUTS.get(key, key).split("."), value)
    except InputError as err:
        raise InputError(f"{option} {key}: {err}") from None
    return data


def _set_in_upgrade_bodies(data: dict[str, Any], key: str, value: Any, endpoints: frozenset[str]) -> None:
    found = 0
    for step in data.get("timeline") or []:
        request = step.get("request") if isinstance(step, dict) else None
        if isinstance(request, dict) and _endpoint(str(request.get("path", ""))) in endpoints:
            if request.get("body") is None:
                request["body"] = {}
            if isinstance(request["body"], dict):
                request["body"][key] = value
                found += 1
    if not found and endpoints is _DB_UPGRADE:
        raise InputError("the timeline has no database-upgrade request "
                         "(POST /v1/bdbs/UID/upgrade) to set it in")
    if not found:
        raise InputError("the timeline has no module-upgrade request "
                         "(POST /v1/bdbs/UID/modules/upgrade) or database-upgrade request "
                         "(POST /v1/bdbs/UID/upgrade) to set it in")


def _set_in_databases(data: dict[str, Any], key: str, value: Any) -> None:
    databases = [d for d in data.get("databases") or [] if isinstance(d, dict)]
    if not databases:
        raise InputError("the scenario has no databases to set it on")
    for database in databases:
        database[key] = value


def _set_path(data: dict[str, Any], key: str, parts: list[str], value: Any) -> None:
    node: Any = data
    for depth, part in enumerate(parts):
        where = ".".join(parts[:depth]) or "the scenario"
        last = depth == len(parts) - 1
        if isinstance(node, list):
            number = whole_number(part)
            if number is None or number >= len(node):
                raise InputError(f"{where} has {len(node)} item{'' if len(node) == 1 else 's'}; "
                                 f"{part[:40]!r} is not an index in it")
            index: Any = number
        elif isinstance(node, dict):
            number = whole_number(part)
            index = number if part not in node and number is not None and number in node else part
            if not last and node.get(index) is None:
                node[index] = {}  # a section left to its defaults; unknown keys are caught by validation
        else:
            raise InputError(f"{where} is a value ({node!r}), not a mapping or a list")
        if last:
            node[index] = value
        else:
            node = node[index]


def _endpoint(path: str) -> str | None:
    """The name of the upgrade endpoint `path` is (whatever the method), if any."""
    return next((name for _, pattern, name in ENDPOINTS if pattern.fullmatch(path)), None)
