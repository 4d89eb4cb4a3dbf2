"""`run --set KEY=VALUE` (issue 20): a variant without editing the file — the sweep's keys and
shortcuts, applied in order, after a --timing profile, validated with the setting named; the run is
the one the edited file gives, byte for byte."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "scenarios" / "preserve-roles.yaml"


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text())


def test_set_changes_the_run_as_editing_the_file_would(tmp_path: Path, capsys) -> None:
    """--set preserve_roles=false on SPEC §6's example: 31 s instead of 32, 1 s down instead of 2,
    roles swapped (its expectation roles_preserved fails: exit 1). The log equals the log of the file
    edited by hand, byte for byte (the content hash covers the variant)."""
    assert main(["run", str(EXAMPLE), "--set", "preserve_roles=false", "--out", str(tmp_path / "set"),
                 "--no-plots"]) == 1
    figures = _summary(tmp_path / "set")["databases"]["1"]
    assert (figures["upgrade_duration_s"], figures["downtime_s"], figures["roles_preserved"]) == (31.0, 1.0, False)
    edited = tmp_path / "edited.yaml"
    edited.write_text(EXAMPLE.read_text().replace("preserve_roles: true}", "preserve_roles: false}"))
    assert main(["run", str(edited), "--out", str(tmp_path / "edited"), "--no-plots"]) == 1
    assert (tmp_path / "set" / "events.jsonl").read_bytes() == (tmp_path / "edited" / "events.jsonl").read_bytes()
    assert main(["run", str(EXAMPLE), "--out", str(tmp_path / "plain"), "--no-plots"]) == 0
    header = (tmp_path / "plain" / "events.jsonl").read_text().splitlines()[0]
    assert header != (tmp_path / "set" / "events.jsonl").read_text().splitlines()[0]


def test_settings_apply_in_order_and_dotted_paths_work(tmp_path: Path, capsys) -> None:
    """A later --set wins over an earlier one; a dotted path moves the request to t=20."""
    assert main(["run", str(EXAMPLE), "--set", "preserve_roles=false", "--set",
                 "timeline.0.request.body.preserve_roles=true", "--set", "timeline.0.at=20",
                 "--out", str(tmp_path / "o"), "--no-plots"]) == 0
    summary = _summary(tmp_path / "o")
    assert summary["responses"][0]["at"] == 20.0 and summary["databases"]["1"]["roles_preserved"] is True
    assert "t=20 POST /v1/bdbs/1/modules/upgrade -> 200" in capsys.readouterr().out


def test_a_set_timing_key_wins_over_the_timing_file(tmp_path: Path) -> None:
    """The profile first, then the settings (as in a sweep): the file says 3 s per restart, --set says
    10 s: replica restart 10 + sync 10 + failover 1 + master restart 10 + sync 10 + failover 1 = 42 s
    (the expectations bound only availability and losses: still met)."""
    profile = tmp_path / "t.yaml"
    profile.write_text("timing: {shard_restart_s: 3}\n")
    assert main(["run", str(EXAMPLE), "--timing", str(profile), "--set", "shard_restart_s=10",
                 "--out", str(tmp_path / "o"), "--no-plots"]) == 0
    assert _summary(tmp_path / "o")["databases"]["1"]["upgrade_duration_s"] == 42.0


@pytest.mark.parametrize("setting, fragment", [
    ("shards_count=0", "--set shards_count=0: {file}:"),
    ("shards_count=0", "databases[0].shards_count: Input should be greater than 0 (got 0)"),
    ("timeline.3.at=5", "--set timeline.3.at: timeline has 1 item; '3' is not an index in it"),
    ("nosuchkey=1", "--set nosuchkey: unknown key"),
    ("preserve_roles=maybe", "--set preserve_roles=maybe: preserve_roles is true or false"),
    ("seed=4", "--set seed: the seed comes from --seed"),
    ("preserve_roles", "--set 'preserve_roles': write KEY=VALUE"),
])
def test_a_bad_setting_is_one_line_naming_it(setting: str, fragment: str, tmp_path: Path, capsys) -> None:
    """Exit 2, one line naming --set and the key (and the file and line when validation refuses it)."""
    assert main(["run", str(EXAMPLE), "--set", setting, "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment.format(file=EXAMPLE) in err[0], err
    assert list(tmp_path.iterdir()) == []


def test_validate_takes_settings_too(capsys) -> None:
    """`validate --set` checks the variant."""
    assert main(["validate", str(EXAMPLE), "--set", "shards_count=2"]) == 0
    assert main(["validate", str(EXAMPLE), "--set", "shards_count=-1"]) == 2
    assert "--set shards_count=-1:" in capsys.readouterr().err
