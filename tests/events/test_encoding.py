"""The compiled event encoders write exactly what `json.dumps` would."""
from __future__ import annotations

import json
import sys
import typing
from pathlib import Path

import pytest

from sim.events import decode_event, encode_event, read_log
from sim.events.types import EVENT_TYPES, payload_fields
from tests.kit import run, scenario_data, upgrade


def test_compiled_encoding_equals_json_dumps(tmp_path: Path) -> None:
    """For every event of a varied run (requests, failovers, crash, losses), the line equals
    `json.dumps` of the same record, and decoding it gives the event back."""
    data = scenario_data({"replication": True, "shards_count": 2, "name": 'ünïcode "quoted"'},
                         [upgrade(preserve_roles=True), {"at": 100, "node_crash": 1}, {"at": 100, "node_crash": 2},
                          {"at": 150, "node_recover": 1},
                          {"at": 95, "request": {"path": "/v1/bdbs/1/modules/upgrade", "user": "nobody",
                                                 "body": {"modules": [], "note": 'é\n'}}}])
    log = run(data, out=tmp_path / "r").out / "events.jsonl"
    kinds = set()
    for event in read_log(log)[1]:
        record = {"seq": event.seq, "t": event.t, "type": event.type, "cause": event.cause}
        record.update({k: getattr(event, k) for k in type(event).__dataclass_fields__ if k not in record})
        assert encode_event(event) == json.dumps(record, separators=(",", ":"))
        assert decode_event(json.loads(encode_event(event))) == event
        kinds.add(event.type)
    assert {"KeysLost", "FailoverCompleted", "RequestRejected", "NodeCrashed"} <= kinds


def _values(hint: object) -> list[object]:
    """Values of a field's type that the encoder must write as `json.dumps` does: None and the
    awkward ones (non-ASCII and escaped text, huge integers)."""
    if hint is int:
        return [0, -3, 10**30]
    if hint is float:
        return [0.0, 1.5, 1e-7, 123456789.125]
    if hint is bool:
        return [True, False]
    if hint is str:
        return ["", 'é "quoted"\n\t\\', "\u2028"]
    options = typing.get_args(hint)
    if type(None) in options:
        inner = [o for o in options if o is not type(None)]
        return [None, *(_values(inner[0]) if len(inner) == 1 else [])] or [None]
    origin = typing.get_origin(hint) or hint
    return [origin()] if origin in (dict, list, tuple) else [None]


@pytest.mark.parametrize("cls", sorted(EVENT_TYPES.values(), key=lambda c: c.type), ids=lambda c: c.type)
def test_every_field_of_every_event_type_encodes_as_json_dumps(cls: type) -> None:
    """For each event type, every value of each payload field (None too, where allowed) gives the
    line `json.dumps` writes; the encoder is compiled per field type, so each type is checked."""
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    names = payload_fields(cls)
    base = {name: _values(hints[name])[0] for name in names}
    for name in names:
        for value in _values(hints[name]):
            payload = {**base, name: value}
            event = cls(5, 12.5, None, **payload)
            record = {"seq": 5, "t": 12.5, "type": cls.type, "cause": None, **payload}
            assert encode_event(event) == json.dumps(record, separators=(",", ":")), (name, value)
