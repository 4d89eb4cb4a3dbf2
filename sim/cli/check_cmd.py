"""`upgrade-sim check`: run scenario files and folders as a CI gate, on one seed or many,
optionally writing JUnit XML."""
from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from sim.cli.args import SEED_LIMIT, count, seed
from sim.cli.check_report import Outcome, held_over_seeds, junit_tree, required_seeds, rows_of
from sim.cli.crash import EXIT_INTERNAL, internal_error
from sim.cli.junit import check_junit_path, write_xml
from sim.cli.render import table
from sim.cli.scenario_input import warn
from sim.cli.timing_option import add_timing_argument, timing_of
from sim.errors import InputError
from sim.run import run_scenario
from sim.scenario import Scenario
from sim.stopping import raise_if_stopped
from sim.sweep import load_variant

EXAMPLE = ("examples:\n  upgrade-sim check scenarios/\n  upgrade-sim check scenarios/ my-plan.yaml --junit report.xml\n"
           "  upgrade-sim check rehearsals/ --seeds 50 --pass-share 0.95 --junit report.xml\n\n"
           "Folders are searched for *.yaml and *.yml, skipping files whose name starts with _ (bases that\n"
           "other scenarios extend). A file that is bad input is exit 2; with --junit the file is written\n"
           "first, with an error case for it (the other files are not run: skipped cases).")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `check`."""
    parser.add_argument("paths", nargs="+", metavar="PATH", help="scenario files or folders (searched for *.yaml)")
    parser.add_argument("--junit", metavar="FILE", help="also write the results as JUnit XML")
    parser.add_argument("--seeds", type=count(1, 1_000_000), default=1, metavar="N",
                        help="run each scenario with N seeds: its own seed (or --first-seed) and the N-1 after it")
    parser.add_argument("--first-seed", type=seed, metavar="N", help="first seed (default: each scenario's)")
    parser.add_argument("--pass-share", type=_share, default=1.0, metavar="SHARE",
                        help="each expectation must hold on at least this share of the seeds (default 1: every "
                             "seed; 0.95 of 20 seeds is 19)")
    add_timing_argument(parser)


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text!r}: a share is a number above 0 and at most 1 (0.95)")
    return value


def scenario_files(paths: list[str]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The scenario files named by `paths` (folders searched recursively, sorted, `_*` files skipped),
    and the paths that name nothing, each with why."""
    files: list[Path] = []
    missing: list[tuple[Path, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml")
                                and not p.name.startswith("_") and p.is_file()))
        elif path.exists():
            files.append(path)
        else:
            missing.append((path, f"{path}: no such file or folder"))
    if not files and not missing:
        missing.append((Path(" ".join(paths)), f"no scenario files (*.yaml, *.yml) in {' '.join(paths)}"))
    return files, missing


def handle(args: argparse.Namespace) -> int:
    """Load every scenario; if one is bad input, write the JUnit file (error and skipped cases) and
    exit 2 before anything runs. Else run each on its seeds with invariants on, print a table, write
    JUnit if asked; a crashed run does not stop the others."""
    junit = Path(args.junit) if args.junit else None
    if junit is not None:
        check_junit_path(junit)
    files, missing = scenario_files(args.paths)
    outcomes = [Outcome(path, str(path), bad=message) for path, message in missing]
    loaded: list[tuple[Outcome, Scenario]] = []
    try:
        timing = timing_of(args)
    except InputError as err:
        outcomes.append(Outcome(Path(args.timing), f"--timing {args.timing}", bad=str(err)))
        timing = None
    for path in files:
        try:
            scenario, source = load_variant(path, [], timing)
        except InputError as err:
            outcomes.append(Outcome(path, str(path), bad=str(err)))
            continue
        warn(scenario, source)
        loaded.append((Outcome(path, scenario.name), scenario))
    if any(o.bad is not None for o in outcomes):
        return _refuse(outcomes, [o for o, _ in loaded], junit, args.pass_share)
    for outcome, scenario in loaded:
        _run_seeds(outcome, scenario, args.seeds, args.first_seed)
        outcomes.append(outcome)
    return _report(outcomes, args.seeds, args.pass_share, junit)


def _refuse(bad: list[Outcome], others: list[Outcome], junit: Path | None, share: float) -> int:
    """Bad input: the JUnit file first (so CI has something to show), then one line, exit 2."""
    for outcome in others:
        outcome.skipped = True
    if junit is not None:
        write_xml(junit, junit_tree(bad + others, share))
    worst = [o for o in bad if o.bad is not None]
    more = f" (and {len(worst) - 1} more bad file{'s' if len(worst) > 2 else ''})" if len(worst) > 1 else ""
    raise InputError(f"{worst[0].bad}{more}")


def _run_seeds(outcome: Outcome, scenario: Scenario, seeds: int, first: int | None) -> None:
    start = scenario.seed if first is None else first
    if start + seeds > SEED_LIMIT:  # the last seed must be one `run --seed` takes back
        raise InputError(f"--seeds {seeds}: seeds {start} .. {start + seeds - 1} pass the largest seed, "
                         "2**63 - 1: start lower")
    for n in range(start, start + seeds):
        try:
            outcome.runs.append((n, run_scenario(scenario, seed=n, check_invariants=True)))
        except InputError:
            raise
        except Exception as err:  # noqa: BLE001 - a crash of one scenario is recorded, the others still run
            raise_if_stopped()  # unless it is a stop Python wrapped (see sim.stopping)
            message = internal_error(err, f"check {outcome.source} --seed {n}")
            print(f"upgrade-sim: {outcome.source}: {message}", file=sys.stderr)
            outcome.runs, outcome.error = [], message
            return


def _report(outcomes: list[Outcome], seeds: int, share: float, junit: Path | None) -> int:
    headers: tuple[str, ...] = ("scenario", "expectation", "expected", "actual", "ok") if seeds == 1 else \
        ("scenario", "expectation", "expected", "held", "worst (seed)", "ok")
    print(table(headers, rows_of(outcomes, share, seeds)))
    held = [h for o in outcomes if o.runs for h in held_over_seeds(o, share)]
    failed = sum(1 for h in held if not h.ok)
    crashed = sum(1 for o in outcomes if o.error is not None)
    scope = f"{len(outcomes)} scenarios" if seeds == 1 else \
        f"{len(outcomes)} scenarios x {seeds} seeds (each expectation on at least {required_seeds(seeds, share)})"
    print(f"\n{scope}, {len(held)} expectations, {failed} unmet"
          + (f", {crashed} crashed (internal error)" if crashed else ""))
    if junit is not None:
        write_xml(junit, junit_tree(outcomes, share))
    return EXIT_INTERNAL if crashed else 1 if failed else 0
