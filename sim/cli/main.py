"""Argument parsing, dispatch to one module per sub-command, and the exit codes.

Exit codes: 0 ok, 1 an expectation is unmet, 2 bad input (one clear line on stderr, no
traceback, no output folder left behind), 3 internal error (a bug: one line on stderr, the
traceback in a file it names). SIGTERM and SIGHUP end a command like Ctrl-C does: its
temporary files are removed first (exit 128 + the signal number).
"""
from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import import_module
from types import FrameType
from typing import Any

from sim.stopping import Stopped, is_stop, raise_if_stopped, reset, stop
from sim.cli.crash import EXIT_INTERNAL, internal_error
from sim.errors import InputError
from sim.printable import one_line
from sim.version import __version__

__all__ = ["main", "build_parser", "COMMANDS", "EXIT_OK", "EXIT_UNMET", "EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_CODES"]

EXIT_OK, EXIT_UNMET, EXIT_BAD_INPUT = 0, 1, 2
#: What `--help` says about the exit codes (the README says the same).
EXIT_CODES = ("exit codes:\n  0  ok\n  1  an expectation is unmet (check, run), a sweep --fail-on bound is crossed\n"
              "  2  bad input: one line naming the file, line and key (or the argument); nothing written\n"
              "  3  internal error (a bug in upgrade-sim): one line, the traceback in the file it names")


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are bad input (exit 2, one line)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        # main() prefixes "upgrade-sim: error: "; a sub-command names itself once ("run: ...")
        command = self.prog.removeprefix("upgrade-sim").strip()
        raise InputError(f"{command + ': ' if command else ''}{message} (see {self.prog} --help)")


#: The sub-commands, in the order `--help` lists them: name -> what it does. The module
#: `sim.cli.<name>_cmd` adds its arguments (`add_arguments`), its examples (`EXAMPLE`) and runs
#: it (`handle`); it is imported only when its command is the one run, so that `--help` and a
#: light command do not pay for the others' imports (matplotlib, FastAPI, httpx, dask).
COMMANDS: dict[str, str] = {
    "run": "Run a scenario: write events.jsonl, summary.json, report.html and plots; exit 1 if an expectation is "
           "unmet.",
    "check": ("Run scenario files (or folders of them) and check their expectations, on one seed or many; exit 1 if "
              "any is unmet, 3 if a run crashed (the others still run; the crash is an error case in the JUnit file)."),
    "replay": "Recompute the summary (and the plots) of a run from its events.jsonl alone.",
    "validate": ("Check scenario files (shape, references, placement) without running them; warn (stderr) on risky "
                 "set-ups: a rack whose loss loses quorum, a recovery of a node that is up, a master and its replica "
                 "in one rack."),
    "schema": "Print the JSON Schema of scenario files (for editors).",
    "explain": "Explain, from an event log, every outage and every loss back to its root cause.",
    "sweep": ("Compare strategies over conditions and seeds: every combination of the strategy values (--vary, "
              "--strategy) under every combination of the condition values (fault times and nodes, random faults, "
              "timing: --vary classes them, --condition forces), each seed; rank the strategies by a stated objective "
              "(--rank-by), name each one's worst condition, gate CI on statistics (--fail-on, exit 1), and print the "
              "command that reproduces the worst run."),
    "serve": ("Serve a scenario's cluster over HTTP with the vendor's REST API (the REST twin); at the stop, write "
              "events.jsonl, summary.json, report.html and session.yaml; exit 1 if an expectation is unmet."),
    "shrink": ("Shrink a failing scenario: the smallest scenario found that fails the same way (the same unmet "
               "expectation, or the same broken invariant), written with a comment saying what was removed."),
    "import": ("Read a Redis Software cluster (live over HTTPS, GET requests only, or a folder of saved bodies) and "
               "write a scenario of it that validates and runs."),
    "calibrate": ("Measure the timing profile (restart, RDB/AOF load, full sync, FAILOVER, replication lag) on real "
                  "redis-server processes on loopback and write it as a --timing file; --verify compares a real "
                  "rolling upgrade with the simulation (exit 1 when outside the tolerance)."),
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser: every sub-command listed; the one `argv` names (its first word that is not an
    option, if a command) gets its arguments and handler — all of them for `argv=None`. (No
    top-level option takes a value, so that first word is the command when there is one.)"""
    parser = _Parser(prog="upgrade-sim", description="Rehearse Redis Software module upgrades: simulate, "
                     "check expectations, replay and explain event logs, sweep strategies over seeds.",
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog="examples:\n  upgrade-sim run scenarios/default.yaml --out out/demo\n"
                            "  upgrade-sim check scenarios/ --junit report.xml\n\n" + EXIT_CODES)
    parser.add_argument("--version", action="version", version=f"upgrade-sim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    chosen = next((word for word in argv if not word.startswith("-")), None) if argv is not None else None
    for name, text in COMMANDS.items():
        sub = commands.add_parser(name, help=text, description=text,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        if argv is None or name == chosen:
            module = import_module(f"sim.cli.{name.replace('-', '_')}_cmd")
            sub.epilog = f"{module.EXAMPLE}\n\n{EXIT_CODES}"
            module.add_arguments(sub)
            sub.set_defaults(handler=module.handle)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    reset()
    try:
        with _signals_as_exceptions():
            words = list(sys.argv[1:] if argv is None else argv)
            args = build_parser(words).parse_args(words)
            handler: Callable[[argparse.Namespace], int] = args.handler
            code = handler(args)
            raise_if_stopped()  # a stop Python swallowed (in a weakref callback) still stops
            return code
    except InputError as err:
        print(f"upgrade-sim: error: {one_line(str(err))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("upgrade-sim: interrupted", file=sys.stderr)
        return 130
    except Stopped as stopped:
        return _stopped(stopped)
    except BrokenPipeError:
        return EXIT_OK
    except Exception as err:  # noqa: BLE001 - the one place that turns a bug into exit 3
        try:
            raise_if_stopped()  # the error is a stop Python wrapped (a RuntimeError from `__set_name__`)
        except Stopped as stopped:
            return _stopped(stopped)
        print(f"upgrade-sim: {internal_error(err)}", file=sys.stderr)
        return EXIT_INTERNAL
    finally:
        reset()  # the command is over: a stop it was asked must not stop what the caller does next


def _stopped(stopped: Stopped) -> int:
    """Say that a signal stopped the command; its exit code (128 + the signal: 130 for Ctrl-C)."""
    print("upgrade-sim: interrupted" if stopped.signum == signal.SIGINT else f"upgrade-sim: stopped by signal "
          f"{stopped.signum}", file=sys.stderr)
    return 128 + stopped.signum


@contextmanager
def _signals_as_exceptions() -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into `sim.stopping.Stopped` for the block (main thread
    only); a stop Python reports as unraisable (raised in a weakref callback) is not printed: it
    is remembered, and raised again (`sim.stopping`)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handle(signum: int, frame: FrameType | None) -> None:
        stop(signum)  # the engine's handlers are plain callbacks: SimPy lets it through at once

    def unraisable(report: Any) -> None:
        if not is_stop(report.exc_value):
            default_hook(report)

    default_hook = sys.unraisablehook
    previous = {sig: signal.signal(sig, handle) for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    sys.unraisablehook = unraisable
    try:
        yield
    finally:
        sys.unraisablehook = default_hook
        for sig, handler in previous.items():
            signal.signal(sig, handler)
