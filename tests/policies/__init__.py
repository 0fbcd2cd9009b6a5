"""Tests of sim.policies, one module per policy module (a package: test names repeat elsewhere)."""
