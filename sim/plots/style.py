"""What every figure shares: creation on the Agg canvas, reproducible saving, the shading of
fault windows, and the common legend entries.

Figures are built with `matplotlib.figure.Figure` directly (no pyplot: no global figure
registry, nothing ever shown). Saving is deterministic: matplotlib's default style whatever
the user's matplotlibrc, a fixed SVG hash salt, and no date in the SVG or PNG metadata.
"""
from __future__ import annotations

import io
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import matplotlib.style
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.plots.history import History, Window
from sim.printable import xml_safe

__all__ = ["DPI", "FORMATS", "FAULT", "NO_QUORUM", "discard_figure", "new_figure", "plot_style", "save_figure",
           "shade_windows", "window_handles"]

#: Resolution of the PNG files (100 dpi: a figure is as wide on screen as its inches × 100 px).
DPI = 100
FORMATS = ("png", "svg")
_SALT = "upgrade-sim-report"
#: Shading of a node's fault window (crash → recovery, or → the window's end), and of quorum loss.
FAULT = {"color": "#e41a1c", "alpha": 0.13}
NO_QUORUM = {"facecolor": "none", "edgecolor": "#a6761d", "hatch": "xx", "alpha": 0.5}


#: A fixed SVG hash salt; text kept as text in the SVG (searchable, and several times faster to write
#: than glyph paths); a user's `$` is a dollar, not math markup (`a$$` crashed the plots).
_RC = {"svg.hashsalt": _SALT, "svg.fonttype": "none", "text.parse_math": False}


@contextmanager
def plot_style() -> Iterator[None]:
    """Matplotlib's default style and a fixed SVG hash salt, for reproducible figures."""
    with matplotlib.style.context("default"), matplotlib.rc_context(_RC):
        yield


def new_figure(width: float, height: float) -> Figure:
    """A figure of `width` × `height` inches, laid out by constrained layout, on an Agg canvas."""
    figure = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def save_figure(figure: Figure, stem: Path, formats: tuple[str, ...] = FORMATS) -> list[Path]:
    """Write `stem.png` and `stem.svg` without dates; returns the files written."""
    paths = []
    with plot_style(), warnings.catch_warnings():
        # a user's text with a character no font has (a control character) is drawn as a box; the
        # warning would print that character to the terminal raw
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .* missing from font", category=UserWarning)
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            if fmt == "svg":
                buffer = io.BytesIO()
                figure.savefig(buffer, format=fmt, metadata={"Date": None}, dpi=DPI)
                path.write_bytes(xml_safe(buffer.getvalue()))  # a name may hold a control character
            else:
                figure.savefig(path, format=fmt, metadata={"Software": None}, dpi=DPI)
            # laid out by the first save; the other formats reuse it. None, not "none": a placeholder
            # engine would still make savefig draw the whole figure once more before the real draw
            figure.set_layout_engine(None)
            paths.append(path)
    return paths


def discard_figure(figure: Figure) -> None:
    """Free a saved figure's memory now. A figure and its canvas hold reference cycles, which the
    rare collections of a large run (`sim.engine.rare_collections`) leave for long: its artists
    and the canvas's pixel buffer (megabytes per figure) would pile up over a run's figures."""
    figure.clear()
    canvas = vars(figure.canvas)
    canvas.pop("renderer", None)  # Agg draws into a new buffer when the key does not match
    canvas.pop("_lastKey", None)


def shade_windows(ax: Axes, history: History, faults: list[Window] | None = None) -> None:
    """Shade every node's fault window (gid `fault-window`; only `faults` when given) and every
    stretch without quorum (gid `no-quorum`) across the whole height of `ax`, Jepsen-style."""
    for window in history.faults if faults is None else faults:
        ax.axvspan(window.start, window.end, linewidth=0, zorder=4, gid="fault-window", **FAULT)
    for window in history.no_quorum:
        ax.axvspan(window.start, window.end, linewidth=0, zorder=4, gid="no-quorum", **NO_QUORUM)


def window_handles(history: History, faults: list[Window] | None = None) -> list[Patch]:
    """Legend entries for the shaded windows (`faults`, by default every node's) of this run."""
    handles = []
    faults = history.faults if faults is None else faults
    if faults:
        nodes = sorted({w.node for w in faults if w.node is not None})
        named = ", ".join(str(n) for n in nodes[:6]) + (f" and {len(nodes) - 6} more" if len(nodes) > 6 else "")
        handles.append(Patch(label=f"node down: crash → recovery or window end (node {named})", **FAULT))
    if history.no_quorum:
        handles.append(Patch(label="cluster without quorum", **NO_QUORUM))
    return handles
