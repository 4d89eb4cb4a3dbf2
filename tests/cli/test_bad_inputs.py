"""Bad input (issue 4): every file of `tests/bad_inputs/` makes `run` exit 2 with one line that
names the file, the line and the problem — no traceback, and no output folder left behind."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
FILES = sorted(CORPUS.glob("*.yaml"))
#: Files that cannot carry their expectation in a comment.
SPECIAL = {"empty.yaml": (1, "the file is empty"), "binary.yaml": (1, "is not UTF-8 text")}


def expectation(path: Path) -> tuple[int, str]:
    """The (line, message fragment) a corpus file declares in its two header comments."""
    if path.name in SPECIAL:
        return SPECIAL[path.name]
    head = path.read_text().splitlines()[:2]
    line = int(re.fullmatch(r"# expect-line: (\d+)", head[0]).group(1))
    message = re.fullmatch(r"# expect-message: (.*)", head[1]).group(1)
    return line, message


def test_the_corpus_is_large_enough() -> None:
    """At least 15 kinds of bad input are covered."""
    assert len(FILES) >= 15


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_bad_input_exits_2_with_one_clear_line(path: Path, tmp_path: Path, capsys) -> None:
    """Exit 2; one stderr line `FILE:LINE: key: problem`; nothing on stdout; no folder written."""
    line, message = expectation(path)
    out = tmp_path / "out"
    code = main(["run", str(path), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2
    errors = captured.err.strip().splitlines()
    assert len(errors) == 1, captured.err
    assert f"{path}:{line}: " in errors[0]
    assert message in errors[0]
    assert "Traceback" not in captured.err and captured.out == ""
    assert list(tmp_path.iterdir()) == []  # no output folder, no temporary one either


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_validate_reports_the_same_problem(path: Path, capsys) -> None:
    """`validate` refuses the file with the same single line."""
    line, message = expectation(path)
    assert main(["validate", str(path)]) == 2
    assert message in capsys.readouterr().err


def test_references_inside_a_request_are_not_bad_input(tmp_path: Path, capsys) -> None:
    """A request naming a missing database or module is answered by the API (404 / 400), not refused."""
    base = (CORPUS / "unknown-top-key.yaml").read_text().replace("durration", "duration")
    text = base.replace("/v1/bdbs/1/modules/upgrade", "/v1/bdbs/9/modules/upgrade") + \
        "  - {at: 20, request: {path: /v1/bdbs/1/modules/upgrade, body: {modules: [{module_name: nope, " \
        "current_semantic_version: '1.0', new_module: ffffffffffffffffffffffffffffffff}]}}}\n"
    scenario = tmp_path / "refs.yaml"
    scenario.write_text(text)
    assert main(["run", str(scenario), "--out", str(tmp_path / "o"), "--no-plots"]) == 0
    printed = capsys.readouterr().out
    assert "-> 404 bdb_not_found" in printed and "-> 400 missing_module" in printed
