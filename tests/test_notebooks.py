"""The teaching notebooks run top to bottom (a broken cell fails the suite) and are stored
without outputs."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

FOLDER = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))


def test_the_notebooks_are_there() -> None:
    """The notebooks: preserve_roles, persistence, the vulnerability window, a plan, your machine's
    numbers, and Redis upgrade vs module upgrade."""
    assert {p.name for p in NOTEBOOKS} == {
        "01-preserve-roles.ipynb", "02-discard-and-persistence.ipynb", "03-vulnerability-window.ipynb",
        "04-rehearsing-a-plan.ipynb", "05-your-machines-numbers.ipynb", "06-redis-upgrade-vs-module-upgrade.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    """No stored outputs or execution counts (they would go stale and bloat diffs)."""
    book = nbformat.read(path, as_version=4)
    for cell in book.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs(path: Path) -> None:
    """Every cell executes without error; the notebook says what it teaches and ends with an exercise."""
    book = nbformat.read(path, as_version=4)
    NotebookClient(book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(FOLDER)}}).execute()
    assert "What you will learn" in book.cells[0].source
    assert "Exercise" in book.cells[-1].source
    shown = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    assert any(o.get("output_type") == "display_data" and "image/png" in o.get("data", {}) for o in shown)
