"""The policy blocks under their former module name; they live in :mod:`sim.scenario.policies`.

Kept so that ``from sim.scenario.policy_schema import ...`` goes on working; new code imports
from ``sim.scenario.policies``.
"""

from __future__ import annotations

from sim.scenario.policies import *  # noqa: F403  (the same public names, see its __all__)
from sim.scenario.policies import __all__ as _POLICY_NAMES
from sim.scenario.schema_base import PolicyBlock, Strict

__all__ = [*_POLICY_NAMES, "PolicyBlock", "Strict"]
