"""Boarding (寄宿制): beds, who may board, costs and a wellbeing penalty for young boarders.

While the block is in force (docs/policies.md):

- its ``min_grade``, ``threshold_min`` and ``fee_yuan`` replace those of ``[boarding]``, and
  boarders below ``penalty_below_grade`` lose ``young_penalty`` utility in school choice
  (``sim.behaviour.choice.boarding_rules``; REAP evidence, facts.md);
- scheduled ``expansion`` entries add beds at named schools or at the schools a selector
  picks (a fixed number, or up to a share of the school's pupils);
- ``beds_for_need`` (需住尽住, "everyone who needs to board can"): in the calendar phase, after
  this year's closures, each open school in ``tiers`` gets beds for the pupils whose school
  next year is that school, whose grade may board and whose commute exceeds the boarding
  threshold (at most ``max_new_beds_per_school`` a year);
- every bed built costs ``bed_cost_yuan`` once; every boarder costs
  ``county_cost_per_boarder_yuan`` a year on top of ``costs.per_boarder_yuan``.

Events: ``beds_added`` (one per school and action), ``boarding`` (a yearly summary).
"""

from __future__ import annotations

import math

import numpy as np

from sim.behaviour import layout
from sim.behaviour.choice import boarding_rules
from sim.behaviour.schools import pupils_by_grade
from sim.behaviour.placement import next_year_pupils
from sim.policies.base import Policy, register
from sim.policies.consolidation import check_school_name, log_cost_breakdown, select_schools
from sim.policies.optimise import TIER_CODES
from sim.scenario.policy_schema import BoardingPolicyConfig
from sim.state import ENROLLED, OPEN


@register
class Boarding(Policy):
    """``[policies.boarding]``: see the module docstring."""

    name = "boarding"

    def __init__(self, config: BoardingPolicyConfig, model) -> None:
        super().__init__(config, model)
        built = ()
        plan = getattr(model.scenario.policies, "consolidation", None)
        if plan is not None:
            built = tuple(e.name for e in plan.plan if getattr(e, "action", "") == "build")
        for i, e in enumerate(config.expansion):
            if e.school is not None:
                check_school_name(model, e.school, f"policies.boarding.expansion[{i}].school", built)
        self.done: set[int] = set()

    def on_year_start(self, model, classes) -> None:
        cfg = self.config
        for i, e in enumerate(cfg.expansion):
            if i in self.done or e.year > model.year:
                continue
            self.done.add(i)
            if e.school is not None:
                try:
                    targets = [layout.school_index(model, e.school)]
                except KeyError:
                    model.log_event("plan_skipped", -1, f"policies.boarding.expansion[{i}]: no school {e.school!r}")
                    continue
            else:
                targets = select_schools(model, e.select)
            pupils = pupils_by_grade(model).sum(axis=1)
            for r in targets:
                if model.schools.status[r] != OPEN:
                    continue
                beds = e.beds if e.beds is not None else max(math.ceil(e.share_of_pupils * pupils[r]) - int(model.schools.boarding_beds[r]), 0)
                if beds > 0:
                    layout.add_beds(model, r, beds, cost_yuan=beds * cfg.bed_cost_yuan,
                                    reason=f"policies.boarding.expansion[{i}]")
        if cfg.beds_for_need:
            self._beds_for_need(model)

    def on_year_end(self, model, classes) -> None:
        cfg = self.config
        c = model.children
        boarders = int(((c.status == ENROLLED) & c.boarding).sum())
        extra = boarders * cfg.county_cost_per_boarder_yuan
        layout.add_cost(model, extra, "boarding_extra_yuan")
        rules = boarding_rules(model)
        young = int(((c.status == ENROLLED) & c.boarding & (c.grade < rules.penalty_below_grade)).sum())
        model.log_event("boarding", -1, f"{boarders} boarders ({young} below grade {rules.penalty_below_grade}); "
                                        f"beds {int(model.schools.boarding_beds[model.schools.status == OPEN].sum())}; "
                                        f"minimum grade {rules.min_grade}; extra county cost {extra:,.0f} yuan")
        log_cost_breakdown(model, classes)

    def need(self, model) -> np.ndarray:
        """Beds each school needs next placement: pupils whose school then is that school, who
        may board and whose commute exceeds the boarding threshold."""
        c, s = model.children, model.schools
        rules = boarding_rules(model)
        kids, grade = next_year_pupils(model)
        home = model.families.settlement[c.family[kids]]
        current = c.school[kids]
        safe = np.maximum(current, 0)
        keeps = (current >= 0) & (s.status[safe] == OPEN) & (s.grade_min[safe] <= grade) & (s.grade_max[safe] >= grade)
        target = np.where(keeps, current, model.candidates.catchment[grade, home])
        ok = target >= 0
        minutes = model.travel.minutes[home[ok], s.settlement[target[ok]]]
        boards = (grade[ok] >= rules.min_grade) & (minutes > rules.threshold_min)
        return np.bincount(target[ok][boards], minlength=s.n)

    def _beds_for_need(self, model) -> None:
        cfg, s = self.config, model.schools
        tiers = [TIER_CODES[t] for t in cfg.tiers]
        need = self.need(model)
        short = np.minimum(need - s.boarding_beds, cfg.max_new_beds_per_school)
        for r in np.flatnonzero((s.status == OPEN) & np.isin(s.tier, tiers) & (short > 0)):
            n = int(short[r])
            layout.add_beds(model, int(r), n, cost_yuan=n * cfg.bed_cost_yuan,
                            reason=f"需住尽住: {int(need[r])} pupils need a bed")
