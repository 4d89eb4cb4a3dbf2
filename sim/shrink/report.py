"""The header comment of a shrunk scenario: what it fails, what was removed or changed, and how
many runs the search took. Nothing in it depends on the clock or on paths: the same input
gives the same bytes."""
from __future__ import annotations

import textwrap
from typing import Any

from sim.scenario.yamlwrite import comment_lines
from sim.shrink.case import Case
from sim.shrink.failure import Failure

__all__ = ["MARK", "header", "removed", "changed", "count_expectations"]

#: The first words of every file `upgrade-sim shrink` writes (how it knows a file is its own).
MARK = "# upgrade-sim shrink:"

Data = dict[str, Any]


def _of(gone: int, total: int, noun: str, plural: str | None = None) -> str | None:
    if gone <= 0:
        return None
    return f"{gone} of {total} {noun if total == 1 else plural or noun + 's'}"


def count_expectations(expect: Data) -> int:
    """How many expectations an `expect` section holds (each checked value counts once)."""
    responses = expect.get("responses") or []
    count = sum(1 + ("error_code" in r and r["error_code"] is not None) for r in responses)
    return count + sum(len(bounds) for bounds in (expect.get("databases") or {}).values())


def removed(original: Case, shrunk: Case, expect: Data, kept_expect: Data, made: int | None) -> list[str]:
    """What the search removed, in words."""
    o_nodes, o_dbs, o_shards, o_steps = original.size()
    nodes, dbs, shards, steps = shrunk.size()
    total_steps = o_steps + (made or 0)
    items = [
        _of(o_dbs - dbs, o_dbs, "database"),
        _of(o_nodes - nodes, o_nodes, "node"),
        _of(o_shards - shards, o_shards, "shard"),
        _of(total_steps - steps, total_steps, "timeline step") if total_steps else None,
        _of(count_expectations(expect) - count_expectations(kept_expect), count_expectations(expect),
            "expectation"),
    ]
    return [item for item in items if item]


#: What a pass that changed something did, in words (passes that only remove say it in `removed`).
_DID = {"placement": "pinned placements given back to the placement algorithm",
        "node uids": "node uids renumbered 1, 2, ... in the order of the old ones",
        "shard uids": "shard uids renumbered 1, 2, ... in the order of the old ones"}


def changed(original: Case, shrunk: Case, made: int | None, changes: tuple[str, ...] = ()) -> list[str]:
    """What the search changed without removing it, in words."""
    items = []
    if made is not None:
        items.append(f"the seed's random faults (faults.random) turned into {made} explicit node_crash / "
                     "node_recover steps")
    before = {int(d["uid"]): d for d in original.data.get("databases") or []}
    for db in shrunk.data.get("databases") or []:
        old = before.get(int(db["uid"]), {})
        if db.get("shards") is not None and old.get("shards") is None:
            items.append(f"database {db['uid']}: placement pinned (shards:), as the placement algorithm made it")
    if shrunk.data.get("duration") != original.data.get("duration"):
        items.append(f"duration {_num(original.data.get('duration'))} -> {_num(shrunk.data.get('duration'))}")
    if "numbers" in changes:
        items.append("times, sizes or rates rounded to short numbers")
    defaults = dropped_settings(original, shrunk)
    if defaults:
        shown = ", ".join(defaults[:8]) + (f" and {len(defaults) - 8} more" if len(defaults) > 8 else "")
        items.append(f"back to their defaults: {shown}")
    items += [_DID[name] for name in changes if name in _DID]
    return items


def dropped_settings(original: Case, shrunk: Case) -> list[str]:
    """Settings written in the original and gone from the shrunk scenario (back to their
    defaults), on what both still have: the cluster, its policy, the timing, each database."""
    found: list[str] = []

    def compare(prefix: str, old: Any, new: Any, skip: tuple[str, ...] = ()) -> None:
        if isinstance(old, dict) and isinstance(new, dict):
            found.extend(f"{prefix}{key}" for key in old if key not in new and key not in skip)

    o, n = original.data, shrunk.data  # a key gone whole is named, not each of its own keys
    compare("", o, n, ("name", "description", "seed", "duration", "cluster", "databases", "timeline", "faults"))
    compare("timing.", o.get("timing"), n.get("timing"))
    compare("cluster.", o["cluster"], n["cluster"], ("nodes", "modules", "users"))
    compare("cluster.policy.", o["cluster"].get("policy"), n["cluster"].get("policy"))
    kept = {int(d["uid"]): d for d in n.get("databases") or []}
    for db in o.get("databases") or []:
        new = kept.get(int(db["uid"]))
        if new is not None:
            compare(f"databases.{db['uid']}.", db, new, ("shards",))
            for group in ("dataset", "workload"):
                compare(f"databases.{db['uid']}.{group}.", db.get(group), new.get(group))
    return found


def _kept(target: Failure, kept: int) -> str:
    if target.kind != "expectation":
        return "It has no expectations" + (": run it with --check-invariants." if target.kind == "invariant" else ".")
    if kept > 1:  # a response expectation: the list is matched to the answers in order
        return ("That expectation is kept, with the response expectations before it (the list is matched to the "
                "answers in order); other expectations never change a run.")
    return "Only that expectation is kept (other expectations never change a run)."


def _num(value: Any) -> str:
    return "none" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def header(source: str, seed: int, target: Failure, now: Failure, lines: dict[str, list[str]],
           runs: int, invalid: int, kept: int = 1) -> str:
    """The comment block (every line starting with `# `); `kept`: expectations in the file."""
    said = [f"{MARK[2:]} the smallest scenario found that fails like {source} run with seed {seed}.",
            f"It fails: {now.describe()}" + (f"; the original: {target.detail}" if target.detail != now.detail
                                            and target.kind == now.kind == "expectation" else "") + ".",
            _kept(target, kept)]
    for title, items in lines.items():
        if items:
            said.append(f"{title}: " + "; ".join(items) + ".")
    said.append(f"The search took {runs} run{'s' * (runs != 1)}"
                + (f" (and {invalid} candidate{'s' * (invalid != 1)} that were not valid scenarios)"
                   if invalid else "") + ": delta debugging, then greedy passes until nothing shrinks.")
    wrap = textwrap.TextWrapper(94, subsequent_indent="  ", break_on_hyphens=False, break_long_words=False)
    # as comment lines YAML reads back: a user's text may hold U+2028 or NEL, which end a comment
    return "".join(line + "\n" for text in said for line in comment_lines(wrap.wrap(text)))
