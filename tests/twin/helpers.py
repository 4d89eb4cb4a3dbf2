"""A real twin on a free loopback port for the tests, and the scenario its tests serve."""
from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from sim.scenario import scenario_from_data
from sim.session import Session
from sim.twin import Clock, Twin, TwinServer
from tests.kit import NEW, scenario_data

DATA = Path(__file__).parent / "data" / "real-cluster-8.0"
UPGRADE_PATH = "/v1/bdbs/1/modules/upgrade"
UPGRADE_BODY = {"modules": [{"module_name": "ReJSON", "current_semantic_version": "2.2.1", "new_module": NEW}],
                "preserve_roles": True}

#: (name, role, email, password) of the users the served scenario declares.
USERS = [("admin", "admin", "admin@example.com", "adm1n"), ("ops", "db_member", "ops@example.com", "s3cret"),
         ("cm", "cluster_member", None, "cm"), ("viewer", "cluster_viewer", None, None),
         ("dbviewer", "db_viewer", "dbv@example.com", "dbv"), ("um", "user_manager", None, "um"),
         ("nobody", "none", None, "x")]
ADMIN = ("admin@example.com", "adm1n")


def real(name: str) -> Any:
    """A real Redis Software 8.0 body (tests/twin/data/real-cluster-8.0/NAME.json)."""
    return json.loads((DATA / f"{name}.json").read_text())


def twin_data(users: bool = True, **top: Any) -> dict[str, Any]:
    """The served scenario: tests.kit's 3-node cluster with replicated database 1 (ReJSON 2.2.1,
    1 GB, 1,000 writes/s), the users above, and no timeline of its own."""
    data = scenario_data({"replication": True, "data_persistence": "aof"}, [], **top)
    data.pop("duration")
    if users:
        data["cluster"]["users"] = [{"name": n, "role": r, **({"email": e} if e else {}),
                                     **({"password": p} if p else {})} for n, r, e, p in USERS]
    return data


@dataclass
class Served:
    """A running twin: its server, base URL and an httpx client logged in as `admin`."""

    server: TwinServer
    client: httpx.Client

    @property
    def twin(self) -> Twin:
        return self.server.twin

    @property
    def url(self) -> str:
        return self.server.url

    def advance(self, **body: Any) -> float:
        """POST /sim/advance; returns the new time."""
        answer = self.client.post("/sim/advance", json=body)
        assert answer.status_code == 200, answer.text
        return float(answer.json()["t"])

    def upgrade(self, **extra: Any) -> httpx.Response:
        """POST the ReJSON 2.2.1 → 2.2.2 upgrade of database 1 as admin."""
        return self.client.post(UPGRADE_PATH, json={**UPGRADE_BODY, **extra})


@contextmanager
def serve(data: dict[str, Any] | None = None, out: Path | None = None, clock: Clock | None = None,
          seed: int | None = None, plots: bool = False) -> Iterator[Served]:
    """Serve scenario data on 127.0.0.1 and a free port, in a thread, for the block."""
    scenario = scenario_from_data(copy.deepcopy(data if data is not None else twin_data()))
    server = TwinServer(Twin(Session(scenario, seed), clock, out, plots=plots), "127.0.0.1", 0).start()
    client = httpx.Client(base_url=server.url, auth=ADMIN, timeout=30)
    try:
        yield Served(server, client)
    finally:
        client.close()
        server.shutdown()
        server.join()
