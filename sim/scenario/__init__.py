"""Scenarios: the pydantic schema, TOML loading with ``extends`` and ``--set``, bundled names."""

from sim.scenario.loading import bundled_names, describe_bundled, load_scenario, validate
from sim.scenario.schema import Scenario

__all__ = ["Scenario", "load_scenario", "validate", "bundled_names", "describe_bundled"]
