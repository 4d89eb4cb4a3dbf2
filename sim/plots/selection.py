"""Which figures a report holds, and how a drawn figure is described (no matplotlib here,
so a report without figures never loads it)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DATABASE_LIMIT", "SavedFigure", "chosen_databases"]

#: Most databases that get their own availability and masters figures.
DATABASE_LIMIT = 8


@dataclass(frozen=True, slots=True)
class SavedFigure:
    """A figure written to disk: its title and caption in the report, and its files."""

    title: str
    caption: str
    files: tuple[Path, ...]

    @property
    def png(self) -> Path:
        """The PNG file (embedded in the report)."""
        return next(p for p in self.files if p.suffix == ".png")


def chosen_databases(summary: dict[str, Any], limit: int | None = None) -> list[str]:
    """Uids (as in the summary) of the databases drawn: all of them up to `limit` (default
    `DATABASE_LIMIT`), else the most affected ones; in uid order."""
    limit = DATABASE_LIMIT if limit is None else limit
    figures = summary["databases"]
    ranked = sorted(figures, key=lambda uid: (-figures[uid]["downtime_s"], -figures[uid]["keys_lost"],
                                              -figures[uid]["writes_lost"], int(uid)))
    return sorted(ranked[:limit], key=int)
