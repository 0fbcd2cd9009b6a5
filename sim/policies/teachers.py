"""Teacher policy: county-held posts (县管校聘), rotation (交流轮岗), rural subsidy, quota."""

from __future__ import annotations

import numpy as np

from sim.behaviour import teachers as careers
from sim.policies.base import Policy, register
from sim.state import COUNTY_TOWN_TIER, on_duty

MAX_SUBSIDY_CUT = 0.8  # the subsidy cuts attrition and refusals by at most 80%
YUAN_PER_100 = 100  # the subsidy's effect is given per 100 yuan a month
MONTHS_A_YEAR = 12


@register
class TeachersPolicy(Policy):
    """County-held posts, rotation, rural subsidy and quota, each year.

    Rotations end and start, surplus posts move to vacancies, the subsidy lowers rural
    attrition and remote refusals; its cost is counted. After ``end_year`` the subsidy's
    factors return to 1 and the quota to the scenario's; rotating teachers serve out their
    terms and return (``sim.behaviour.teachers.teachers_phase`` ends terms every year).
    """

    name = "teachers"

    def __init__(self, config, model) -> None:
        super().__init__(config, model)
        self.base_quota = None

    def year_start(self, model, classes) -> None:
        """Publish the subsidy's effect; set the quota; end, reallocate and start rotations."""
        c = self.config
        cut = min(MAX_SUBSIDY_CUT,
                  c.subsidy_effect_per_100_yuan * c.rural_subsidy_yuan_per_month / YUAN_PER_100)
        model.effects.rural_attrition_factor = 1.0 - cut
        model.effects.remote_refusal_factor = 1.0 - cut
        if c.quota_factor is not None:
            if self.base_quota is None:
                self.base_quota = model.teacher_quota / model.scenario.teachers.quota_factor
            model.teacher_quota = int(np.ceil(self.base_quota * c.quota_factor))
        returned = careers.end_rotations(model)
        moved = careers.reallocate(model, classes, c.reallocation_share) if c.reallocation else 0
        sent = careers.start_rotations(model, classes, c.rotation_share, c.rotation_backbone_share,
                                       c.rotation_years, c.rotation_min_experience)
        model.log_event("teacher_policy", -1,
                        f"reallocated {moved}; rotated out {sent}; returned {returned}")

    def withdraw(self, model) -> None:
        """Put the subsidy's factors back to 1 and the teacher quota back to the scenario's."""
        model.effects.rural_attrition_factor = 1.0
        model.effects.remote_refusal_factor = 1.0
        if self.base_quota is not None:
            model.teacher_quota = int(np.ceil(self.base_quota
                                              * model.scenario.teachers.quota_factor))

    def year_end(self, model, classes) -> None:
        """Count the rural subsidy's cost."""
        t, s = model.teachers, model.schools
        rural = on_duty(t) & (s.tier[np.maximum(t.school, 0)] != COUNTY_TOWN_TIER)
        cost = float(rural.sum()) * self.config.rural_subsidy_yuan_per_month * MONTHS_A_YEAR
        model.counts.extra_cost_yuan += cost
        model.log_event("cost", -1, f"rural teacher subsidy {cost:.0f} yuan")
