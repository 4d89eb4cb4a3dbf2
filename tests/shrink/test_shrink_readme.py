"""The README's example of `sweep --shrink` is what the program writes, byte for byte."""
from __future__ import annotations

import re
from pathlib import Path

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_example_is_what_sweep_shrink_writes(tmp_path: Path, capsys) -> None:
    """Run the README's command; the file and the two lines printed are the ones it shows."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### From a failing sweep to a minimal scenario"):]
    shown = re.search(r"`out/sweep/random-node-faults-shrunk.yaml`:\n\n```yaml\n(.*?)```", section, re.S)
    assert shown is not None
    out = tmp_path / "sweep"
    assert main(["sweep", str(ROOT / "scenarios" / "random-node-faults.yaml"), "--vary", "preserve_roles=true,false",
                 "--vary", "data_persistence=aof,disabled", "--seeds", "20", "--out", str(out), "--no-plots",
                 "--workers", "1", "--shrink"]) == 0
    assert (out / "random-node-faults-shrunk.yaml").read_text(encoding="utf-8") == shown.group(1)
    printed = capsys.readouterr().out
    for line in re.search(r"```\n(worst failing run: .*?)```", section, re.S).group(1).splitlines():
        assert line in printed
