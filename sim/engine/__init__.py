"""The engine: decides what happens, emits it as events, and schedules the timed work on
SimPy's event queue. The only part of the package that imports simpy, reads the clock or
draws random numbers.
"""
from __future__ import annotations

from sim.engine.inputs import (
    ClusterRecoverStep, NodeCrashStep, NodeRecoverStep, RandomFaults, RequestStep, SimulationInput, Step,
)
from sim.engine.runtime import Runtime, Sink
from sim.engine.simulate import DEFAULT_MARGIN_S, Engine, rare_collections, resume, simulate

__all__ = ["ClusterRecoverStep", "NodeCrashStep", "NodeRecoverStep", "RandomFaults", "RequestStep",
           "SimulationInput", "Step", "Runtime", "Sink", "DEFAULT_MARGIN_S", "Engine", "rare_collections",
           "resume", "simulate"]
