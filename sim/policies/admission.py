"""Admission policy: catchment strictness (就近划片), class caps, the hukou barrier, a target.

The target is a share of migrant children in public schools: while it is missed, the
hukou/points barrier falls a step a year.
"""

from __future__ import annotations

from sim.behaviour.migration import hukou_barrier
from sim.policies.base import Policy, register


@register
class AdmissionPolicy(Policy):
    """Sets the admission knobs each year; lowers the barrier while the migrant target is missed."""

    name = "admission"

    def __init__(self, config, model) -> None:
        super().__init__(config, model)
        self.barrier = config.hukou_barrier

    def on_year_start(self, model, classes) -> None:
        """Publish the admission knobs (``model.effects``)."""
        c = self.config
        model.effects.catchment_strictness = c.catchment_strictness
        model.effects.hard_class_caps = c.class_caps == "hard"
        if self.barrier is not None:
            model.effects.hukou_barrier = self.barrier

    def on_year_end(self, model, classes) -> None:
        """Lower the barrier a step while the migrant target is missed."""
        c = self.config
        if c.migrant_public_target is None:
            return
        refused = model.counts.migrant_children_refused
        admitted = model.county_rows[-1]["migrant_children"] if model.county_rows else 0
        share = admitted / max(admitted + refused, 1)
        if share < c.migrant_public_target:
            current = hukou_barrier(model)
            self.barrier = max(0.0, current - c.barrier_step)
            model.log_event("admission_barrier", -1,
                            f"migrant children in public schools {share:.1%} < target "
                            f"{c.migrant_public_target:.0%}: barrier {current:.2f} -> "
                            f"{self.barrier:.2f}")
