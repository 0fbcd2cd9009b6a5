"""Policies: one module per policy family (DESIGN §6), each a scenario block plus yearly hooks.

Importing the package registers every policy (``@register`` runs at import): consolidation
(a package: ``sim.policies.consolidation``), boarding, busing, teachers, admission, capacity,
quality, buildings (docs/policies.md). ``sim.policies.base`` is the interface and
``sim.policies.common`` holds the helpers several policies share; no policy imports another.
"""

from sim.policies import (  # noqa: F401  (importing a policy registers it)
    admission,
    boarding,
    buildings,
    busing,
    capacity,
    consolidation,
    quality,
    teachers,
)
from sim.policies.base import REGISTRY, Policy, build_policies, register

__all__ = ["Policy", "REGISTRY", "build_policies", "register"]
