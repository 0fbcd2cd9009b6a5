"""Policies: one module per policy family (DESIGN §6), each a scenario block plus yearly hooks.

Importing the package registers every policy (``@register`` runs at import): consolidation,
boarding, busing, teachers, admission, capacity, quality, buildings (docs/policies.md).
"""

from sim.policies.base import REGISTRY, Policy, build_policies, register
from sim.policies import (  # noqa: F401,E402  (register the policies)
    admission,
    boarding,
    buildings,
    busing,
    capacity,
    consolidation,
    quality,
    teachers,
)

__all__ = ["Policy", "REGISTRY", "build_policies", "register"]
