"""Tests of sim.policies.consolidation, one module per module of the package."""
