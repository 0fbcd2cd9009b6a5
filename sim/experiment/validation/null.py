"""The null model: the same county and policies with the behaviour switched off.

What a planner without an agent-based model would assume: families stay where they are (no
migration), pupils go to their catchment school by distance (quality, taste and switching play
no part), nobody drops out, cohorts age on the births path, and closures follow the same
thresholds and safeguards (the scenario's policies are kept). Its figures are what the
validation report compares the model against, fact by fact: an agent-based model that does not
beat this reference should say so.
"""

from __future__ import annotations

from typing import Any

#: Scenario keys the null model sets on top of the validated scenario, with the reason.
NULL_MODEL: dict[str, tuple[Any, str]] = {
    "migration.enabled": (False, "no family moves: residents stay where they live"),
    "choice.beta_quality": (0.0, "school quality plays no part in the choice"),
    "choice.taste_scale": (0.01, "no taste shocks to speak of (the scale must be above 0)"),
    "choice.voluntary_switch_share": (0.0, "nobody changes school by choice"),
    "choice.dropout_utility.primary": (-50.0, "nobody drops out"),
    "choice.dropout_utility.junior": (-50.0, "nobody drops out"),
    "choice.dropout_return_rate": (0.0, "no dropouts to return"),
}


def null_overrides() -> dict[str, Any]:
    """Return the null model's keys and values (:data:`NULL_MODEL` without the reasons)."""
    return {key: value for key, (value, _) in NULL_MODEL.items()}


__all__ = ["NULL_MODEL", "null_overrides"]
