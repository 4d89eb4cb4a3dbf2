"""`upgrade-sim run`: run one scenario and write its outputs."""
from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.args import seed
from sim.cli.render import number, summary_table, table
from sim.cli.scenario_input import add_set_argument, read_scenario
from sim.cli.timing_option import add_timing_argument, timing_of
from sim.printable import one_line
from sim.run import run_scenario

EXAMPLE = ("examples:\n  upgrade-sim run scenarios/default.yaml --out out/demo --seed 3\n"
           "  upgrade-sim run scenarios/six-node-sharded.yaml --set preserve_roles=false --set timeline.1.at=40")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `run`."""
    parser.add_argument("scenario", help="scenario file (YAML)")
    parser.add_argument("--out", metavar="DIR", help="output folder (default: out/<scenario name>)")
    parser.add_argument("--seed", type=seed, metavar="N", help="seed (default: the scenario's)")
    parser.add_argument("--no-plots", action="store_true", help="skip the figures (faster)")
    parser.add_argument("--check-invariants", action="store_true", help="check the invariants on every event")
    add_set_argument(parser)
    add_timing_argument(parser)


def handle(args: argparse.Namespace) -> int:
    """Run the scenario, print its summary and unmet expectations."""
    scenario = read_scenario(args.scenario, args.settings, timing_of(args))
    out = Path(args.out) if args.out else Path("out") / scenario.name
    result = run_scenario(scenario, seed=args.seed, out=out, plots=not args.no_plots,
                          check_invariants=args.check_invariants)
    summary = result.summary
    print(f"{scenario.name}: seed {summary['seed']}, window {number(summary['duration'])} s, "
          f"{number(summary['events'])} events")
    for r in summary["responses"]:
        print(f"  t={number(r['at'])} {r['method']} {one_line(r['path'])} -> {r['status']}"  # a client's path
              + (f" {r['error_code']}" if r["error_code"] else ""))
    print(summary_table(summary))
    if result.failed:
        print("\nunmet expectations:")
        print(table(("expectation", "expected", "actual"), [(r.what, r.expected, r.actual) for r in result.failed]))
    else:
        print(f"\nall {len(result.expectations)} expectations met")
    print(f"outputs: {out}/ (events.jsonl, summary.json, report.html{'' if args.no_plots else ', plots'})")
    return 0 if result.ok else 1
