"""Fuzzing kit: random valid scenarios and random edits of valid logs, and the checks every
outcome must pass. The property tests draw a few hundred cases; run it as a script to fuzz by
the thousand:

    .venv/bin/python -m tests.fuzz --scenarios 3000 --edits 3000 --hostile 1000

Every case must end with exit 0 (a sane result), 1 (an unmet expectation) or 2 (one line on
stderr); anything else (exit 3, a traceback, two lines) is counted as a crash and printed.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import random
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from sim.cli import main

OLD, NEW, OTHER = "5d2c0e51f7a340c0a1c9b1b6e8c2f111", "aa3648d79bd4082d414587c42ea0b234", "0000000000000000000000000000a220"
CAPS = ["types", "failover_migrate", "persistence_aof", "persistence_rdb", "clustering", "eviction_expiry"]


# --- valid random scenarios ---------------------------------------------------------------

def random_scenario(rng: random.Random) -> dict[str, Any]:
    """A scenario that validates: a few nodes, one to three databases, requests and faults."""
    nodes = rng.randint(2, 6)
    racks = rng.randint(1, nodes)
    databases = []
    for uid in range(1, rng.randint(1, 3) + 1):
        persistence = rng.choice(["disabled", "aof", "snapshot"])
        db: dict[str, Any] = {
            "uid": uid, "name": f"db{uid}", "redis_version": "7.2", "replication": rng.random() < 0.7,
            "data_persistence": persistence, "shards_count": rng.randint(1, 3),
            "shards_placement": rng.choice(["dense", "sparse"]),
            "dataset": {"bytes": rng.choice([0, 10**6, 10**8, 10**9, "512MiB"]), "keys": rng.choice([0, 1000, 10**6])},
            "workload": {"reads_per_sec": rng.choice([0, 100, 5000]), "writes_per_sec": rng.choice([0, 100, 1000])},
            "module_list": [{"module_name": "ReJSON", "semantic_version": "2.2.1"}],
        }
        if persistence == "aof" and rng.random() < 0.3:
            db["aof_policy"] = "appendfsync-always"
        if persistence == "snapshot" and rng.random() < 0.5:
            db["snapshot_policy"] = [{"secs": rng.choice([1, 7, 60, 900])}]
        if persistence == "aof" and rng.random() < 0.2:
            db["max_aof_load_time"] = rng.choice([1, 5, 30])
        if rng.random() < 0.4:
            db["master_persistence"] = rng.random() < 0.5
        databases.append(db)
    timeline: list[dict[str, Any]] = []
    for _ in range(rng.randint(0, 6)):
        at = round(rng.uniform(0, 200), rng.choice([0, 1, 3]))
        kind = rng.random()
        if kind < 0.1:
            bdb = rng.randint(1, len(databases))
            body = rng.choice([{}, {"redis_version": rng.choice(["7.2", "7.4", "6.2", "9.9"])},
                               {"force_discard": True, "may_discard_data": True}, {"force_restart": True}])
            timeline.append({"at": at, "request": {"path": f"/v1/bdbs/{bdb}/upgrade", "body": body}})
        elif kind < 0.15:
            timeline.append({"at": at, "cluster_recover": True})
        elif kind < 0.5:
            bdb = rng.randint(1, len(databases) + (1 if rng.random() < 0.1 else 0))
            body = {"modules": [{"module_name": "ReJSON", "current_semantic_version": rng.choice(["2.2.1", "2.2.2"]),
                                 "new_module": rng.choice([NEW, NEW, OLD, OTHER])}],
                    "preserve_roles": rng.random() < 0.5, "may_discard_data": rng.random() < 0.7}
            timeline.append({"at": at, "request": {"path": f"/v1/bdbs/{bdb}/modules/upgrade", "body": body}})
        elif kind < 0.8:
            timeline.append({"at": at, "node_crash": rng.randint(1, nodes)})
        else:
            timeline.append({"at": at, "node_recover": rng.randint(1, nodes)})
    policy = {"parallel_shards_upgrade": rng.choice([0, 0, 1, 2]), "max_slave_full_syncs": rng.choice([0, 0, 1]),
              "max_redis_forks": rng.choice([0, 0, 1]), "slave_ha_grace_period": rng.choice([0, 30, 600]),
              "failure_detection_sensitivity": rng.choice(["high", "low"]), "slave_ha": rng.random() < 0.8,
              "quorum_loss": rng.choice(["requires_recovery", "resume"]),
              "slave_ha_cooldown_period": rng.choice([0, 60, 3600]), "slave_ha_bdb_cooldown_period": rng.choice([0, 7200])}
    data: dict[str, Any] = {
        "name": f"fuzz-{rng.randrange(10**6)}", "seed": rng.randrange(1000),
        "cluster": {"version": "7.4.2-54", "policy": policy, "rack_aware": racks > 1 and rng.random() < 0.3,
                    "nodes": [{"uid": i + 1, "rack_id": f"az{i % racks + 1}"} for i in range(nodes)],
                    "modules": [{"uid": OLD, "module_name": "ReJSON", "semantic_version": "2.2.1", "capabilities": CAPS},
                                {"uid": NEW, "module_name": "ReJSON", "semantic_version": "2.2.2", "capabilities": CAPS},
                                {"uid": OTHER, "module_name": "ReJSON", "semantic_version": "2.2.0",
                                 "capabilities": CAPS}]},
        "databases": databases, "timeline": timeline,
        "timing": {"shard_restart_s": rng.choice([0, 1, 5, 7.3]), "replication_lag_s": rng.choice([0, 0.1, 2])},
    }
    if rng.random() < 0.3 or timeline and max(s["at"] for s in timeline) > 150:
        data["duration"] = rng.choice([250, 400, 1000.5])
    if rng.random() < 0.25:
        data["duration"] = data.get("duration", 600)
        data["faults"] = {"random": {"mtbf_s": rng.choice([50, 300, 2000]), "mttr_s": rng.choice([5, 60, 300])}}
    return data


# --- hostile requests ----------------------------------------------------------------------

#: Request bodies as JSON text a client could send: tokens the parser reads as infinity, numbers
#: past 64 bits, lone surrogates, deep nesting, and not-an-object bodies.
HOSTILE_TEXTS = [
    '{"preserve_roles": 1e999}', '{"modules": [], "x": -1e400}', '{"redis_version": "7.4", "x": 1e308}',
    '{"redis_version": "7.4", "parallel_shards_upgrade": 1' + "0" * 25 + "}",
    '{"redis_version": "7.4", "parallel_shards_upgrade": 9223372036854775807}',
    '{"redis_version": "7.4", "parallel_shards_upgrade": -0}', '{"redis_version": "7.4", "force_restart": 1}',
    '{"modules": [{"module_name": "\\ud800", "current_semantic_version": "2.2.1", "new_module": "x"}]}',
    '{"modules": "\\udfff"}', "[" * 300 + "]" * 300, '{"a": ' * 60 + "1" + "}" * 60, "", " ", "null", '"text"',
    "[]", "3", '{"redis_version": 7.4}', '{"modules": [], "modules": []}', '{"x": NaN}', '{"x": 1' + "0" * 5000 + "}",
    "2e15", "-1e300", '{"modules": [], "modules ": 1}', '{"modules": [{"module_name": "x\\u0085y"}]}',
    '{"modules": [{"module_name": "\\u2028"}], "preserve_roles": true}',
]
#: Paths that are almost an endpoint.
HOSTILE_PATHS = ["/v1/bdbs/1/modules/upgrade/", "/v1/bdbs/1 /upgrade", "/v1/bdbs/99999999999999999999999/upgrade",
                 "/v1/bdbs/-1/upgrade", "/v1/bdbs/1/modules/upgrade?x=1", "/v1/bdbs//upgrade", "/v1/bdbs/1/upgrade#"]


def hostile_scenario(rng: random.Random) -> dict[str, Any]:
    """A random valid scenario whose requests carry hostile parts: bodies as JSON text a client
    could send (see HOSTILE_TEXTS), bodies with odd values, paths that are almost an endpoint.
    Whatever is refused, a run's log must be one its own reader accepts."""
    data = random_scenario(rng)
    requests = [step["request"] for step in data["timeline"] if "request" in step]
    if not requests:
        data["timeline"].append({"at": 20, "request": {"path": "/v1/bdbs/1/upgrade", "body": {}}})
        requests = [data["timeline"][-1]["request"]]
    for request in requests:
        kind = rng.random()
        if kind < 0.5:
            request["body"] = rng.choice(HOSTILE_TEXTS)
        elif kind < 0.8:
            body = request["body"] if isinstance(request["body"], dict) else {}
            body[rng.choice(["x", "modules", "preserve_roles", "parallel_shards_upgrade", "redis_version"])] = \
                rng.choice(VALUES)
        elif kind < 0.9:
            request["path"] = rng.choice(HOSTILE_PATHS)
        else:
            request["method"] = rng.choice(["GET", "PUT", "DELETE"])
    return data


# --- random edits of a valid log --------------------------------------------------------

VALUES: list[Any] = [0, 1, 2, 3, -1, 99, 10**6, 2**63, -2**63, 1.5, 1e308, -0.0, "", "x", "1", None, True, False,
                     [], [1], {}, {"a": 1}, "master", "slave", "ok", "down"]
RAW_VALUES = ["NaN", "Infinity", "-Infinity", "1" + "0" * 400, "1e400", '"\\ud800"', "[[[[[[[[[[]]]]]]]]]]"]


def edit_log(lines: list[str], rng: random.Random) -> tuple[bytes, str]:
    """One random edit of a log's lines (each without its newline): the bytes of the edited
    file and what was done."""
    lines = list(lines)
    kind = rng.choice(["field", "field", "field", "snapshot", "raw", "drop-field", "add-field", "truncate",
                       "duplicate", "delete", "swap", "garbage", "type", "header"])
    i = rng.randrange(1, len(lines)) if len(lines) > 1 else 0
    if kind in ("field", "drop-field", "add-field", "type", "raw"):
        record = json.loads(lines[i])
        key = rng.choice(sorted(record))
        if kind == "field":
            record[key] = _near(record[key], rng)
        elif kind == "drop-field":
            del record[key]
        elif kind == "add-field":
            record["extra"] = rng.choice(VALUES)
        elif kind == "type":
            from sim.events.types import EVENT_TYPES
            record["type"] = rng.choice(sorted(EVENT_TYPES) + ["Bogus"])
        if kind == "raw":
            marker = "__RAW__"
            record[key] = marker
            lines[i] = json.dumps(record, separators=(",", ":")).replace(f'"{marker}"', rng.choice(RAW_VALUES))
        else:
            lines[i] = json.dumps(record, separators=(",", ":"))
        what = f"{kind} {key} of line {i + 1}"
    elif kind == "snapshot":
        record = json.loads(lines[1])
        path = _random_leaf(record["initial"], rng)
        _set(record["initial"], path, _near(_get(record["initial"], path), rng))
        lines[1] = json.dumps(record, separators=(",", ":"))
        what = f"snapshot {path}"
    elif kind == "header":
        record = json.loads(lines[0])
        key = rng.choice(sorted(record))
        record[key] = rng.choice(VALUES + [3])
        lines[0] = json.dumps(record)
        what = f"header {key}"
    elif kind == "duplicate":
        lines.insert(i, lines[i])
        what = f"duplicate line {i + 1}"
    elif kind == "delete":
        del lines[i]
        what = f"delete line {i + 1}"
    elif kind == "swap":
        j = rng.randrange(1, len(lines))
        lines[i], lines[j] = lines[j], lines[i]
        what = f"swap lines {i + 1} and {j + 1}"
    elif kind == "garbage":
        data = "\n".join(lines).encode() + b"\n"
        cut = rng.randrange(len(data))
        return data[:cut] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 40))) + data[cut:], "garbage"
    else:
        data = "\n".join(lines).encode() + b"\n"
        cut = rng.randrange(len(data))
        return data[:cut], f"truncate at byte {cut}"
    return ("\n".join(lines) + "\n").encode(), what


def _near(value: Any, rng: random.Random) -> Any:
    """A replacement: often a plausible one (another number of the same kind), else anything."""
    if rng.random() < 0.5:
        if isinstance(value, bool):
            return not value
        if isinstance(value, int):
            return value + rng.choice([-2, -1, 1, 2, 1000])
        if isinstance(value, float):
            return value * rng.choice([0.5, 2, -1, 1.0000001]) + rng.choice([0, 1])
    return rng.choice(VALUES)


def _random_leaf(data: Any, rng: random.Random) -> list[Any]:
    path: list[Any] = []
    while isinstance(data, (dict, list)) and data and rng.random() < 0.9:
        key = rng.choice(sorted(data, key=str)) if isinstance(data, dict) else rng.randrange(len(data))
        path.append(key)
        data = data[key]
    return path


def _get(data: Any, path: list[Any]) -> Any:
    for key in path:
        data = data[key]
    return data


def _set(data: Any, path: list[Any], value: Any) -> None:
    if not path:
        return
    _get(data, path[:-1])[path[-1]] = value


# --- checks --------------------------------------------------------------------------------

def cli(args: list[str]) -> tuple[int, str, str]:
    """Run the CLI in this process: exit code, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def outcome_problem(code: int, err: str, allowed: tuple[int, ...]) -> str | None:
    """Why an exit is not acceptable: an unexpected code, or exit 2 without exactly one line."""
    if "Traceback" in err:
        return "a traceback"
    if code not in allowed:
        return f"exit {code}: {err.strip()}"
    if code == 2 and (len(err.strip().splitlines()) != 1 or not err.startswith("upgrade-sim: error: ")):
        return f"exit 2 without one line: {err!r}"
    return None


def summary_problem(summary: dict[str, Any]) -> str | None:
    """Why a summary cannot be a correct result: a figure out of range or not finite."""
    duration = summary["duration"]
    if not (isinstance(duration, (int, float)) and math.isfinite(duration) and duration >= 0):
        return f"duration {duration}"
    for uid, figures in summary["databases"].items():
        for key in ("availability", "request_availability"):
            if not 0 <= figures[key] <= 1:
                return f"database {uid} {key} {figures[key]}"
        for key in ("downtime_s", "failed_requests", "longest_outage_s", "writes_lost"):
            if not (math.isfinite(figures[key]) and figures[key] >= 0):
                return f"database {uid} {key} {figures[key]}"
        if figures["downtime_s"] > duration + 1e-6 or figures["longest_outage_s"] > duration + 1e-6:
            return f"database {uid}: downtime {figures['downtime_s']} or outage beyond the window {duration}"
        if abs(figures["downtime_s"] - duration * (1 - figures["availability"])) > 1e-3 * max(1.0, duration):
            return f"database {uid}: downtime {figures['downtime_s']} is not duration x (1 - availability)"
        if figures["keys_lost"] < 0 or figures["bytes_lost"] < 0:
            return f"database {uid}: negative losses"
    return None


def check_edited_log(data: bytes, folder: Path) -> str | None:
    """Replay and explain an edited log: exit 0 with a sane summary or exit 2 with one line,
    both commands agreeing. Returns the problem, or None."""
    log = folder / "edited.jsonl"
    log.write_bytes(data)
    shutil.rmtree(folder / "re", ignore_errors=True)
    code, _, err = cli(["replay", str(log), "--out", str(folder / "re"), "--no-plots"])
    problem = outcome_problem(code, err, (0, 2))
    if problem:
        return f"replay: {problem}"
    if code == 0:
        summary = json.loads((folder / "re" / "summary.json").read_text())
        problem = summary_problem(summary)
        if problem:
            return f"replay: exit 0 with {problem}"
    elif (folder / "re").exists():
        return "replay: exit 2 left an output folder"
    explain_code, _, err = cli(["explain", str(log)])
    problem = outcome_problem(explain_code, err, (0, 2))
    if problem:
        return f"explain: {problem}"
    if explain_code != code:
        return f"replay exits {code} but explain {explain_code}: {err.strip()}"
    return None


def check_scenario(data: dict[str, Any], folder: Path) -> tuple[str, str | None]:
    """Validate, run (invariants on) and replay a scenario: ("refused" | "ran", problem)."""
    import yaml

    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    code, _, err = cli(["validate", str(path)])
    problem = outcome_problem(code, err, (0, 2))
    if problem or code == 2:
        return "refused", problem
    shutil.rmtree(folder / "out", ignore_errors=True)
    code, _, err = cli(["run", str(path), "--out", str(folder / "out"), "--no-plots", "--check-invariants"])
    problem = outcome_problem(code, err, (0, 1))
    if problem:
        return "ran", f"run: {problem}"
    live = json.loads((folder / "out" / "summary.json").read_text())
    code, _, err = cli(["replay", str(folder / "out" / "events.jsonl"), "--no-plots"])
    if code != 0:
        return "ran", f"replay of a valid run: exit {code}: {err.strip()}"
    problem = summary_problem(live)
    return "ran", f"live summary: {problem}" if problem else None


def valid_log_lines(rng: random.Random, folder: Path) -> list[str]:
    """The lines of the log of a random valid scenario that runs."""
    while True:
        data = random_scenario(rng)
        status, problem = check_scenario(data, folder)
        if status == "ran" and problem is None:
            return (folder / "out" / "events.jsonl").read_text().splitlines()


def fuzz(scenarios: int, edits: int, seed: int, hostile: int = 0) -> int:
    """Run the fuzzing; print the counts and every problem found; returns the number of problems."""
    rng = random.Random(seed)
    problems: list[str] = []
    counts = {"ran": 0, "refused": 0, "edits exit 0": 0, "edits exit 2": 0}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for n in range(scenarios):
            data = random_scenario(rng)
            status, problem = check_scenario(data, folder)
            counts[status] += 1
            if problem:
                problems.append(f"scenario {n}: {problem}\n{json.dumps(data)}")
        for n in range(hostile):
            data = hostile_scenario(rng)
            status, problem = check_scenario(data, folder)
            counts[f"hostile {status}"] = counts.get(f"hostile {status}", 0) + 1
            if problem:
                problems.append(f"hostile scenario {n}: {problem}\n{json.dumps(data)}")
        logs = [valid_log_lines(rng, folder) for _ in range(min(40, max(1, edits // 50)))]
        for n in range(edits):
            data, what = edit_log(rng.choice(logs), rng)
            problem = check_edited_log(data, folder)
            code = 0 if (folder / "re").exists() else 2
            counts[f"edits exit {code}"] += 1
            if problem:
                problems.append(f"edit {n} ({what}): {problem}")
    print(json.dumps(counts))
    for problem in problems:
        print(problem[:2000])
    print(f"{len(problems)} problems")
    return len(problems)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenarios", type=int, default=500)
    parser.add_argument("--edits", type=int, default=500)
    parser.add_argument("--hostile", type=int, default=0, help="scenarios with hostile requests (HOSTILE_TEXTS …)")
    parser.add_argument("--seed", type=int, default=1)
    options = parser.parse_args()
    sys.exit(1 if fuzz(options.scenarios, options.edits, options.seed, options.hostile) else 0)
