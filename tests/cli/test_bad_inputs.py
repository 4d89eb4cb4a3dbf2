"""The hostile-input corpus (issue 16): every scenario file of `tests/bad_inputs/` and every log
of `tests/bad_logs/` gets its declared exit code and one-line message — never a traceback,
never a half-written or temporary folder — and `validate` refuses exactly what `run` refuses."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from sim.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "bad_inputs"
FILES = sorted(CORPUS.glob("*.yaml"))
LOGS = Path(__file__).resolve().parents[1] / "bad_logs"
LOG_EXPECTATIONS: dict[str, list] = json.loads((LOGS / "expected.json").read_text(encoding="utf-8"))
#: Files that cannot carry their expectation in a comment: (exit, line, message).
SPECIAL = {"empty.yaml": (2, 1, "the file is empty"), "binary.yaml": (2, 1, "is not UTF-8 text"),
           "utf16.yaml": (2, 1, "is not UTF-8 text")}


def expectation(path: Path) -> tuple[int, int | None, str]:
    """The (exit code, line, message fragment) a corpus file declares in its header comments:
    `# expect-line: N` (exit 2) or `# expect-exit: 0`, then `# expect-message: ...`."""
    if path.name in SPECIAL:
        return SPECIAL[path.name]
    head = path.read_bytes().decode("utf-8", "replace").splitlines()[:2]
    message = re.fullmatch(r"# expect-message: (.*)", head[1]).group(1)
    exit_code = re.fullmatch(r"# expect-exit: (\d)", head[0])
    if exit_code:
        return int(exit_code.group(1)), None, message
    return 2, int(re.fullmatch(r"# expect-line: (\d+)", head[0]).group(1)), message


def test_the_corpus_is_large_enough() -> None:
    """At least 60 hostile files: scenarios and logs."""
    assert len(FILES) + len(LOG_EXPECTATIONS) >= 60
    assert sorted(LOG_EXPECTATIONS) == sorted(p.name for p in LOGS.glob("*.jsonl"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_each_scenario_gets_its_exit_code_and_one_line(path: Path, tmp_path: Path, capsys) -> None:
    """Bad input: exit 2, one stderr line `FILE:LINE: key: problem`, nothing on stdout, no
    folder written (not even a temporary one). Files the API answers instead: exit 0 with the
    answer printed."""
    code, line, message = expectation(path)
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--no-plots"]) == code
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    if code == 2:
        errors = captured.err.strip().splitlines()
        assert len(errors) == 1, captured.err
        assert errors[0].startswith(f"upgrade-sim: error: {path}:{line}: "), errors[0]
        assert message in errors[0]
        assert captured.out == ""
        assert list(tmp_path.iterdir()) == []  # no output folder, no temporary one either
    else:
        assert message in captured.out and captured.err == ""
        assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
        # what the run logged, its own reader accepts (a body the log cannot hold would break this)
        assert main(["replay", str(out / "events.jsonl"), "--no-plots"]) == 0


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_validate_refuses_what_run_refuses(path: Path, capsys) -> None:
    """`validate` exits like `run` (2, or 0 for a file `run` accepts) with the same line."""
    code, line, message = expectation(path)
    assert main(["validate", str(path)]) == (2 if code == 2 else 0)
    captured = capsys.readouterr()
    if code == 2:
        assert captured.err.strip().splitlines() == [captured.err.strip()]
        assert f"{path}:{line}: " in captured.err and message in captured.err


@pytest.mark.parametrize("name", sorted(LOG_EXPECTATIONS))
@pytest.mark.parametrize("command", ["replay", "explain"])
def test_each_bad_log_is_refused_with_one_line(name: str, command: str, tmp_path: Path, capsys) -> None:
    """`replay` and `explain` refuse each edited log alike: its exit code, one line naming the
    file (and the line), no traceback, no output folder."""
    code, message = LOG_EXPECTATIONS[name]
    log = LOGS / name
    out = ["--out", str(tmp_path / "re"), "--no-plots"] if command == "replay" else []
    assert main([command, str(log), *out]) == code
    captured = capsys.readouterr()
    errors = captured.err.strip().splitlines()
    assert len(errors) == 1 and "Traceback" not in captured.err, captured.err
    assert errors[0].startswith(f"upgrade-sim: error: {log}: ") and message in errors[0], errors[0]
    assert list(tmp_path.iterdir()) == []


def test_the_logs_edit_a_log_that_replays(tmp_path: Path, capsys) -> None:
    """The corpus' logs are edits of `source.yaml`'s log, which itself replays: each refusal is
    the edit's doing."""
    assert main(["run", str(LOGS / "source.yaml"), "--out", str(tmp_path / "o"), "--no-plots"]) == 0
    assert main(["replay", str(tmp_path / "o" / "events.jsonl")]) == 0
    assert main(["explain", str(tmp_path / "o" / "events.jsonl")]) == 0
    assert "Traceback" not in capsys.readouterr().err


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
