"""`sweep --shrink`: the worst failing run, shrunk next to results.csv (or a note when none failed)."""
from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest

from sim.cli import main
from sim.scenario import parse_scenario
from sim.shrink import MARK
from sim.shrink.failure import observe
from sim.shrink.sweep import worst_failing

ROOT = Path(__file__).resolve().parents[2]
FAULTS = ROOT / "scenarios" / "random-node-faults.yaml"
DEFAULT = ROOT / "scenarios" / "default.yaml"


def _row(unmet: int, keys: int = 0, writes: float = 0.0, down: float = 0.0, **more: Any) -> dict[str, Any]:
    return {"expectations_unmet": unmet, "db1.keys_lost": keys, "db1.writes_lost": writes, "db1.downtime_s": down,
            **more}


@pytest.mark.parametrize("rows, expected", [
    ([_row(0, keys=9), _row(0)], None),                                   # nothing failed
    ([_row(1, down=50), _row(1, writes=1), _row(0, keys=99)], 1),         # writes lost beat downtime; passing runs skipped
    ([_row(1, writes=5), _row(2, keys=1)], 1),                            # keys lost first
    ([_row(1, down=5), _row(1, down=5, **{"db2.downtime_s": 1})], 1),    # summed over databases
    ([_row(1, down=5), _row(3, down=5)], 1),                              # then the most unmet expectations
    ([_row(2, down=5), _row(2, down=5)], 0),                              # then the first in grid order
])
def test_the_worst_failing_run(rows: list[dict[str, Any]], expected: int | None) -> None:
    """Most keys lost, then writes lost, then downtime (over every database), then unmet
    expectations, then grid order; only runs with an unmet expectation count."""
    assert worst_failing(rows) == expected


def test_sweep_shrink_writes_the_worst_run_shrunk_next_to_results(tmp_path: Path, capsys) -> None:
    """random-node-faults over seeds 1-12: some runs miss the availability bound; the worst one is
    shrunk into <scenario>-shrunk.yaml in the sweep's folder, which fails as its header says."""
    out = tmp_path / "sweep"
    assert main(["sweep", str(FAULTS), "--vary", "preserve_roles=true,false", "--seeds", "12", "--out", str(out),
                 "--no-plots", "--workers", "1", "--shrink"]) == 0
    printed = capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == [
        ".upgrade-sim-output", "random-node-faults-shrunk.yaml", "results.csv", "summary.json", "verdict.txt"]
    with (out / "results.csv").open() as table:
        rows = list(csv.DictReader(table))
    worst = rows[worst_failing([{**r, "expectations_unmet": int(r["expectations_unmet"]),
                                 **{k: float(v) for k, v in r.items() if k.startswith("db1.") and _number(v)}}
                                for r in rows])]
    assert int(worst["expectations_unmet"]) > 0
    text = (out / "random-node-faults-shrunk.yaml").read_text()
    head = text.replace("\n#   ", " ")  # the header's wrapped lines joined
    assert text.startswith(MARK) and f"(strategy {worst['strategy']}) run with seed {worst['seed']}." in head
    assert f"worst failing run: strategy {worst['strategy']}, seed {worst['seed']}" in printed.out
    assert "random-node-faults-shrunk.yaml" in printed.out.splitlines()[-1]  # the outputs line
    scenario = parse_scenario(text)
    assert [f.key for f in observe(scenario, scenario.seed)] == ["databases.1.availability_min"]
    assert "shrinking the worst failing run" in printed.err


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_sweep_shrink_with_nothing_failing_says_so(tmp_path: Path, capsys) -> None:
    """default.yaml meets its expectations on every seed: no file, a note."""
    out = tmp_path / "sweep"
    assert main(["sweep", str(DEFAULT), "--seeds", "2", "--out", str(out), "--no-plots", "--workers", "1",
                 "--shrink"]) == 0
    assert "--shrink: every run met its expectations; nothing to shrink" in capsys.readouterr().out
    assert sorted(p.name for p in out.iterdir()) == [".upgrade-sim-output", "results.csv", "summary.json", "verdict.txt"]
