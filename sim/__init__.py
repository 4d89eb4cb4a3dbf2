"""upgrade-sim: an event-sourced simulator of Redis Software module upgrades.

The public Python API (used by the CLI, the tests and the notebooks)::

    from sim import load_scenario, run_scenario
    result = run_scenario(load_scenario("scenarios/default.yaml"))
    result.summary["databases"]["1"]["availability"]
"""
from __future__ import annotations

from sim.version import __version__

__all__ = ["__version__", "load_scenario", "parse_scenario", "run_scenario", "replay_log", "RunResult"]


def __getattr__(name: str) -> object:
    # Lazy: `import sim` stays cheap, and lower layers can read `sim.__version__`.
    if name in ("load_scenario", "parse_scenario"):
        from sim import scenario
        return getattr(scenario, name)
    if name in ("run_scenario", "replay_log", "RunResult"):
        from sim import run
        return getattr(run, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
