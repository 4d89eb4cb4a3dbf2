"""A user's text reaches files and the terminal (names, rack ids, expected values): never an
internal error, every file stays readable — SVG and JUnit XML included — and no control
character reaches the terminal raw."""
from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import yaml

from sim.cli import main
from tests.kit import scenario_data


def _scenario(tmp_path: Path, **changes: Any) -> Path:
    data = scenario_data({"replication": True, "name": changes.pop("name", "orders")}, [])
    for node in data["cluster"]["nodes"]:
        node["rack_id"] = changes.get("rack", node.get("rack_id"))
    data.update({k: v for k, v in changes.items() if k != "rack"})
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_a_raw_control_character_in_a_file_is_one_line_naming_it(tmp_path: Path, capsys) -> None:
    """PyYAML's reader refuses it before parsing: that error escaped (exit 3)."""
    path = tmp_path / "s.yaml"
    path.write_text("name: x\nseed: 1\ndescription: a\x1b[2J\n", encoding="utf-8")
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"upgrade-sim: error: {path}:3: the character U+001B is not allowed in YAML (write a control " \
                  "character as an escape in a double-quoted text, e.g. \"\\x1b\")\n"


def test_dollars_in_names_are_text_in_the_plots(tmp_path: Path) -> None:
    """Matplotlib read `$…$` as math: a rack id `a$$` or a database `c$\\x$` crashed the plots."""
    path = _scenario(tmp_path, name="c$\\x$", rack="a$$")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    assert "c$\\x$" in (tmp_path / "out" / "availability-db1.svg").read_text(encoding="utf-8")


def test_a_control_character_in_a_name_leaves_every_svg_xml(tmp_path: Path, capsys) -> None:
    """ESC and \\x01 were written raw into the SVG text: no XML reader accepted the figures."""
    path = _scenario(tmp_path, name="ord\x01ers", rack="az\x1b")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    svgs = sorted((tmp_path / "out").glob("*.svg"))
    assert len(svgs) >= 4
    for svg in svgs:
        ET.parse(svg)  # raises for a character XML does not allow
    assert "\x1b" not in capsys.readouterr().out


def test_the_junit_file_stays_xml_with_control_characters_in_expectations(tmp_path: Path) -> None:
    """`error_code: "x\\x02"` (an unmet expectation) was written raw into junit.xml."""
    path = _scenario(tmp_path, timeline=[{"at": 5, "request": {"path": "/v1/bdbs/1/upgrade", "body": {}}}],
                     expect={"responses": [{"status": 200, "error_code": "x\x02"}]})
    assert main(["check", str(path), "--junit", str(tmp_path / "junit.xml")]) == 1
    failure = ET.parse(tmp_path / "junit.xml").find(".//failure")
    assert failure is not None and "x\\x02" in (failure.get("message") or "")


def test_explain_prints_names_escaped(tmp_path: Path, capsys) -> None:
    """A database's name is printed by `explain` (and in tables): ESC [2J cleared the terminal."""
    path = _scenario(tmp_path, name="x\x1b[2J")
    assert main(["run", str(path), "--no-plots", "--out", str(tmp_path / "out")]) == 0
    capsys.readouterr()
    assert main(["explain", str(tmp_path / "out" / "events.jsonl")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "x\\x1b[2J" in out


def test_shrink_writes_a_header_yaml_reads_back_whatever_the_failure_says(tmp_path: Path, capsys) -> None:
    """The header comment quoted the failure raw: U+2028 in an expected value ended the comment,
    and the shrunk file was refused by shrink's own check (`malformed YAML`)."""
    path = _scenario(tmp_path, timeline=[{"at": 5, "request": {"path": "/v1/bdbs/1/upgrade", "body": {}}}],
                     expect={"responses": [{"status": 200, "error_code": "x\u2028y: [z"}]})
    assert main(["shrink", str(path), "--out", str(tmp_path / "shrunk.yaml")]) == 0
    out = capsys.readouterr().out
    assert "x\\u2028y: [z" in out and "\u2028" not in out
    assert main(["validate", str(tmp_path / "shrunk.yaml")]) == 0
