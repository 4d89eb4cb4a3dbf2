"""The engine: SimPy processes that decide what happens and emit it as events.

The only part of the package that imports simpy, reads the clock or draws random numbers.
"""
from __future__ import annotations

from sim.engine.inputs import NodeCrashStep, NodeRecoverStep, RandomFaults, RequestStep, SimulationInput, Step
from sim.engine.runtime import Runtime, Sink
from sim.engine.shards import unpersisted_since
from sim.engine.simulate import DEFAULT_MARGIN_S, Interruptions, rare_collections, simulate

__all__ = ["NodeCrashStep", "NodeRecoverStep", "RandomFaults", "RequestStep", "SimulationInput", "Step",
           "Runtime", "Sink", "unpersisted_since", "DEFAULT_MARGIN_S", "rare_collections",
           "simulate", "Interruptions"]
