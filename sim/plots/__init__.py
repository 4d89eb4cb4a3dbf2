"""Figures and the HTML report, drawn from the event log and the summary only."""
from __future__ import annotations

from sim.plots.report import write_report

__all__ = ["write_report"]
