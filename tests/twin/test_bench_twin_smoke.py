"""The twin benchmark's load generator works on a tiny run (no timing is asserted: the machine
is shared): its client processes reach a real server and count every answer."""
from __future__ import annotations

from benchmarks.bench_twin import load
from tests.twin.helpers import ADMIN, serve


def test_the_load_generator_counts_answers_and_their_latencies() -> None:
    with serve() as s:
        figures = load(s.server.port, "/v1/bdbs", clients=2, seconds=0.3, auth=ADMIN)
    assert figures["requests"] > 2 and figures["rps"] > 0
    assert 0 < figures["p50_ms"] <= figures["p99_ms"]
