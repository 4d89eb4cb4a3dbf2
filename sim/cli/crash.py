"""Internal errors (exit 3): one line for the terminal, the traceback in a file it names."""
from __future__ import annotations

import os
import platform
import sys
import tempfile
import traceback

from sim.version import __version__

__all__ = ["EXIT_INTERNAL", "internal_error", "crash_report"]

#: Exit code of an internal error: a bug in upgrade-sim, not a problem of the input.
EXIT_INTERNAL = 3
_LONGEST = 300


def internal_error(err: BaseException, context: str = "") -> str:
    """`internal error: TYPE: MESSAGE; details in FILE` for an unexpected exception, after
    writing its traceback (and `context`, e.g. the scenario) to a new file."""
    text = " ".join(str(err).split())
    if len(text) > _LONGEST:
        text = text[:_LONGEST] + "…"
    summary = f"{type(err).__name__}: {text}" if text else type(err).__name__
    return f"internal error: {summary}; details in {crash_report(err, context)}"


def crash_report(err: BaseException, context: str = "") -> str:
    """Write the traceback of `err` with what ran to a new file in the temporary folder; its path
    (or why it could not be written)."""
    lines = [
        f"upgrade-sim {__version__} internal error (please report it with this file)",
        f"command: {' '.join(sys.argv)}",
        f"python: {platform.python_version()} on {platform.platform()}",
    ]
    if context:
        lines.append(f"while: {context}")
    lines.append("")
    lines.extend(traceback.format_exception(err))
    try:
        handle, path = tempfile.mkstemp(prefix="upgrade-sim-crash-", suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8", errors="backslashreplace") as out:
            out.write("\n".join(line.rstrip("\n") for line in lines) + "\n")
    except OSError as problem:
        return f"(nowhere: the report could not be written: {problem.strerror or problem})"
    return path
