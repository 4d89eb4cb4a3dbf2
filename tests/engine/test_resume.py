"""A run resumes from any prefix of its log (SPEC §8; issue 16 item 11): every fact the engine
decides on is in the event-sourced state, so replaying a prefix and going on writes the rest
of the log exactly as the whole run did."""
from __future__ import annotations

import random
from pathlib import Path

import pytest

from sim.engine import resume, simulate
from sim.events.log import encode_event
from sim.scenario import load_scenario, to_input
from tests.kit import scenario_data, upgrade

SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "scenarios").glob("*.yaml"))


def _lines(inputs, prefix=None) -> list[str]:
    seen: list = []
    collect = lambda event, state: seen.append(event)  # noqa: E731
    if prefix is None:
        simulate(inputs, [collect], check_invariants=True)
    else:
        resume(inputs, prefix, [collect], check_invariants=True)
    return [encode_event(e) for e in seen]


def _check_resumes(inputs, cuts: int, seed: int) -> None:
    events: list = []
    simulate(inputs, [lambda event, state: events.append(event)])
    whole = [encode_event(e) for e in events]
    draw = random.Random(seed)
    for k in sorted({1, len(events) - 1, *(draw.randrange(1, len(events)) for _ in range(cuts))}):
        prefix = events[:k]
        kept = [encode_event(e) for e in prefix if e.t < prefix[-1].t]
        assert kept + _lines(inputs, prefix) == whole, f"resumed after event {k - 1} (t={prefix[-1].t})"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_bundled_scenario_resumes_from_random_prefixes(path: Path) -> None:
    """Cut at random events (and the first and last): the resumed run's events, after the prefix's
    last complete instant, are the whole run's, byte for byte."""
    _check_resumes(to_input(load_scenario(path)), cuts=6, seed=len(path.stem))


@pytest.mark.parametrize("case", ["limits", "recovery", "retry"])
def test_resuming_in_the_middle_of_waiting_work(case: str) -> None:
    """Syncs queued behind a limit, a pair awaiting its file on a down node, a retry joining work."""
    crash = lambda at, node: {"at": at, "node_crash": node}  # noqa: E731
    back = lambda at, node: {"at": at, "node_recover": node}  # noqa: E731
    data = {
        "limits": scenario_data({"replication": True, "shards_count": 3}, [upgrade(preserve_roles=True)],
                                policy={"max_slave_full_syncs": 1, "parallel_shards_upgrade": 2}),
        "recovery": scenario_data({"replication": True, "data_persistence": "aof"},
                                  [crash(100, 2), crash(100, 3), back(150, 3), {"at": 200, "cluster_recover": True},
                                   back(300, 2)]),
        "retry": scenario_data({"replication": True, "data_persistence": "aof"},
                               [upgrade(), crash(18, 2), back(40, 2), upgrade(at=42, preserve_roles=True)]),
    }[case]
    from sim.scenario import scenario_from_data
    _check_resumes(to_input(scenario_from_data(data)), cuts=25, seed=3)
