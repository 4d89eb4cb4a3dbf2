"""Reading an event log: every line parsed, upcast and decoded against its type, or refused.

`read_log(path)` refuses, naming the line (LogFormatError, exit 2): a path that is not a
regular file, a line longer than `MAX_LINE` bytes, bytes that are not UTF-8, a cut line,
invalid JSON (NaN and Infinity included), a header or event field of the wrong type (the
types are the dataclasses' annotations: `sim.events.decode`), a `cause` that is not an
earlier `seq`, a `seq` gap, a `t` that goes back or is not a finite number, an unknown event
type, and a newer format version. Logs of older format versions are upcast line by line.
What the events mean against the state is `sim.events.fold`'s to check.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from sim.errors import LogFormatError
from sim.inputfile import open_regular
from sim.events.decode import fields_problem, hints_of, shown
from sim.events.log import FORMAT, FORMAT_VERSION, LogHeader
from sim.events.types import EVENT_TYPES, Event, payload_fields
from sim.events.upcast import UPCASTERS

__all__ = ["read_log", "decode_event", "UPCASTERS", "MAX_LINE"]

#: Longest line read (the first event holds the whole initial state: about 120 bytes a shard).
MAX_LINE = 64 * 2**20


def decode_event(record: dict[str, Any], line: int = 0) -> Event:
    """Build an event from its JSON object, every field checked against its declared type;
    raises LogFormatError naming `line` and the field."""
    kind = record.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise LogFormatError(f"line {line}: unknown event type {shown(kind)}")
    names = payload_fields(cls)
    expected = {"seq", "t", "type", "cause", *names}
    if set(record) != expected:
        missing, extra = sorted(expected - set(record)), sorted(set(record) - expected)
        raise LogFormatError(f"line {line}: {cls.type} event has missing fields {missing} / unknown fields {extra}")
    problem = fields_problem(cls, record, ("seq", "t", "cause", *names))
    if problem is not None:
        raise LogFormatError(f"line {line}: {cls.type}.{problem}")
    seq, t, cause = record["seq"], record["t"], record["cause"]
    if t < 0:
        raise LogFormatError(f"line {line}: {cls.type}.t: {t} is before the start (t = 0)")
    if cause is not None and not 0 <= cause < seq:
        raise LogFormatError(f"line {line}: {cls.type}.cause: {cause} is not the seq of an earlier event")
    hints = _float_fields(cls)
    return cls(seq, float(t), cause, *(float(record[n]) if n in hints else record[n] for n in names))


_FLOATS: dict[type[Event], frozenset[str]] = {}


def _float_fields(cls: type[Event]) -> frozenset[str]:
    """Payload fields declared `float`: an integer read there is stored as a float, as written."""
    found = _FLOATS.get(cls)
    if found is None:
        hints = hints_of(cls)
        found = _FLOATS[cls] = frozenset(n for n in payload_fields(cls) if hints[n] is float)
    return found


def read_log(path: str | Path) -> tuple[LogHeader, Iterator[Event]]:
    """Open a log: its header, and an iterator over its decoded events.

    Raises LogFormatError (naming the line) for any of the problems in the module docstring.
    """
    path = Path(path)
    handle = open_regular(path, "event log", LogFormatError, reading="the log")
    try:
        header, version = _header(handle, path)
    except BaseException:
        handle.close()
        raise
    return header, _events(handle, path, version)


def _header(handle: IO[bytes], path: Path) -> tuple[LogHeader, int]:
    first = _line(handle, 1, path)
    if first is None:
        raise LogFormatError(f"{path}: line 1: the log is empty")
    record = _parse(first, 1, path)
    version = record.get("format_version")
    if record.get("format") != FORMAT or type(version) is not int:
        raise LogFormatError(f"{path}: line 1 is not an upgrade-sim event log header")
    if version > FORMAT_VERSION:
        raise LogFormatError(f"{path}: line 1: format version {version} is newer than this simulator reads "
                             f"({FORMAT_VERSION}); upgrade upgrade-sim")
    if version < 1:
        raise LogFormatError(f"{path}: line 1: format version {version} does not exist")
    record = _upcast({**record, "type": "header"}, version, 1, path)
    record.pop("type")
    record["format_version"] = FORMAT_VERSION
    names = ("simulator", "scenario", "scenario_sha256", "seed", "format", "format_version")
    if set(record) != set(names):
        raise LogFormatError(f"{path}: line 1: the header has unexpected or missing fields")
    problem = fields_problem(LogHeader, record, names)
    if problem is not None:
        raise LogFormatError(f"{path}: line 1: header.{problem}")
    return LogHeader(**record), version


def _events(handle: IO[bytes], path: Path, version: int) -> Iterator[Event]:
    expected_seq, last_t = 0, 0.0
    with handle:
        number = 1
        while True:
            number += 1
            text = _line(handle, number, path)
            if text is None:
                return
            record = _upcast(_parse(text, number, path), version, number, path)
            if record.get("seq") != expected_seq or type(record.get("seq")) is not int:
                raise LogFormatError(f"{path}: line {number}: seq {shown(record.get('seq'))} where {expected_seq} "
                                     "was expected (a gap or a reordering)")
            try:
                event = decode_event(record, number)
            except LogFormatError as err:
                raise LogFormatError(f"{path}: {err}") from None
            if event.t < last_t:
                raise LogFormatError(f"{path}: line {number}: t {event.t!r} goes back in time (previous t {last_t!r})")
            expected_seq, last_t = expected_seq + 1, event.t
            yield event


def _line(handle: IO[bytes], number: int, path: Path) -> str | None:
    """Line `number` as text (None at the end), at most MAX_LINE bytes, UTF-8."""
    try:
        raw = handle.readline(MAX_LINE + 1)
    except OSError as err:
        raise LogFormatError(f"{path}: line {number}: cannot read ({err.strerror})") from None
    if not raw:
        return None
    if len(raw) > MAX_LINE:
        raise LogFormatError(f"{path}: line {number} is longer than {MAX_LINE // 2**20} MiB: not an event log line")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise LogFormatError(f"{path}: line {number} is not UTF-8 text (a corrupted or binary file)") from None


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _parse(text: str, number: int, path: Path) -> dict[str, Any]:
    if not text.endswith("\n"):
        raise LogFormatError(f"{path}: line {number} is cut (no end of line): the log is incomplete")
    try:
        record = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError:
        raise LogFormatError(f"{path}: line {number} is not valid JSON (a cut or corrupted line)") from None
    except (ValueError, RecursionError) as err:  # NaN, Infinity, a number past the digit limit, deep nesting
        detail = str(err) if "JSON number" in str(err) else "a number too long or nesting too deep"
        raise LogFormatError(f"{path}: line {number} is not valid JSON ({detail})") from None
    if not isinstance(record, dict):
        raise LogFormatError(f"{path}: line {number} is not a JSON object")
    if "\\ud" in text.lower():  # JSON may escape a lone UTF-16 surrogate, which is no text
        try:
            json.dumps(record, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise LogFormatError(f"{path}: line {number} holds a lone surrogate (\\ud800-\\udfff): not text") from None
    return record


def _upcast(record: dict[str, Any], version: int, number: int, path: Path) -> dict[str, Any]:
    try:
        while version < FORMAT_VERSION:
            record = UPCASTERS[version](record)
            version += 1
    except (KeyError, TypeError, AttributeError, IndexError) as err:
        what = f"key {err}" if isinstance(err, KeyError) else "data"
        raise LogFormatError(f"{path}: line {number}: cannot read this format version {version} record "
                             f"(missing or malformed {what})") from None
    return record
