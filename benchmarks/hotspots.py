"""Where the time goes: cProfile of one program run, as markdown tables of the top entries."""
from __future__ import annotations

import pstats
import tempfile
from pathlib import Path

from benchmarks.fleet import Fleet
from benchmarks.markdown import table
from benchmarks.measure import ROOT, sample

__all__ = ["profile_section", "render_profile", "top_entries"]

Entry = tuple[str, int, float, float]


def top_entries(stats_file: Path, key: str, limit: int) -> list[Entry]:
    """The `limit` functions with the most `key` time ("tottime" or "cumtime"):
    (function, calls, tottime, cumtime)."""
    stats = pstats.Stats(str(stats_file)).stats  # type: ignore[attr-defined]
    rows = [(_where(func), calls, tottime, cumtime)
            for func, (_, calls, tottime, cumtime, _) in stats.items()]
    index = 2 if key == "tottime" else 3
    return sorted(rows, key=lambda row: row[index], reverse=True)[:limit]


def _where(func: tuple[str, int, str]) -> str:
    path, line, name = func
    for prefix in (str(ROOT) + "/", "site-packages/"):
        if prefix in path:
            path = path.split(prefix, 1)[1]
    return f"`{path}:{line}({name})`" if line else f"`{name}`"


def profile_section(fleet: Fleet, limit: int = 20) -> str:
    """Profile our run on `fleet` once (in a fresh process) and list the hot spots."""
    with tempfile.TemporaryDirectory() as tmp:
        stats_file = Path(tmp) / "ours.prof"
        run = sample("ours", fleet, profile=stats_file)
        return render_profile(stats_file, run.wall_s, fleet.shards, limit)


def render_profile(stats_file: Path, wall_s: float, shards: int, limit: int) -> str:
    """The markdown section of a saved profile: top `limit` by own time, then by cumulative time."""
    headers = ("function", "calls", "tottime (s)", "cumtime (s)")

    def rows(key: str) -> list[tuple[str, int, str, str]]:
        return [(where, calls, f"{tottime:.3f}", f"{cumtime:.3f}")
                for where, calls, tottime, cumtime in top_entries(stats_file, key, limit)]

    return (f"## Profile of the large cluster\n\ncProfile of one end-to-end run on {shards:,} shards "
            f"({wall_s:.2f} s under the profiler, which slows Python calls about 3×; the proportions are what "
            f"matter). Top {limit} by own time, then by cumulative time.\n\n"
            + table(headers, rows("tottime")) + "\n\n" + table(headers, rows("cumtime")))
