"""Admission policy: catchment strictness (就近划片), class caps, the hukou/points barrier and a
target share of migrant children in public schools."""

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
        c = self.config
        model.effects.catchment_strictness = c.catchment_strictness
        model.effects.hard_class_caps = c.class_caps == "hard"
        if self.barrier is not None:
            model.effects.hukou_barrier = self.barrier

    def on_year_end(self, model, classes) -> None:
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
                            f"migrant children in public schools {share:.1%} < target {c.migrant_public_target:.0%}: "
                            f"barrier {current:.2f} -> {self.barrier:.2f}")
