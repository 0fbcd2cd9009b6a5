"""Teacher policy: county-held posts (县管校聘), rotation (交流轮岗), rural subsidy, quota."""

from __future__ import annotations

import numpy as np

from sim.behaviour import teachers as careers
from sim.policies.base import Policy, register
from sim.state import COUNTY_TOWN_TIER, on_duty


@register
class TeachersPolicy(Policy):
    """Each year: rotations end and start, surplus posts move to vacancies, the subsidy lowers
    rural attrition and remote refusals; its cost is counted."""

    name = "teachers"

    def __init__(self, config, model) -> None:
        super().__init__(config, model)
        self.base_quota = None

    def on_year_start(self, model, classes) -> None:
        c = self.config
        cut = min(0.8, c.subsidy_effect_per_100_yuan * c.rural_subsidy_yuan_per_month / 100)
        model.effects.rural_attrition_factor = 1.0 - cut
        model.effects.remote_refusal_factor = 1.0 - cut
        if c.quota_factor is not None:
            if self.base_quota is None:
                self.base_quota = model.teacher_quota / model.scenario.teachers.quota_factor
            model.teacher_quota = int(np.ceil(self.base_quota * c.quota_factor))
        returned = careers.end_rotations(model)
        cs = classes
        moved = careers.reallocate(model, cs, c.reallocation_share) if c.reallocation else 0
        sent = careers.start_rotations(model, cs, c.rotation_share, c.rotation_backbone_share,
                                       c.rotation_years, c.rotation_min_experience)
        model.log_event("teacher_policy", -1, f"reallocated {moved}; rotated out {sent}; returned {returned}")

    def on_year_end(self, model, classes) -> None:
        t, s = model.teachers, model.schools
        rural = on_duty(t) & (s.tier[np.maximum(t.school, 0)] != COUNTY_TOWN_TIER)
        cost = float(rural.sum()) * self.config.rural_subsidy_yuan_per_month * 12
        model.counts.extra_cost_yuan += cost
        model.log_event("cost", -1, f"rural teacher subsidy {cost:.0f} yuan")
