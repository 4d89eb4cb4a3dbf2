"""Basic authentication against the scenario's users and the role table for reads (SPEC §1, §11).

A login is a user's `email` (as the vendor uses it) or its `name`; it is resolved to the user's
name, so a recorded session names users as a scenario does. With no users declared, every
caller is the implicit admin. Requests that change the cluster are authorised by the API layer
(`sim.api.validate`, with the rest of their checks, in the SPEC's order); reads by this table.
"""
from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from sim.api.requests import Credentials
from sim.api.rules import check_user
from sim.model.state import ClusterState
from sim.model.users import ROLES

__all__ = ["Refusal", "READERS", "USER_READERS", "parse_basic", "credentials_of", "check_read"]

#: Roles that may read the cluster (the vendor's `view_*_info` permissions): every role but `none`.
READERS = frozenset(ROLES) - {"none"}
#: Roles that may list users [DOC role descriptions: only `user_manager` and `admin` view users].
USER_READERS = frozenset({"admin", "user_manager"})


@dataclass(frozen=True, slots=True)
class Refusal:
    """Why a read is refused: HTTP status, `error_code`, message."""

    status: int
    error_code: str
    message: str


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """`(login, password)` of an `Authorization: Basic …` header, or None if absent or malformed."""
    if not header:
        return None
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    login, colon, password = decoded.partition(":")
    return (login, password) if colon else None


def credentials_of(state: ClusterState, header: str | None) -> Credentials | None:
    """The credentials a request carries: None when it sent none (or a malformed header); the
    implicit admin when the scenario declares no users. An email is resolved to its user's
    name (emails compare case-insensitively [OURS]); a user declared without a password is
    named without one (any password is accepted for it, as in a scenario)."""
    if not state.users:
        return Credentials.implicit_admin()
    parsed = parse_basic(header)
    if parsed is None:
        return None
    login, password = parsed
    user = next((u for u in state.users.values() if u.email and u.email.lower() == login.lower()), None)
    user = user or state.users.get(login)
    if user is None:
        return Credentials(login, password)
    return Credentials(user.name, password if user.password is not None else None)


def check_read(state: ClusterState, credentials: Credentials | None, roles: frozenset[str] = READERS) -> Refusal | None:
    """None when these credentials may read; else 401 (none, unknown user, wrong password) or
    403 (the user's role is not in `roles`) — the API layer's own user check (`check_user`)."""
    rejected = check_user(state, credentials, roles.__contains__,
                          f"may not read this ({', '.join(sorted(roles))} may)")
    if rejected is None:
        return None
    if rejected.status == 401 and credentials is None:
        return Refusal(401, rejected.error_code.value, "no credentials were sent (use HTTP Basic authentication)")
    return Refusal(rejected.status, rejected.error_code.value, rejected.message)
