"""REST requests as the simulator receives them: method, path, credentials and body."""
from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.jsontext import has_lone_surrogate
from sim.model.config import INT_LIMIT

__all__ = [
    "Credentials", "ApiRequest", "ModuleUpgradeItem", "ModuleUpgradeBody", "DbUpgradeBody", "ENDPOINTS",
    "match_endpoint", "parse_body", "parse_db_upgrade_body", "strict_json", "JsonBodyError", "json_value_problem",
    "plain_json", "checked_body", "MAX_BODY_DEPTH", "MAX_BODY_VALUES",
]

#: Endpoints the simulator answers: (method, path pattern, name).
ENDPOINTS: tuple[tuple[str, re.Pattern[str], str], ...] = (
    ("POST", re.compile(r"^/v1/bdbs/(?P<uid>[^/]+)/modules/upgrade/?$"), "bdb_modules_upgrade"),
    ("POST", re.compile(r"^/v1/bdbs/(?P<uid>[^/]+)/upgrade/?$"), "bdb_upgrade"),
)


@dataclass(frozen=True, slots=True)
class Credentials:
    """Who sends a request. `implicit` is the scenario's default admin (no user named)."""

    name: str | None = None
    password: str | None = None
    implicit: bool = False

    @classmethod
    def implicit_admin(cls) -> Credentials:
        """The credentials of a request that names no user: an implicit admin (SPEC §1)."""
        return cls(implicit=True)


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """A request: `credentials` None means none were sent (answered 401)."""

    method: str
    path: str
    body: Any = None
    credentials: Credentials | None = field(default_factory=Credentials.implicit_admin)


def match_endpoint(method: str, path: str) -> tuple[str, dict[str, str]] | None:
    """The endpoint name and path parameters for a request line, or None if unknown."""
    for known_method, pattern, name in ENDPOINTS:
        match = pattern.fullmatch(path)  # not `match`: its `$` also matches before a final newline
        if match and method.upper() == known_method:
            return name, match.groupdict()
    return None


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class ModuleUpgradeItem(_Body):
    """One `modules` entry: the current module (by uid, or by name and version) and the new one."""

    current_module: str | None = None
    module_name: str | None = None
    current_semantic_version: str | None = None
    new_module: str
    new_module_args: str | None = None


class ModuleUpgradeBody(_Body):
    """Body of `POST /v1/bdbs/{uid}/modules/upgrade` (SPEC §2): `modules`, or the legacy
    single-module form with the item's fields at the top level (normalised into `modules`)."""

    modules: list[ModuleUpgradeItem] = Field(min_length=1)
    preserve_roles: bool = False
    may_discard_data: bool = False
    force_restart: bool = False


#: The fields of the legacy single-module form [RN 5.4.4: "without the `modules` parameter"].
LEGACY_FIELDS = tuple(ModuleUpgradeItem.model_fields)


def parse_body(body: Any) -> tuple[ModuleUpgradeBody | None, str]:
    """Validate a module-upgrade body; returns the model, or None and a message naming the
    offending field.

    A body given as text is parsed as JSON, as the server would (a scenario may paste the
    vendor's JSON example verbatim).
    """
    body, problem = _json_object(body)
    if body is None:
        return None, problem
    legacy = [name for name in LEGACY_FIELDS if name in body]
    if legacy and "modules" in body:
        return None, (f"give the modules either in `modules` or, in the legacy single-module form, at the top "
                      f"level ({', '.join(legacy)}), not both")
    if legacy:
        body = {**{k: v for k, v in body.items() if k not in legacy}, "modules": [{k: body[k] for k in legacy}]}
    return _model(ModuleUpgradeBody, body)


class DbUpgradeBody(_Body):
    """Body of `POST /v1/bdbs/{uid}/upgrade` (SPEC §10): every field optional."""

    redis_version: str | None = None
    preserve_roles: bool = False
    may_discard_data: bool = False
    force_discard: bool = False
    force_restart: bool = False
    parallel_shards_upgrade: int | None = Field(None, ge=0, le=2**63 - 1)  # the log holds 64-bit integers
    modules: list[ModuleUpgradeItem] = []
    latest_with_modules: bool = True
    keep_crdt_protocol_version: bool = False
    keep_redis_version: bool = False


def parse_db_upgrade_body(body: Any) -> tuple[DbUpgradeBody | None, str]:
    """Validate a database-upgrade body (no body is an empty one); returns the model, or None and
    a message naming the offending field. Text is parsed as JSON."""
    body, problem = _json_object({} if body is None else body)
    if body is None:
        return None, problem
    parsed, problem = _model(DbUpgradeBody, body)
    if parsed is None and isinstance(body.get("redis_version"), (int, float)):
        problem += ' (write a version as a string: "7.4")'
    return parsed, problem


class JsonBodyError(ValueError):
    """A body that is not strict JSON; the message says why, in one line."""


def strict_json(text: str) -> Any:
    """The value of a JSON text as the server reads it: no key twice in an object (400, not silently
    overwritten), no NaN or Infinity (nor a number too large to be finite), nothing
    `json_value_problem` refuses (a lone surrogate, nesting past MAX_BODY_DEPTH), no absurd
    number. Raises JsonBodyError."""
    try:
        value = json.loads(text, object_pairs_hook=_unique_keys, parse_constant=_no_constant, parse_float=_finite)
        problem = json_value_problem(value)  # `"\ud800"` or 40 levels of nesting are JSON, but no body to keep
        if problem:
            raise JsonBodyError(f"the body is refused: {problem}")
        return value
    except json.JSONDecodeError as err:
        raise JsonBodyError(f"the body is not valid JSON: {err.msg} at line {err.lineno} column {err.colno}") \
            from None
    except JsonBodyError:
        raise
    except (ValueError, RecursionError):  # an integer past Python's digit limit, absurd nesting
        raise JsonBodyError("the body is not valid JSON: a number is too long or the nesting too deep") from None


def _json_object(body: Any) -> tuple[dict[str, Any] | None, str]:
    """The body as a JSON object (text is decoded first), or None and why not."""
    if isinstance(body, str):
        try:
            body = strict_json(body)
        except JsonBodyError as err:
            return None, str(err)
    if not isinstance(body, dict):
        return None, f"the body must be a JSON object, got {type(body).__name__}"
    return body, ""


_M = TypeVar("_M", bound=BaseModel)


def _model(model: type[_M], body: dict[str, Any]) -> tuple[_M | None, str]:
    """`model` validated from `body`, or None and a message naming the first offending field."""
    try:
        return model.model_validate(body), ""
    except ValidationError as err:
        first: dict[str, Any] = dict(err.errors()[0])
        where = ".".join(str(p) for p in first["loc"]) or "body"
        return None, f"invalid field {where}: {_describe(first)}"


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """An object of a JSON body; a key given twice is refused (400), not silently overwritten."""
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise JsonBodyError(f"the body is not valid JSON: duplicate key {key!r}")
        result[key] = value
    return result


#: Deepest nesting of a request body (the API's bodies are 3 deep): a recorded request must fit in
#: a scenario file, whose nesting is bounded (`sim.scenario.yamlsource.MAX_DEPTH`, 64), at
#: `timeline[i].request.body`.
MAX_BODY_DEPTH = 32


#: Most values (texts, numbers, lists, objects) in a request body: a 1 MB JSON text holds at most
#: about 500,000; data given in code that shares one list among many places could hold 10¹⁰.
MAX_BODY_VALUES = 1_000_000


def plain_json(value: Any) -> Any:
    """A plain copy of a body `json_value_problem` accepts: dicts, lists, str, int, float, bool and
    None only — no subclass (an enum, an OrderedDict, a numpy float), tuple or shared reference, so
    that what is played is what the log and `session.yaml` say and read back as."""
    if value is None or type(value) in (str, int, float, bool):
        return value
    return json.loads(json.dumps(value, ensure_ascii=False))


def json_value_problem(value: Any) -> str | None:
    """Why `value`, a request body as data (parsed from JSON text, built in code, given to a library
    call), cannot be kept — NaN or an infinity, an integer beyond 64 bits, a key that is not a text
    or that differs from another only by spaces around it (a scenario file reads them as one), a
    lone surrogate, a date, bytes or any other object, nesting past MAX_BODY_DEPTH (a cycle among
    them), more than MAX_BODY_VALUES values — or None. The log and `session.yaml` keep every body:
    what they cannot hold would make files no reader accepts."""
    return _Walk().problem(value, 0)


def checked_body(value: Any) -> tuple[str | None, Any]:
    """`json_value_problem(value)`, and the body to keep when there is none: a plain copy (the
    caller's own objects are never kept: changed afterwards, they would skip this check)."""
    problem = _Walk().problem(value, 0)
    return problem, (value if problem else plain_json(value))


class _Walk:
    """One walk of a body, with the values left in its budget."""

    __slots__ = ("budget",)

    def __init__(self) -> None:
        self.budget = MAX_BODY_VALUES

    def problem(self, value: Any, depth: int) -> str | None:
        self.budget -= 1
        if self.budget < 0:
            return f"it holds more than {MAX_BODY_VALUES:,} values"
        if isinstance(value, str):
            return None if value.isascii() or not has_lone_surrogate(value) else \
                "a lone surrogate (\\ud800-\\udfff) is not text"
        if value is None or isinstance(value, bool):
            return None
        if isinstance(value, int):  # as a scenario file holds them (session.yaml keeps every body)
            return None if -INT_LIMIT <= value < INT_LIMIT else f"the number {_short(value)} is beyond 64 bits"
        if isinstance(value, float):
            return None if math.isfinite(value) else f"{value!r} is not a JSON number"
        if depth >= MAX_BODY_DEPTH:
            return f"it is nested more than {MAX_BODY_DEPTH} deep"
        if isinstance(value, dict):
            return self._object(value, depth)
        if isinstance(value, (list, tuple)):
            for item in value:
                problem = self.problem(item, depth + 1)
                if problem:
                    return problem
            return None
        return f"{type(value).__name__} {_short(value)} is not a JSON value"

    def _object(self, value: dict[Any, Any], depth: int) -> str | None:
        texts: dict[str, str] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                return f"the key {key!r} is not a text"
            text = key.strip()
            if text in texts:
                return f"the keys {texts[text]!r} and {key!r} differ only by spaces around them"
            texts[text] = key
            problem = self.problem(key, depth + 1) or self.problem(item, depth + 1)
            if problem:
                return problem
        return None


def _short(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer past Python's digit limit for str()
        return f"of {value.bit_length():,} bits"
    return text if len(text) <= 40 else text[:40] + "…"


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999: valid JSON, but no number the log (or a scenario) can hold
        raise JsonBodyError(f"the body is not valid JSON: {text[:40]} is too large a number")
    return value


def _no_constant(name: str) -> Any:
    raise JsonBodyError(f"the body is not valid JSON: {name} is not a JSON value")


def _describe(error: dict[str, Any]) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "too_short":
        return "must not be empty"
    return f"{error['msg'].lower()} (got {error.get('input')!r})"
