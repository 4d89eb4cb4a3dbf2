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
from types import FrameType

from sim.cli.crash import EXIT_INTERNAL, internal_error
from sim.errors import InputError
from sim.version import __version__

__all__ = ["main", "EXIT_OK", "EXIT_UNMET", "EXIT_BAD_INPUT", "EXIT_INTERNAL", "EXIT_CODES"]

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


def build_parser() -> argparse.ArgumentParser:
    """The parser with every sub-command registered."""
    from sim.cli import (
        calibrate_cmd, check_cmd, explain_cmd, import_cmd, replay_cmd, run_cmd, schema_cmd, serve_cmd, shrink_cmd,
        sweep_cmd, validate_cmd,
    )

    parser = _Parser(prog="upgrade-sim", description="Rehearse Redis Software module upgrades: simulate, "
                     "check expectations, replay and explain event logs, sweep strategies over seeds.",
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog="examples:\n  upgrade-sim run scenarios/default.yaml --out out/demo\n"
                            "  upgrade-sim check scenarios/ --junit report.xml\n\n" + EXIT_CODES)
    parser.add_argument("--version", action="version", version=f"upgrade-sim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for module in (run_cmd, check_cmd, replay_cmd, validate_cmd, schema_cmd, explain_cmd, sweep_cmd, serve_cmd,
                   shrink_cmd, import_cmd, calibrate_cmd):
        sub = commands.add_parser(module.NAME, help=module.HELP, description=module.HELP,
                                  epilog=f"{module.EXAMPLE}\n\n{EXIT_CODES}",
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(sub)
        sub.set_defaults(handler=module.handle)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    try:
        with _signals_as_exceptions():
            args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
            handler: Callable[[argparse.Namespace], int] = args.handler
            return handler(args)
    except InputError as err:
        print(f"upgrade-sim: error: {one_line(str(err))}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("upgrade-sim: interrupted", file=sys.stderr)
        return 130
    except _Terminated as stop:
        print(f"upgrade-sim: stopped by signal {stop.signum}", file=sys.stderr)
        return 128 + stop.signum
    except BrokenPipeError:
        return EXIT_OK
    except Exception as err:  # noqa: BLE001 - the one place that turns a bug into exit 3
        print(f"upgrade-sim: {internal_error(err)}", file=sys.stderr)
        return EXIT_INTERNAL


def one_line(text: str) -> str:
    """A message on one line (a value quoted in it may hold line breaks)."""
    return " ".join(text.split()) if "\n" in text or "\r" in text else text


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived: unwinds like Ctrl-C, so that temporary files are removed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def _signals_as_exceptions() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into `_Terminated`, SIGINT into KeyboardInterrupt, for the block
    (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        error: BaseException = KeyboardInterrupt() if signum == signal.SIGINT else _Terminated(signum)
        raise error  # the engine's handlers are plain callbacks: SimPy lets it through at once

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
