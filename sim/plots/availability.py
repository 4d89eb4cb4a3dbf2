"""Availability over time of one database: the available fraction of its slots (a step
function whose integral of the shortfall is `downtime_s`), cumulative failed requests, and
cumulative keys and writes lost, in three panels sharing the time axis; shaded: the fault windows
of the nodes that held its shards, and quorum loss."""
from __future__ import annotations

from typing import Any

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import EngFormatter, MaxNLocator, PercentFormatter

from sim.plots.history import History
from sim.plots.style import new_figure, shade_windows, window_handles

__all__ = ["availability_figure"]

_SLOTS, _FAILED, _KEYS, _WRITES = "#1b7837", "#d95f02", "#7570b3", "#e7298a"


def availability_figure(history: History, summary: dict[str, Any], bdb: int) -> Figure:
    """The availability figure of database `bdb`; its title quotes the summary's figures."""
    figures = summary["databases"][str(bdb)]
    figure = new_figure(12, 7.2)
    top, middle, bottom = figure.subplots(3, 1, sharex=True, height_ratios=[2, 1, 1])
    handles = _slots(top, history, bdb) + _failed(middle, history, bdb) + _losses(bottom, history, bdb)
    faults = history.faults_of(bdb)  # only the nodes that held its shards: another database's fault is not its own
    for ax in (top, middle, bottom):
        shade_windows(ax, history, faults)
        ax.grid(alpha=0.3)
    bottom.set_xlim(history.start, history.end)
    bottom.set_xlabel("time (s)")
    name = history.initial.bdbs[bdb].name
    figure.suptitle(f"{summary['scenario']}: database {bdb} ({name}): availability {figures['availability']:.4%}, "
                    f"downtime {figures['downtime_s']:g} s, longest outage {figures['longest_outage_s']:g} s",
                    fontsize=11)
    figure.legend(handles=handles + window_handles(history, faults), loc="outside lower center", ncols=3, fontsize=8,
                  frameon=False)
    return figure


def _slots(ax: Axes, history: History, bdb: int) -> list[Line2D]:
    series = history.availability[bdb]
    times, values = series.available()
    lines = ax.plot(times, values, drawstyle="steps-post", color=_SLOTS, linewidth=1.5, gid="availability",
                    label=f"slots available (share of the database's {series.total_slots} hash slots)")
    ax.fill_between(times, values, 1, step="post", color=_SLOTS, alpha=0.15, linewidth=0)
    ax.set_ylim(-0.03, 1.05)
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_ylabel("slots available (%)")
    return lines


def _failed(ax: Axes, history: History, bdb: int) -> list[Line2D]:
    times, totals = history.availability[bdb].failed_requests()
    lines = ax.plot(times, totals, color=_FAILED, linewidth=1.5, gid="failed-requests",
                    label="failed requests, cumulative (reads + writes to unavailable slots)")
    _count_axis(ax, max(totals), "failed requests")
    return lines


def _losses(ax: Axes, history: History, bdb: int) -> list[Line2D]:
    losses = history.losses[bdb]
    times, keys = losses.cumulative("keys", history.start, history.end)
    lines = ax.plot(times, keys, drawstyle="steps-post", color=_KEYS, linewidth=1.5, gid="keys-lost",
                    label="keys lost, cumulative (left axis)")
    _count_axis(ax, max(keys), "keys lost")
    right = ax.twinx()
    times, writes = losses.cumulative("writes", history.start, history.end)
    lines += right.plot(times, writes, drawstyle="steps-post", color=_WRITES, linewidth=1.5, linestyle="--",
                        gid="writes-lost", label="acknowledged writes lost, cumulative (right axis)")
    _count_axis(right, max(writes), "writes lost")
    return lines


def _count_axis(ax: Axes, highest: float, label: str) -> None:
    """A count axis from 0, at least 0-1 so that an all-zero curve stays on the bottom edge."""
    ax.set_ylim(0, max(highest, 1) * 1.12)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
    ax.yaxis.set_major_formatter(EngFormatter(sep=""))
    ax.set_ylabel(label, fontsize=9)
