"""The append-only JSON Lines event log: a header line, then one event per line (SPEC §8).

The writer streams to disk (the log is never held in memory). The reader refuses a cut
line, a `seq` gap, a decreasing `t`, an unknown event type or a newer format version,
naming the line; logs of older format versions are upcast line by line.
"""
from __future__ import annotations

import json
import sys
import typing
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring_ascii  # type: ignore[attr-defined]
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sim.errors import InvariantViolation, LogFormatError
from sim.events.types import EVENT_TYPES, Event, SimulationStarted, payload_fields
from sim.model.snapshot import PAIR_COLUMNS, SHARD_COLUMNS, from_snapshot, rows_to_columns

__all__ = ["FORMAT", "FORMAT_VERSION", "LogHeader", "LogWriter", "read_log", "encode_event", "decode_event",
           "UPCASTERS"]

FORMAT = "upgrade-sim/events"
#: 2: the initial snapshot's shard and pair tables are written by column (1: as lists of objects).
FORMAT_VERSION = 2


def _columnar_snapshot(record: dict[str, Any]) -> dict[str, Any]:
    """Version 1 → 2: the initial snapshot's shard and pair tables from rows to columns."""
    if record.get("type") != "SimulationStarted":
        return record
    initial = record["initial"]
    initial = {**initial, "shards": rows_to_columns(initial["shards"], SHARD_COLUMNS),
               "bdbs": [{**b, "pairs": rows_to_columns(b["pairs"], PAIR_COLUMNS)} for b in initial["bdbs"]]}
    return {**record, "initial": initial}


#: Upcasters from an older format version to the next one: `version -> f(record) -> record`
#: (the header is upcast with `type` "header").
UPCASTERS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _columnar_snapshot}

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
        elif hint == (dict[str, str] | None):
            value = f"{{_map(e.{name})}}"
        else:
            value = f"{{_json(e.{name})}}"
        parts.append(f',"{name}":{value}')
    source = "def encode(e):\n    return f'" + "".join(parts) + "}}'\n"
    namespace = {"_str": encode_basestring_ascii, "_json": _encode, "_map": _encode_map}
    exec(compile(source, f"<encoder of {cls.type}>", "exec"), namespace)  # noqa: S102 - generated above
    return namespace["encode"]  # type: ignore[no-any-return]


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


def decode_event(record: dict[str, Any], line: int = 0) -> Event:
    """Build an event from its JSON object; raises LogFormatError naming `line`."""
    cls = EVENT_TYPES.get(record.get("type"))  # type: ignore[arg-type]
    if cls is None:
        raise LogFormatError(f"line {line}: unknown event type {record.get('type')!r}")
    names = payload_fields(cls)
    expected = {"seq", "t", "type", "cause", *names}
    if set(record) != expected:
        missing, extra = sorted(expected - set(record)), sorted(set(record) - expected)
        raise LogFormatError(f"line {line}: {cls.type} event has missing fields {missing} / unknown fields {extra}")
    return cls(record["seq"], float(record["t"]), record["cause"], *(record[n] for n in names))


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


def read_log(path: str | Path) -> tuple[LogHeader, Iterator[Event]]:
    """Open a log: its header, and an iterator over its checked events.

    Raises LogFormatError (naming the line) for any of the problems in the module docstring.
    """
    path = Path(path)
    try:
        handle = open(path, encoding="utf-8")
    except OSError as err:
        raise LogFormatError(f"{path}: cannot read the log ({err.strerror})") from None
    first = handle.readline()
    if not first:
        handle.close()
        raise LogFormatError(f"{path}: line 1: the log is empty")
    header_record = _parse(first, 1, path)
    version = header_record.get("format_version")
    if header_record.get("format") != FORMAT or not isinstance(version, int):
        handle.close()
        raise LogFormatError(f"{path}: line 1 is not an upgrade-sim event log header")
    if version > FORMAT_VERSION:
        handle.close()
        raise LogFormatError(f"{path}: line 1: format version {version} is newer than this simulator reads "
                             f"({FORMAT_VERSION}); upgrade upgrade-sim")
    header_record = _upcast({**header_record, "type": "header"}, version)
    header_record.pop("type")
    header_record["format_version"] = FORMAT_VERSION
    try:
        header = LogHeader(**header_record)
    except TypeError:
        handle.close()
        raise LogFormatError(f"{path}: line 1: the header has unexpected fields") from None
    return header, _events(handle, path, version)


def _events(handle: IO[str], path: Path, version: int) -> Iterator[Event]:
    expected_seq, last_t = 0, 0.0
    with handle:
        for number, text in enumerate(handle, start=2):
            try:
                record = _upcast(_parse(text, number, path), version)
            except (KeyError, TypeError, AttributeError) as err:
                what = f"key {err}" if isinstance(err, KeyError) else "data"
                raise LogFormatError(f"{path}: line {number}: cannot read this format version {version} record "
                                     f"(missing or malformed {what})") from None
            if record.get("seq") != expected_seq:
                raise LogFormatError(f"{path}: line {number}: seq {record.get('seq')} where {expected_seq} was "
                                     "expected (a gap or a reordering)")
            t = record.get("t")
            if not isinstance(t, (int, float)) or t < last_t:
                raise LogFormatError(f"{path}: line {number}: t {t} goes back in time (previous t {last_t})")
            try:
                event = decode_event(record, number)
            except LogFormatError as err:
                raise LogFormatError(f"{path}: {err}") from None
            except TypeError as err:
                raise LogFormatError(f"{path}: line {number}: malformed event ({err})") from None
            if isinstance(event, SimulationStarted):
                _check_snapshot(event, path, number)
            expected_seq, last_t = expected_seq + 1, float(t)
            yield event


def _check_snapshot(event: SimulationStarted, path: Path, number: int) -> None:
    """Refuse an initial state that cannot be built (a missing key, a short column, a shard on
    an unknown node, …) here, naming its line, rather than as a traceback where it is applied."""
    try:
        from_snapshot(event.initial)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
        detail = f"missing key {err}" if isinstance(err, KeyError) else " ".join(str(err).split())[:200]
        raise LogFormatError(f"{path}: line {number}: the initial state cannot be built ({detail})") from None


def _parse(text: str, number: int, path: Path) -> dict[str, Any]:
    if not text.endswith("\n"):
        raise LogFormatError(f"{path}: line {number} is cut (no end of line): the log is incomplete")
    try:
        record = json.loads(text)
    except json.JSONDecodeError:
        raise LogFormatError(f"{path}: line {number} is not valid JSON (a cut or corrupted line)") from None
    if not isinstance(record, dict):
        raise LogFormatError(f"{path}: line {number} is not a JSON object")
    return record


def _upcast(record: dict[str, Any], version: int) -> dict[str, Any]:
    while version < FORMAT_VERSION:
        record = UPCASTERS[version](record)
        version += 1
    return record
