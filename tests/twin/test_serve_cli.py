"""`upgrade-sim serve` as a real process: the ready line on a pipe, POST /sim/stop, SIGTERM and
Ctrl-C all write the outputs and exit 0 (or 1 with an unmet expectation); bad input exits 2
with one line; `--timing` overrides the scenario's timing."""
from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from sim.cli.main import main
from sim.scenario import load_scenario, scenario_yaml
from tests.twin.helpers import ADMIN, UPGRADE_BODY, UPGRADE_PATH, twin_data

READY = re.compile(r"^serving (http://127\.0\.0\.1:(\d+)) \(clock (manual|realtime, speed \S+), t=0\)$")


def write(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(scenario_yaml(data, "a scenario for the serve tests"))
    return path


@contextmanager
def serving(tmp_path: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`python -m sim serve ARGS --port 0` in tmp_path; yields the process and its URL once ready."""
    process = subprocess.Popen([sys.executable, "-m", "sim", "serve", *args, "--port", "0"], cwd=tmp_path,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline().rstrip("\n")
        match = READY.match(line)
        assert match, (line, process.stderr.read() if process.poll() is not None else "")
        yield process, match.group(1)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(30)


def finish(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out, err


def upgrade_and_wait(url: str) -> None:
    with httpx.Client(base_url=url, auth=ADMIN) as c:
        c.post("/sim/advance", json={"to": 10})
        assert c.post(UPGRADE_PATH, json=UPGRADE_BODY).status_code == 200
        c.post("/sim/advance", json={"until": "idle"})


def test_stop_by_post_writes_the_outputs_and_exits_0(tmp_path: Path) -> None:
    scenario = write(tmp_path / "s.yaml", twin_data(expect={"responses": [{"status": 200}]}))
    with serving(tmp_path, str(scenario), "--no-plots") as (process, url):
        upgrade_and_wait(url)
        stop = httpx.post(f"{url}/sim/stop").json()
        code, out, err = finish(process)
    assert code == 0 and stop["ok"] is True and err == ""
    folder = tmp_path / "out" / "test-session"                       # the default: out/<name>-session
    assert stop["out"] == "out/test-session"
    assert {p.name for p in folder.iterdir()} == {"events.jsonl", "summary.json", "report.html", "session.yaml",
                                                 ".upgrade-sim-output"}
    assert "stopped at t=42: " in out and "all 1 expectations met" in out and "session.yaml" in out
    assert load_scenario(folder / "session.yaml").duration == 42.0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["SIGTERM", "Ctrl-C", "SIGHUP"])
def test_a_signal_writes_the_outputs_and_exits_1_when_an_expectation_is_unmet(tmp_path: Path, sig: int) -> None:
    """The expectation (a 406) is unmet by the 200 the session got: exit 1, outputs written."""
    scenario = write(tmp_path / "s.yaml", twin_data(expect={"responses": [{"status": 406}]}))
    with serving(tmp_path, str(scenario), "--out", "rehearsal", "--no-plots") as (process, url):
        upgrade_and_wait(url)
        process.send_signal(sig)
        code, out, err = finish(process)
    assert code == 1, err
    assert "unmet expectations" in out and (tmp_path / "rehearsal" / "session.yaml").exists()
    assert "Traceback" not in err


def test_realtime_ready_line_and_timing_file(tmp_path: Path) -> None:
    """`--timing` (restart 10 s instead of 5) makes the worked upgrade 42 s: 2 restarts × 10 + 2
    syncs × 10 + 2 failovers × 1; session.yaml carries the timing, so `run` agrees."""
    scenario = write(tmp_path / "s.yaml", twin_data())
    (tmp_path / "timing.yaml").write_text("# calibrated\ntiming:\n  shard_restart_s: 10\n"
                                          "  failure_detection_s: {low: 20}\n")
    with serving(tmp_path, str(scenario), "--clock", "realtime", "--speed", "1000", "--timing", "timing.yaml",
                 "--no-plots", "--seed", "3") as (process, url):
        with httpx.Client(base_url=url, auth=ADMIN) as c:
            assert c.get("/sim/clock").json()["clock"] == "realtime"
            uid = c.post(UPGRADE_PATH, json=UPGRADE_BODY).json()["action_uid"]
            c.post("/sim/advance", json={"until": "idle"})
            assert c.get(f"/v1/actions/{uid}").json()["status"] == "completed"
            c.post("/sim/stop")
        code, out, _ = finish(process)
    summary = (tmp_path / "out" / "test-session" / "summary.json").read_text()
    assert code == 0 and '"upgrade_duration_s": 42.0' in summary and '"seed": 3' in summary
    session = load_scenario(tmp_path / "out" / "test-session" / "session.yaml")
    assert session.timing.shard_restart_s == 10 and session.timing.failure_detection_s.low == 20
    assert session.timing.failure_detection_s.high == 3


def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Checked before serving (in-process `main`, as the process would run it)."""
    monkeypatch.chdir(tmp_path)
    scenario = write(tmp_path / "s.yaml", twin_data())
    (tmp_path / "precious").mkdir()
    (tmp_path / "precious" / "notes.txt").write_text("mine")
    (tmp_path / "bad-timing.yaml").write_text("timing:\n  shard_restart_s: -1\n")
    (tmp_path / "extra-timing.yaml").write_text("timing: {}\nseed: 3\n")
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    cases = [
        (["missing.yaml"], "missing.yaml"),
        ([str(scenario), "--out", "precious"], "not an upgrade-sim output folder"),
        ([str(scenario), "--speed", "5"], "--speed: applies to --clock realtime only"),
        ([str(scenario), "--clock", "realtime", "--speed", "0"], "--speed: 0 is not a positive number"),
        ([str(scenario), "--port", str(busy.getsockname()[1])], "cannot listen on 127.0.0.1:"),
        ([str(scenario), "--port", "70000"], "--port: 70000 is not a port"),
        ([str(scenario), "--timing", "bad-timing.yaml"], "bad-timing.yaml:2: timing.shard_restart_s:"),
        ([str(scenario), "--timing", "extra-timing.yaml"], "extra-timing.yaml:2: seed: unknown key"),
    ]
    try:
        for args, says in cases:
            assert main(["serve", *args]) == 2, args
            out, err = capsys.readouterr()
            assert says in err and len(err.strip().splitlines()) == 1 and out == "", (args, err)
    finally:
        busy.close()
    assert (tmp_path / "precious" / "notes.txt").read_text() == "mine"


def test_a_signal_during_a_long_advance_stops_time_at_an_instant(tmp_path: Path) -> None:
    """An advance runs in the server's event loop: SIGTERM used to wait for it to end (here
    seconds; on a large fleet, minutes). Asked between instants, the stop ends it: the advance
    is answered 503 naming the instant reached, and the session stops and is written there."""
    data = twin_data(faults={"random": {"mtbf_s": 100, "mttr_s": 50}})   # time may reach 500,000 s
    data["duration"] = 600                                                  # (random faults need one)
    data["databases"][0]["shards_count"] = 30
    scenario = write(tmp_path / "s.yaml", data)
    answer: list[httpx.Response] = []
    with serving(tmp_path, str(scenario), "--out", "rehearsal", "--no-plots") as (process, url):
        advance = threading.Thread(target=lambda: answer.append(
            httpx.post(f"{url}/sim/advance", json={"to": 499_999}, timeout=300)))
        advance.start()
        while True:  # the loop is busy once a read is not answered at once
            try:
                httpx.get(f"{url}/sim/clock", timeout=0.25)
            except httpx.TimeoutException:
                break
            assert advance.is_alive(), answer[0].text
        process.send_signal(signal.SIGTERM)
        advance.join(300)
        code, out, err = finish(process)
    assert code == 0 and err == "", err
    assert answer[0].status_code == 503 and answer[0].json()["error_code"] == "shutting_down"
    reached = float(re.search(r"time stopped at t=(\S+),", answer[0].json()["message"]).group(1))
    assert 0 < reached < 499_999
    folder = tmp_path / "rehearsal"
    assert json.loads((folder / "summary.json").read_text())["duration"] == reached
    assert load_scenario(folder / "session.yaml").duration == reached and "stopped at t=" in out
