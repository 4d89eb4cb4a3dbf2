"""The compiled event encoders write exactly what `json.dumps` would."""
from __future__ import annotations

import json
from pathlib import Path

from sim.events import decode_event, encode_event, read_log
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
