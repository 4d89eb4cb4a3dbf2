"""A candidate scenario under shrinking (`Case`), and the failure it must keep (`Target`).

A case is scenario data without `expect`, plus an id per timeline step (the step's place in
the timeline the search started from), so a response expectation follows its request when
other steps are removed or moved. The target rebuilds, for each case, the one expectation
that must stay unmet — and the key it has there.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sim.shrink.failure import EXPECTATION, Failure

__all__ = ["Case", "Target", "canonical", "request_bdb", "request_order"]

Data = dict[str, Any]
_BDB_PATH = re.compile(r"^/v1/bdbs/(\d+)(?:/|$)")


@dataclass(frozen=True, slots=True)
class Case:
    """Scenario data (no `expect`; never mutated: edits copy) and the ids of its timeline steps."""

    data: Data
    ids: tuple[int, ...]

    @property
    def steps(self) -> list[Data]:
        """The timeline steps."""
        return list(self.data.get("timeline") or [])

    def size(self) -> tuple[int, int, int, int]:
        """(nodes, databases, shards, timeline steps): what the search makes smaller."""
        dbs = self.data.get("databases") or []
        shards = sum(int(d.get("shards_count", 1)) * (2 if d.get("replication") else 1) for d in dbs)
        return len(self.data["cluster"]["nodes"]), len(dbs), shards, len(self.steps)

    def size_text(self) -> str:
        """The size in words."""
        nodes, dbs, shards, steps = self.size()
        return (f"{nodes} node{'s' * (nodes != 1)}, {dbs} database{'s' * (dbs != 1)}, "
                f"{shards} shard{'s' * (shards != 1)}, {steps} step{'s' * (steps != 1)}")


def canonical(data: Data) -> str:
    """The data as canonical JSON: equal candidates give equal text (the search's cache key)."""
    try:
        return json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
    except TypeError:  # a request body mixing key types cannot be sorted: keep its own order
        return json.dumps(data, separators=(",", ":"), default=str)


def request_bdb(step: Data) -> int | None:
    """The database a request step names in its path (`/v1/bdbs/UID/...`), if any."""
    request = step.get("request")
    if not isinstance(request, dict):
        return None
    match = _BDB_PATH.match(str(request.get("path", "")))
    return int(match.group(1)) if match else None


def request_order(case: Case) -> list[int]:
    """Ids of the request steps in the order they are answered (by `at`, file order within a time)."""
    steps = sorted(zip(case.steps, case.ids), key=lambda pair: float(pair[0]["at"]))
    return [sid for step, sid in steps if "request" in step]


@dataclass(frozen=True, slots=True)
class Target:
    """The failure to keep. For an expectation: the original `expect` data it comes from; for
    a response expectation, the id of its request step (`step`) and the field checked."""

    failure: Failure
    expect: Data = field(default_factory=dict)
    entries: dict[int, Data] = field(default_factory=dict)  # response expectation per request step id
    step: int | None = None
    check: str = ""

    @classmethod
    def of(cls, failure: Failure, expect: Data, case: Case) -> Target:
        """The target for `failure` in `case` (expect: the scenario's `expect` data)."""
        if failure.kind != EXPECTATION or not failure.key.startswith("responses.") \
                or failure.key == "responses.count":
            return cls(failure, expect)
        _, index, check = failure.key.split(".")
        order = request_order(case)
        if int(index) >= len(order):  # an answer expected to a request never sent: kept as listed
            return cls(failure, expect, check="listed")
        listed = expect.get("responses") or []
        entries = {sid: dict(listed[i]) for i, sid in enumerate(order) if i < len(listed)}
        return cls(failure, expect, entries, order[int(index)], check)

    def expect_for(self, case: Case) -> tuple[Data, str] | None:
        """The `expect` section of `case` and the key that must be unmet there; None when the
        case lost what the expectation is about (its database, or its request)."""
        failure = self.failure
        if failure.kind != EXPECTATION:
            return {}, failure.key
        if failure.key == "responses.count" or self.check == "listed":
            return {"responses": self.expect["responses"]}, failure.key
        if self.step is None:
            _, uid, check = failure.key.split(".")
            if int(uid) not in {int(d["uid"]) for d in case.data.get("databases") or []}:
                return None
            return {"databases": {int(uid): {check: self._database_value(uid, check)}}}, failure.key
        listed: list[Data] = []
        for sid in request_order(case):
            if sid not in self.entries:
                break  # the list is matched in order: it stops at the first request it says nothing of
            if sid == self.step:
                return {"responses": listed + [self.entries[sid]]}, f"responses.{len(listed)}.{self.check}"
            listed.append(self.entries[sid])
        return None

    def _database_value(self, uid: str, check: str) -> Any:
        databases = {str(k): v for k, v in (self.expect.get("databases") or {}).items()}
        return databases[uid][check]
