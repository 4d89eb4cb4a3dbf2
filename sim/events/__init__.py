"""Events: the typed facts of a run, `apply`, the JSON Lines log, replay and invariants."""
from __future__ import annotations

from sim.events.apply import apply
from sim.events.fold import fold_log
from sim.events.invariants import FileInvariants, check_invariants, check_order, check_pair
from sim.events.log import FORMAT, FORMAT_VERSION, LogHeader, LogWriter, encode_event
from sim.events.reader import UPCASTERS, decode_event, read_log
from sim.events.touch import touched_shards
from sim.events.types import EVENT_TYPES, Event, payload_fields
from sim.events.types import (
    ActionCompleted, ActionFailed, ActionStarted, ActionStateChanged, FailoverAborted, FailoverCompleted,
    FailoverStarted, KeysLost, NodeCrashed, NodeFailureDetected, NodeRecovered, QuorumLost, QuorumRegained,
    ReplicaMigrated, ReplicaSyncAborted, ReplicaSynced, ReplicaSyncStarted, RequestAccepted, RequestRejected,
    ShardLoaded, ShardLoadFailed, ShardLoadStarted, ShardRestarted, ShardRestartStarted, SimulationEnded,
    SimulationStarted, WritesLost,
)

__all__ = [
    "apply", "FileInvariants", "check_invariants", "check_order", "check_pair", "FORMAT", "FORMAT_VERSION",
    "UPCASTERS", "LogHeader", "LogWriter", "decode_event", "encode_event", "read_log", "fold_log", "touched_shards",
    "EVENT_TYPES", "Event", "payload_fields",
    "ActionCompleted", "ActionFailed", "ActionStarted", "ActionStateChanged", "FailoverAborted",
    "FailoverCompleted", "FailoverStarted", "KeysLost", "NodeCrashed", "NodeFailureDetected", "NodeRecovered",
    "QuorumLost", "QuorumRegained", "ReplicaMigrated", "ReplicaSyncAborted", "ReplicaSynced",
    "ReplicaSyncStarted", "RequestAccepted", "RequestRejected", "ShardLoaded", "ShardLoadFailed",
    "ShardLoadStarted", "ShardRestarted", "ShardRestartStarted", "SimulationEnded", "SimulationStarted",
    "WritesLost",
]
