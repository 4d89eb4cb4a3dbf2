"""Argument parsing, dispatch to one module per sub-command, and the exit codes.

Exit codes: 0 ok, 1 an expectation is unmet, 2 bad input (one clear line on stderr, no
traceback, no output folder left behind).
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from sim.errors import InputError
from sim.version import __version__

__all__ = ["main", "EXIT_OK", "EXIT_UNMET", "EXIT_BAD_INPUT"]

EXIT_OK, EXIT_UNMET, EXIT_BAD_INPUT = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are bad input (exit 2, one line)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise InputError(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    """The parser with every sub-command registered."""
    from sim.cli import check_cmd, explain_cmd, replay_cmd, run_cmd, schema_cmd, serve_cmd, sweep_cmd, validate_cmd

    parser = _Parser(prog="upgrade-sim", description="Rehearse Redis Software module upgrades: simulate, "
                     "check expectations, replay and explain event logs, sweep strategies over seeds.",
                     formatter_class=argparse.RawDescriptionHelpFormatter,
                     epilog="examples:\n  upgrade-sim run scenarios/default.yaml --out out/demo\n"
                            "  upgrade-sim check scenarios/ --junit report.xml")
    parser.add_argument("--version", action="version", version=f"upgrade-sim {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    for module in (run_cmd, check_cmd, replay_cmd, validate_cmd, schema_cmd, explain_cmd, sweep_cmd, serve_cmd):
        sub = commands.add_parser(module.NAME, help=module.HELP, description=module.HELP,
                                  epilog=module.EXAMPLE, formatter_class=argparse.RawDescriptionHelpFormatter)
        module.add_arguments(sub)
        sub.set_defaults(handler=module.handle)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code instead of exiting."""
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        handler: Callable[[argparse.Namespace], int] = args.handler
        return handler(args)
    except InputError as err:
        print(f"upgrade-sim: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("upgrade-sim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
