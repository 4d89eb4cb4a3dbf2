"""The persistence-file invariants fire when broken (SPEC §5): a point after now; a frozen file moving."""
from __future__ import annotations

import pytest

from sim.errors import InvariantViolation
from sim.events import FileInvariants
from sim.events import types as ev
from tests.factories import database, state_of


def _state():
    """A replicated AOF database: replica shard 2 holds a live file (point base 0)."""
    return state_of([database(replication=True, data_persistence="aof")])


def test_a_point_after_now_is_refused() -> None:
    state, check = _state(), FileInvariants()
    state.shards[2].file, state.shards[2].file_live = 50.0, False
    with pytest.raises(InvariantViolation, match="file has point 50.0, after now"):
        check(state, ev.ShardRestartStarted(3, 40.0, None, shard=2, reason="upgrade", action=None))


def test_a_frozen_file_does_not_move() -> None:
    """Frozen at 10, then found at 12 without becoming live: refused; becoming live is allowed."""
    state, check = _state(), FileInvariants()
    shard = state.shards[2]
    shard.file, shard.file_live = 10.0, False
    touch = ev.ShardRestarted(4, 20.0, None, shard=2, modules=None, redis_version=None)
    check(state, touch)
    shard.file = 12.0
    with pytest.raises(InvariantViolation, match="frozen file moved from point 10.0 to 12.0"):
        check(state, touch)
    shard.file, shard.file_live = 25.0, True  # rewritten by a sync: live again, fine
    check(state, ev.ReplicaSynced(5, 25.0, None, shard=2, source=1))
    shard.file_live = False
    check(state, ev.ShardRestarted(6, 30.0, None, shard=2, modules=None, redis_version=None))  # frozen anew at 25
