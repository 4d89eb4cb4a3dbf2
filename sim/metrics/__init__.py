"""Projections: folds over the event stream into the outcome figures of SPEC §7."""
from __future__ import annotations

from sim.metrics.projection import OutcomeProjection, Response
from sim.metrics.replay import replay_events
from sim.metrics.summary import ROUND, action_records, check_accounting, database_outcomes
from sim.metrics.tally import BdbTally

__all__ = ["OutcomeProjection", "Response", "replay_events", "ROUND", "check_accounting", "database_outcomes",
           "action_records",
           "BdbTally"]
