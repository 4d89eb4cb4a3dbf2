"""Figures and the HTML report, drawn from the event log and the summary only.

`write_report` is what `sim.run` calls; the rest serves notebooks that draw one figure:
`fold_events(read_log(path)[1])` gives the History every figure function takes.

Every name is imported when first asked for: `sim.plots.units` (pure text) costs nothing,
and `write_report` without figures (benchmarks, big sweeps) never loads matplotlib.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from sim.lazy import lazy_exports

if TYPE_CHECKING:
    from sim.plots.availability import availability_figure
    from sim.plots.history import History, fold_events
    from sim.plots.masters import masters_figure
    from sim.plots.report import write_report
    from sim.plots.timeline import timeline_figure
    from sim.plots.topology import topology_figure

__all__ = ["write_report", "History", "fold_events", "timeline_figure", "availability_figure", "masters_figure",
           "topology_figure"]

#: The module of each public name: imported when the name is first used (`sim.lazy`).
__getattr__ = lazy_exports(__name__, {
    "report": ("write_report",), "history": ("History", "fold_events"), "timeline": ("timeline_figure",),
    "availability": ("availability_figure",), "masters": ("masters_figure",), "topology": ("topology_figure",),
})
