"""The exception tree of upgrade-sim: one root, each subclass also a matching built-in.

    SimError
    ├── InputError (ValueError)        bad input: a scenario, a log, a CLI argument -> exit 2
    │   ├── ScenarioError              a scenario file: names the file, line and key path
    │   ├── PlacementError             shards cannot be placed under the placement rules
    │   ├── VersionError               a version string that does not parse
    │   └── LogFormatError             an event log that cannot be read or replayed
    └── InvariantViolation (AssertionError)   a broken rule of the simulation: a bug

A rejected REST request is not an exception: it is a value (`sim.api.Rejected`).
"""
from __future__ import annotations

__all__ = [
    "SimError",
    "InputError",
    "ScenarioError",
    "PlacementError",
    "VersionError",
    "LogFormatError",
    "InvariantViolation",
]


class SimError(Exception):
    """Root of every error raised on purpose by upgrade-sim."""


class InputError(SimError, ValueError):
    """Bad input from a user: reported as one clear line, exit code 2.

    `loc` is the key path of the offending value inside its document (for example
    `("databases", 0, "module_list", 1)`), so the scenario loader can name its line.
    """

    def __init__(self, message: str, loc: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.loc = tuple(loc)


class ScenarioError(InputError):
    """A scenario file is invalid; the message names the file, line and key path."""


class PlacementError(InputError):
    """A database's shards cannot be placed on the cluster's nodes; says why."""


class VersionError(InputError):
    """A version string is not of the form 1.2.3 or 7.4.2-54."""


class LogFormatError(InputError):
    """An event log is cut, has a gap, goes back in time, or has an unknown type."""


class InvariantViolation(SimError, AssertionError):
    """A rule that must always hold was broken: a bug in the simulator."""
