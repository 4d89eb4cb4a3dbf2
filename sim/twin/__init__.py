"""The REST twin (SPEC §11): a scenario's cluster served over HTTP with the vendor's paths and
object shapes (FastAPI + uvicorn), driven by real clients, kept as a scenario at the stop.

    twin = Twin(Session(load_scenario("scenarios/default.yaml")), out=Path("out/rehearsal"))
    server = TwinServer(twin, port=0).start()      # server.url: http://127.0.0.1:PORT
"""
from __future__ import annotations

from sim.twin.app import create_app
from sim.twin.clock import MANUAL, REALTIME, Clock
from sim.twin.core import Twin
from sim.twin.server import TwinServer

__all__ = ["Twin", "TwinServer", "Clock", "MANUAL", "REALTIME", "create_app"]
