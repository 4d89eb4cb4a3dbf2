"""REST twin throughput and latency: `GET /v1/actions/{uid}` and `GET /v1/bdbs` of a 1,000-shard
cluster served by `upgrade-sim serve`, from 4 concurrent client processes on loopback (the load
generator shares the machine's cores with the server). `measure()` returns a markdown section.

The server is a real `upgrade-sim serve` process; each client process keeps one connection
alive and sends requests back to back for a fixed time, timing each one.
"""
from __future__ import annotations

import base64
import http.client
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if __name__ == "__main__":  # run as a script: import the harness as the `benchmarks` package
    sys.path[0] = str(ROOT)

from benchmarks.fleet import Fleet, fleet_data  # noqa: E402
from benchmarks.markdown import mark  # noqa: E402
from sim.scenario import scenario_yaml  # noqa: E402

__all__ = ["measure", "FLEET", "CLIENTS", "TARGET_RPS", "TARGET_P99_MS"]

#: 10 databases × 50 replicated pairs = 1,000 shards on 60 nodes, each database upgraded (10-19 s).
FLEET = Fleet(databases=10, pairs=50)
CLIENTS = 4
SECONDS = 5.0
TARGET_RPS, TARGET_P99_MS = 1000, 50.0
READY = re.compile(r"^serving http://127\.0\.0\.1:(\d+) ")


def _basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _client(port: int, path: str, seconds: float, auth: tuple[str, str], out: Any) -> None:
    """One client process: back-to-back GETs on one kept-alive connection; sends its latencies."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = _basic(*auth)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        latencies.append(time.perf_counter() - start)
        errors += response.status != 200
    conn.close()
    out.send((latencies, errors))


def load(port: int, path: str, clients: int = CLIENTS, seconds: float = SECONDS,
         auth: tuple[str, str] = ("admin", "x")) -> dict[str, float]:
    """Requests per second, p50 and p99 (ms) of `clients` processes sending GET `path` as `auth`."""
    context = multiprocessing.get_context("spawn")
    pipes = [context.Pipe(duplex=False) for _ in range(clients)]
    workers = [context.Process(target=_client, args=(port, path, seconds, auth, send)) for _, send in pipes]
    for worker in workers:
        worker.start()
    results = [receive.recv() for receive, _ in pipes]
    for worker in workers:
        worker.join()
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)
    if errors:
        raise RuntimeError(f"{errors} answers to GET {path} were not 200")
    q = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "rps": len(latencies) / seconds, "p50_ms": 1000 * q[49],
            "p99_ms": 1000 * q[98]}


class Served:
    """`upgrade-sim serve` of the benchmark fleet in a subprocess (a context manager)."""

    def __init__(self, clock: list[str]) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="bench-twin-"))
        data = fleet_data(FLEET)
        data["cluster"]["users"] = [{"name": "admin", "role": "admin"}]
        scenario = self.folder / "fleet.yaml"
        scenario.write_text(scenario_yaml(data, "benchmark fleet"))
        self.process = subprocess.Popen([sys.executable, "-m", "sim", "serve", str(scenario), "--port", "0",
                                         "--no-plots", "--out", str(self.folder / "out"), *clock],
                                        stdout=subprocess.PIPE, text=True, cwd=self.folder)
        assert self.process.stdout is not None
        match = READY.match(self.process.stdout.readline())
        if not match:
            self.process.kill()
            raise RuntimeError("upgrade-sim serve did not start")
        self.port = int(match.group(1))

    def call(self, method: str, path: str, body: Any = None) -> Any:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request(method, path, body=None if body is None else json.dumps(body),
                     headers=_basic("admin", "x"))
        answer = json.loads(conn.getresponse().read())
        conn.close()
        return answer

    def __enter__(self) -> Served:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.call("POST", "/sim/stop")
            self.process.wait(120)
        finally:
            if self.process.poll() is None:
                self.process.kill()


def measure() -> str:
    """The markdown section: both endpoints with the manual clock (cached per simulated instant)
    and with a realtime clock (time moves between requests: every GET serialises anew)."""
    rows = []
    for label, clock in (("manual clock (t=30)", []), ("realtime clock, speed 1 (from t=30)", ["--clock", "realtime"])):
        with Served(clock) as served:
            served.call("POST", "/sim/advance", {"to": 30})  # realtime: skipped ahead, and time goes on
            action = served.call("GET", "/v1/actions")["state-machines"][0]["action_uid"]
            sizes = {path: len(json.dumps(served.call("GET", path))) for path in ("/v1/bdbs", f"/v1/actions/{action}")}
            for path in (f"/v1/actions/{action}", "/v1/bdbs"):
                figures = load(served.port, path)
                name = "/v1/actions/{uid}" if "actions" in path else path
                rows.append((label, name, sizes[path], figures))
    cores = os.cpu_count() or 1
    lines = ["## REST twin (`upgrade-sim serve`)", "",
             f"{FLEET.shards:,} shards ({FLEET.databases} databases × {FLEET.pairs} replicated pairs, {FLEET.nodes} "
             f"nodes), every database upgrading; {CLIENTS} client processes on loopback, each with one kept-alive "
             f"connection sending GETs back to back for {SECONDS:g} s. The server (one process) and the load "
             f"generator share this machine's {cores} cores. Target: ≥ {TARGET_RPS:,} requests/s with p99 ≤ "
             f"{TARGET_P99_MS:g} ms.", "",
             "| clock | endpoint | body (bytes) | requests/s | p50 (ms) | p99 (ms) | target |",
             "|---|---|---:|---:|---:|---:|---|"]
    for label, name, size, f in rows:
        met = mark(f["rps"] >= TARGET_RPS and f["p99_ms"] <= TARGET_P99_MS)
        lines.append(f"| {label} | GET {name} | {size:,} | {f['rps']:,.0f} | {f['p50_ms']:.2f} | {f['p99_ms']:.2f} "
                     f"| {met} |")
    return "\n".join(lines + [""])


if __name__ == "__main__":
    print(measure())
