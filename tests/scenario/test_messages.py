"""Messages without warts (issue 20): a value shown once, "did you mean" for a misspelt key, a
duplicate uid named as a duplicate, no leaked regex in the unknown-endpoint message, and no doubled
`upgrade-sim:` prefix on argument errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import ScenarioError
from sim.scenario import parse_scenario

SCENARIO = """\
name: t
seed: 1
duration: 100
cluster:
  policy: {parallel_shards_upgrade: 1}
  nodes: [{uid: 1, rack_id: a}, {uid: 2, rack_id: b}, {uid: 3, rack_id: c}]
databases:
  - {uid: 1, replication: true, shards_count: 2}
timeline:
  - {at: 10, node_crash: 1}
expect:
  databases:
    1: {keys_lost_max: 0}
"""


def _error(old: str, new: str) -> str:
    assert old in SCENARIO
    with pytest.raises(ScenarioError) as error:
        parse_scenario(SCENARIO.replace(old, new), "t.yaml")
    return str(error.value)


@pytest.mark.parametrize("old, new, message", [
    # the validator's message already shows the value: no "(got ...)" after it
    ("shards_count: 2}", 'shards_count: 2, redis_version: 7.2}',
     "t.yaml:8: databases[0].redis_version: write versions as quoted strings, e.g. '7.2' (YAML reads 7.10 as the "
     "number 7.1); got 7.2"),
    ("shards_count: 2}", 'shards_count: 2, dataset: {bytes: "8 gigabytes"}}',
     "t.yaml:8: databases[0].dataset.bytes: '8 gigabytes' has an unknown unit 'gigabytes' (use B, KB, MB, GB, TB, "
     "KiB, MiB, GiB, TiB)"),
    ("shards_count: 2}", 'shards: [{uid: 1, node: 1, role: master, slots: "0-5461x"}]}',
     "t.yaml:8: databases[0].shards[0].slots: slots must be the vendor's assigned_slots text such as '0-8191' or "
     "'0-99,200-299', got '0-5461x'"),
    # pydantic's message does not show it: "(got ...)" once
    ("shards_count: 2", "shards_count: 7.2",
     "t.yaml:8: databases[0].shards_count: Input should be a valid integer, got a number with a fractional part "
     "(got 7.2)"),
    ("duration: 100", 'duration: "8 gigabytes"',
     "t.yaml:3: duration: Input should be a valid number, unable to parse string as a number (got '8 gigabytes')"),
    ("shards_count: 2", "shards_count: 0", "t.yaml:8: databases[0].shards_count: Input should be greater than 0 (got 0)"),
])
def test_a_value_is_shown_once(old: str, new: str, message: str) -> None:
    """Each message shows the offending value exactly once."""
    text = _error(old, new)
    assert text == message
    assert text.count("(got ") <= 1


@pytest.mark.parametrize("old, new, message", [
    ("shards_count: 2", "shard_count: 2", "databases[0].shard_count: unknown key 'shard_count'; did you mean "
                                          "'shards_count'?"),
    ("duration: 100", "durration: 100", "durration: unknown key 'durration'; did you mean 'duration'?"),
    ("duration: 100", "extend: base.yaml", "extend: unknown key 'extend'; did you mean 'extends'?"),
    ("{uid: 1, rack_id: a}", "{uid: 1, rackid: a}", "cluster.nodes[0].rackid: unknown key 'rackid'; did you mean "
                                                    "'rack_id'?"),
    ("{parallel_shards_upgrade: 1}", "{paralel_shards_upgrade: 1}",
     "cluster.policy.paralel_shards_upgrade: unknown key 'paralel_shards_upgrade'; did you mean "
     "'parallel_shards_upgrade'?"),
    ("{at: 10, node_crash: 1}", "{at: 10, node_crash: 1, att: 11}", "timeline[0].att: unknown key 'att'; did you mean "
                                                                    "'at'?"),
    ("{keys_lost_max: 0}", "{keys_lost: 0}", "expect.databases[1].keys_lost: unknown key 'keys_lost'; did you "
                                             "mean 'keys_lost_max'?"),
    ("{at: 10, node_crash: 1}", "{at: 10, request: {path: /v1/bdbs/1/upgrade, bodyy: {}}}",
     "timeline[0].request.bodyy: unknown key 'bodyy'; did you mean 'body'?"),
    # nothing close: no suggestion
    ("duration: 100", "colour: blue", "colour: unknown key 'colour'"),
])
def test_a_misspelt_key_gets_the_closest_allowed_one(old: str, new: str, message: str) -> None:
    """The suggestion comes from the keys allowed at that very place (difflib, ratio at least 0.7)."""
    text = _error(old, new)
    assert text.split(": ", 1)[1] == message, text
    assert text.endswith(message)


def test_a_duplicate_database_is_named_before_an_expectation_refers_to_it() -> None:
    """Databases 1, 2, 2 and an expectation on 3 (the user meant the third to be 3): the duplicate
    is the error, not "database 3 is not declared"."""
    edited = SCENARIO.replace("  - {uid: 1, replication: true, shards_count: 2}\n",
                              "  - {uid: 1}\n  - {uid: 2}\n  - {uid: 2}\n").replace("    1: {keys_lost_max", "    3: {keys_lost_max")
    with pytest.raises(ScenarioError) as error:
        parse_scenario(edited, "t.yaml")
    assert str(error.value) == "t.yaml:10: databases[2]: duplicate database uid 2"
    text = _error("  nodes: [{uid: 1, rack_id: a}, {uid: 2, rack_id: b}, {uid: 3, rack_id: c}]",
                  "  nodes: [{uid: 1, rack_id: a}, {uid: 2, rack_id: b}, {uid: 2, rack_id: c}]")
    assert text == "t.yaml:6: cluster.nodes[2]: duplicate node uid 2"


def test_the_unknown_endpoint_message_lists_endpoints_as_documented() -> None:
    """No regex leaks out (`^`, `(?P<`, `$`): the endpoints are listed in their `{uid}` form."""
    text = _error("{at: 10, node_crash: 1}", "{at: 10, request: {path: /v1/bdbs/1/modules/upgrad}}")
    assert text == ("t.yaml:10: timeline[0].request.path: POST /v1/bdbs/1/modules/upgrad is not a known endpoint "
                    "(POST /v1/bdbs/{uid}/modules/upgrade, POST /v1/bdbs/{uid}/upgrade)")
    assert not any(mark in text for mark in ("^", "(?P<", "$", "[^/]"))


@pytest.mark.parametrize("args, message", [
    (["run"], "upgrade-sim: error: run: the following arguments are required: scenario (see upgrade-sim run --help)"),
    (["sweep", "x.yaml", "--seeds", "x"],
     "upgrade-sim: error: sweep: argument --seeds: 'x' is not a whole number from 1 (see upgrade-sim sweep --help)"),
    (["frobnicate"], "upgrade-sim: error: argument COMMAND: invalid choice: 'frobnicate'"),
    (["check", "scenarios", "--pass-share", "2"], "upgrade-sim: error: check: argument --pass-share: '2': a share is"),
])
def test_argument_errors_name_the_program_once(args: list[str], message: str, capsys) -> None:
    """`upgrade-sim: error: ` once, then the sub-command's name (never `upgrade-sim: error: upgrade-sim ...`)."""
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("upgrade-sim: error:") == 1, err
    assert "error: upgrade-sim" not in err


def test_a_misspelt_sweep_key_gets_a_suggestion(tmp_path: Path, capsys) -> None:
    """`--vary`/`--set` keys are matched against the shortcuts and the top-level keys."""
    scenario = tmp_path / "t.yaml"
    scenario.write_text(SCENARIO)
    assert main(["run", str(scenario), "--set", "preserve_role=true"]) == 2
    assert "--set preserve_role: unknown key; did you mean 'preserve_roles'?" in capsys.readouterr().err
