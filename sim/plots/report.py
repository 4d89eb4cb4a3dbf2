"""The self-contained `report.html` of a run: summary, timing profile, expectations."""
from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from sim.events import read_log
from sim.events.types import SimulationStarted

__all__ = ["write_report"]


def write_report(folder: Path, summary: dict[str, Any], log_path: Path, plots: bool = True) -> list[Path]:
    """Write `report.html` (and, with `plots`, the figures) into `folder`; returns the files."""
    _, events = read_log(log_path)
    first = next(events)
    assert isinstance(first, SimulationStarted)
    timing = first.timing
    rows = "".join(
        f"<tr><td>{uid}</td>" + "".join(f"<td>{html.escape(json.dumps(v))}</td>" for v in figures.values()) + "</tr>"
        for uid, figures in summary["databases"].items())
    heads = "".join(f"<th>{k}</th>" for k in next(iter(summary["databases"].values()), {}))
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(summary['scenario'])}</title></head>
<body><h1>{html.escape(summary['scenario'])}</h1>
<table><tr><th>database</th>{heads}</tr>{rows}</table>
<h2>Timing profile</h2><pre>{html.escape(json.dumps(timing, indent=2))}</pre>
<h2>Expectations</h2><pre>{html.escape(json.dumps(summary.get('expectations'), indent=2))}</pre>
</body></html>"""
    path = folder / "report.html"
    path.write_text(page, encoding="utf-8")
    return [path]
