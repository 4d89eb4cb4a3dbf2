"""Every error and warning the CLI prints is one line of printable characters: a value quoted in
it (from a scenario, a log, a cluster's saved bodies) cannot break the line or reach the
terminal as a control sequence."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.cli import main
from sim.cli.main import one_line
from tests.kit import scenario_data


@pytest.mark.parametrize(("text", "shown"), [
    ("plain text", "plain text"),
    ("ünïcode and 😀 stay", "ünïcode and 😀 stay"),
    ("two\nlines  and\r\nmore", "two lines and more"),
    ("a\u2028b\u2029c\x85d", "a\\u2028b\\u2029c\\x85d"),
    ("\x1b[31mred\x1b[0m", "\\x1b[31mred\\x1b[0m"),
    ("csi \x9b2J", "csi \\x9b2J"),
    ("nul \x00 bell \x07 tab \t", "nul \\x00 bell \\x07 tab \\x09"),
    ("tag \U000e0041", "tag \\U000e0041"),
])
def test_a_message_is_one_line_of_printable_characters(text: str, shown: str) -> None:
    assert one_line(text) == shown
    assert one_line(text).isprintable()


def test_a_line_separator_in_a_scenario_value_does_not_break_the_warning_line(tmp_path: Path, capsys) -> None:
    """A rack id holding U+2028 is named in the quorum warning (two nodes in two racks): still one
    line, the character escaped (before, the warning went on, on a second line)."""
    data = scenario_data({"replication": True}, [])
    data["cluster"]["nodes"] = [{"uid": 1, "rack_id": "az\u2028one"}, {"uid": 2, "rack_id": "az2"}]
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert main(["validate", str(scenario)]) == 0
    err = capsys.readouterr().err
    assert "\u2028" not in err and err.count("\n") == 1 and err.startswith("warning: ")
    assert "rack az\\u2028one (node 1)" in err


def test_a_recorded_path_is_printed_escaped_by_run(tmp_path: Path, capsys) -> None:
    """A client's path `/v1/bdbs/%1B%5B2J/upgrade` (recorded by the twin as ESC [2J) cleared the
    terminal of whoever ran the session's scenario; the response line now shows its escape."""
    data = scenario_data({"replication": True}, [{"at": 5, "request": {"path": "/v1/bdbs/\x1b[2J/upgrade",
                                                                       "body": {}}}])
    scenario = tmp_path / "s.yaml"
    scenario.write_text(yaml.safe_dump(data), encoding="utf-8")
    main(["run", str(scenario), "--no-plots", "--out", str(tmp_path / "out")])
    out = capsys.readouterr().out
    assert "\x1b" not in out and "t=5 POST /v1/bdbs/\\x1b[2J/upgrade -> 404 bdb_not_found" in out
