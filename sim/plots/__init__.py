"""Figures and the HTML report, drawn from the event log and the summary only.

`write_report` is what `sim.run` calls; the rest serves notebooks that draw one figure:
`fold_events(read_log(path)[1])` gives the History every figure function takes.
"""
from __future__ import annotations

from typing import Any

from sim.plots.history import History, fold_events
from sim.plots.report import write_report

__all__ = ["write_report", "History", "fold_events", "timeline_figure", "availability_figure", "masters_figure",
           "topology_figure"]

_FIGURES = {"timeline_figure": "timeline", "availability_figure": "availability", "masters_figure": "masters",
            "topology_figure": "topology"}


def __getattr__(name: str) -> Any:
    # The figure functions load matplotlib: only when asked for, so that `write_report`
    # without figures (benchmarks, big sweeps) never pays for it.
    if name in _FIGURES:
        from importlib import import_module
        return getattr(import_module(f"sim.plots.{_FIGURES[name]}"), name)
    raise AttributeError(f"module 'sim.plots' has no attribute {name!r}")
