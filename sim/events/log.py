"""The append-only JSON Lines event log: a header line, then one event per line (SPEC §8).

The writer streams to disk (the log is never held in memory) and refuses an event out of
order. Reading is `sim.events.reader`'s.
"""
from __future__ import annotations

import json
import sys
import typing
from collections.abc import Callable
from json.encoder import encode_basestring_ascii
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sim.errors import InvariantViolation
from sim.events.types import Event, payload_fields

__all__ = ["FORMAT", "FORMAT_VERSION", "LogHeader", "LogWriter", "encode_event"]

FORMAT = "upgrade-sim/events"
#: 3: persistence files, vendor state names, pinned slots in the state; a snapshot column whose
#: every value is its default is left out (2: the initial snapshot's shard and pair tables
#: by column; 1: as lists of objects). Older versions are upcast (sim.events.upcast).
FORMAT_VERSION = 3


_encode = json.JSONEncoder(separators=(",", ":"), sort_keys=False).encode


@dataclass(frozen=True, slots=True)
class LogHeader:
    """First line of a log: what wrote it and from what. No paths, no wall-clock time."""

    simulator: str
    scenario: str
    scenario_sha256: str
    seed: int
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    def to_record(self) -> dict[str, Any]:
        """The header as the JSON object written on line 1."""
        return {"format": self.format, "format_version": self.format_version, "simulator": self.simulator,
                "scenario": self.scenario, "scenario_sha256": self.scenario_sha256, "seed": self.seed}


def encode_event(event: Event) -> str:
    """One event as a JSON line (without the newline): seq, t, type, cause, then its payload.

    Byte-identical to `json.dumps(record, separators=(",", ":"))` of that record, but built
    by an encoder compiled once per event type: the log writer is on the hot path.
    """
    encoder = _ENCODERS.get(type(event))
    if encoder is None:
        encoder = _ENCODERS[type(event)] = _compile(type(event))
    return encoder(event)


def _compile(cls: type[Event]) -> Callable[[Event], str]:
    """An encoder for one event type, generated as one f-string: scalars are formatted in
    place, containers go through json (dicts of strings through a small memo)."""
    hints = typing.get_type_hints(cls, vars(sys.modules[cls.__module__]))
    parts = ['{{"seq":{e.seq},"t":{e.t!r},"type":' + encode_basestring_ascii(cls.type).replace("{", "{{") +
             ',"cause":{"null" if e.cause is None else e.cause}']
    for name in payload_fields(cls):
        hint = hints[name]
        if hint is int:
            value = f"{{e.{name}}}"
        elif hint is float:
            value = f"{{float(e.{name})!r}}"
        elif hint is bool:
            value = f'{{"true" if e.{name} else "false"}}'
        elif hint is str:
            value = f"{{_str(e.{name})}}"
        elif hint == (str | None):
            value = f'{{"null" if e.{name} is None else _str(e.{name})}}'
        elif hint == (int | None):
            value = f'{{"null" if e.{name} is None else e.{name}}}'
        elif hint == (dict[str, str] | None):
            value = f"{{_map(e.{name})}}"
        else:
            value = f"{{_json(e.{name})}}"
        parts.append(f',"{name}":{value}')
    source = "def encode(e):\n    return f'" + "".join(parts) + "}}'\n"
    namespace = {"_str": encode_basestring_ascii, "_json": _encode, "_map": _encode_map}
    exec(compile(source, f"<encoder of {cls.type}>", "exec"), namespace)  # noqa: S102 - generated above
    encode: Callable[[Event], str] = namespace["encode"]  # type: ignore[assignment]
    return encode


_MAPS: dict[tuple[tuple[str, str], ...], str] = {}


def _encode_map(value: dict[str, str] | None) -> str:
    """JSON of a module map (`{name: uid}`); the same few maps recur on every shard."""
    if value is None:
        return "null"
    key = tuple(value.items())
    text = _MAPS.get(key)
    if text is None:
        if len(_MAPS) > 4096:
            _MAPS.clear()
        text = _MAPS[key] = _encode(value)
    return text


_ENCODERS: dict[type[Event], Callable[[Event], str]] = {}


class LogWriter:
    """Streams a header and events to a file, one JSON line each. Events (immutable) are
    encoded and handed to the file `BATCH` at a time, in one tight loop and one write call
    per batch rather than per event: memory stays bounded."""

    BATCH = 1024

    def __init__(self, path: str | Path, header: LogHeader) -> None:
        self.path = Path(path)
        self._file: IO[str] = open(self.path, "w", encoding="utf-8", newline="\n")
        self._file.write(_encode(header.to_record()) + "\n")
        self._pending: list[Event] = []
        self._seq, self._t = 0, 0.0

    def __call__(self, event: Event, state: object = None) -> None:
        """Append one event (the runtime calls every sink with the event and the state).

        Raises InvariantViolation for an event out of order (a `seq` that is not the next one, a
        `t` before the previous one or not a number): the log never holds what its reader refuses.
        """
        if event.seq != self._seq or not event.t >= self._t:  # `not >=` also refuses NaN
            raise InvariantViolation(f"the log writer got event {event.seq} ({event.type}) at t={event.t!r} after "
                                     f"event {self._seq - 1} at t={self._t!r}: out of order")
        self._seq, self._t = self._seq + 1, event.t
        pending = self._pending
        pending.append(event)
        if len(pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Encode the pending events and hand their lines to the file."""
        if self._pending:
            self._file.write("".join([encode_event(event) + "\n" for event in self._pending]))
            self._pending.clear()

    def close(self) -> None:
        """Write what is pending, flush and close the file."""
        self.flush()
        self._file.close()

    def __enter__(self) -> LogWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
