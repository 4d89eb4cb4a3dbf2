"""`upgrade-sim serve`: serve a scenario's cluster over HTTP (the REST twin, SPEC §11) until
`POST /sim/stop`, Ctrl-C or SIGTERM, then write the session's outputs."""
from __future__ import annotations

import argparse
import math
from pathlib import Path

from sim.cli.render import number, summary_table, table
from sim.cli.timing_option import add_timing_argument, timing_of
from sim.errors import InputError
from sim.outdir import check_replaceable
from sim.scenario import load_scenario, with_timing

MANUAL, REALTIME = "manual", "realtime"  # the clocks of sim.twin.clock (FastAPI is loaded only to serve)

EXAMPLE = ("examples:\n  upgrade-sim serve scenarios/default.yaml --port 0\n"
           "  upgrade-sim serve scenarios/default.yaml --clock realtime --speed 10 --out out/rehearsal\n"
           "then: curl http://127.0.0.1:9443/v1/bdbs; curl -X POST http://127.0.0.1:9443/sim/stop")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `serve`."""
    parser.add_argument("scenario", help="scenario file (YAML): its cluster, databases, users and own timeline")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=9443, metavar="N", help="port (default 9443; 0 = a free port)")
    parser.add_argument("--clock", choices=(MANUAL, REALTIME), default=MANUAL,
                        help="manual: time moves only by POST /sim/advance (default); realtime: speed x wall time")
    parser.add_argument("--speed", type=float, metavar="X", help="realtime clock: simulated seconds per wall second "
                        "(default 1)")
    parser.add_argument("--seed", type=int, metavar="N", help="seed (default: the scenario's)")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: out/<scenario name>-session)")
    add_timing_argument(parser)
    parser.add_argument("--no-plots", action="store_true", help="skip the figures at the stop (faster)")


def handle(args: argparse.Namespace) -> int:
    """Serve until stopped; print the summary; 0, or 1 when an expectation is unmet."""
    from sim.session import Session
    from sim.twin import Clock, Twin, TwinServer

    scenario = with_timing(load_scenario(args.scenario), timing_of(args))
    out = Path(args.out) if args.out else Path("out") / f"{scenario.name}-session"
    check_output_folder(out)
    clock = Clock(args.clock, _speed(args))
    if not 0 <= args.port <= 65535:
        raise InputError(f"--port: {args.port} is not a port (0-65535)")
    twin = Twin(Session(scenario, args.seed), clock, out, plots=not args.no_plots)
    server = TwinServer(twin, args.host, args.port)

    def ready() -> None:
        clock.restart()
        print(f"serving {server.url} (clock {clock.describe()}, t=0)", flush=True)
        print(f"  live page {server.url}/ · API docs {server.url}/docs · stop: POST {server.url}/sim/stop or "
              "Ctrl-C", flush=True)

    server.on_ready = ready
    server.run()
    result = twin.stop()
    summary = result.summary
    print(f"\nstopped at t={number(summary['duration'])}: {summary['events']} events, requests answered: "
          f"{len(summary['responses'])}")
    print(summary_table(summary))
    if result.failed:
        print("\nunmet expectations:")
        print(table(("expectation", "expected", "actual"), [(r.what, r.expected, r.actual) for r in result.failed]))
    elif result.expectations:
        print(f"\nall {len(result.expectations)} expectations met")
    print(f"outputs: {out}/ (events.jsonl, summary.json, report.html, session.yaml"
          f"{'' if args.no_plots else ', plots'}); replay: upgrade-sim run {out}/session.yaml")
    return 0 if result.ok else 1


def _speed(args: argparse.Namespace) -> float:
    if args.speed is None:
        return 1.0
    if args.clock != REALTIME:
        raise InputError("--speed: applies to --clock realtime only")
    if not (math.isfinite(args.speed) and args.speed > 0):
        raise InputError(f"--speed: {args.speed:g} is not a positive number")
    return float(args.speed)


def check_output_folder(out: Path) -> None:
    """Refuse, before serving, an output folder the stop could not replace (the rules of `run`)."""
    if out.exists() or out.is_symlink():
        check_replaceable(out)
