"""Policies: one module per policy family (DESIGN §6), each a scenario block plus yearly hooks."""

from sim.policies.base import REGISTRY, Policy, build_policies, register

__all__ = ["Policy", "REGISTRY", "build_policies", "register"]
