"""Boarding (寄宿制): beds, who may board, costs and a wellbeing penalty for young boarders.

While the block is in force (docs/policies.md):

- its ``min_grade``, ``threshold_min`` and ``fee_yuan`` replace those of ``[boarding]``, and
  boarders below ``penalty_below_grade`` lose ``young_penalty`` utility in school choice
  (REAP evidence, facts.md). The policy publishes the rules of this year and the next as
  ``model.effects.boarding_rules`` every year (``sim.behaviour.choice.boarding_rules`` reads
  them): in its ``on_year_start``, and when it is built (for the year before the first, the
  initial placement, and the first year, whose calendar phase runs consolidation first);
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
from sim.behaviour.choice import BoardingRules, boarding_rules
from sim.behaviour.placement import next_year_pupils
from sim.behaviour.schools import ClassStructure, pupils_by_grade
from sim.policies.base import Policy, register
from sim.policies.common import check_name, log_cost_breakdown, select_schools, tier_codes
from sim.scenario.policies import BoardingPolicyConfig
from sim.state import ENROLLED, OPEN, PLANNED


@register
class Boarding(Policy):
    """``[policies.boarding]``: see the module docstring.

    Parameters
    ----------
    config : BoardingPolicyConfig
        The scenario block.
    model : EducationModel
        The model being built.

    Raises
    ------
    ScenarioError
        An expansion names a school that neither exists nor is built by a plan.
    """

    name = "boarding"

    def __init__(self, config: BoardingPolicyConfig, model) -> None:
        super().__init__(config, model)
        for i, e in enumerate(config.expansion):
            if e.school is not None:
                check_name(e.school, model.schools.name, f"policies.boarding.expansion[{i}].school")
        self.done: set[int] = set()
        self.scenario_rules = BoardingRules.of_scenario(model.scenario.boarding)
        self._publish(model)

    def acts_in(self, year: int) -> bool:
        """Run the hooks every year (always True).

        The hooks publish the boarding rules every year, so that the scenario's rules return
        after ``end_year``; the policy acts only while in force.
        """
        return True

    def rules_in(self, year: int) -> BoardingRules:
        """Return the boarding rules in force in ``year``.

        The policy's while it is in force (fields left empty keep ``[boarding]``'s), else
        ``[boarding]``'s.
        """
        base = self.scenario_rules
        if not self.in_force(year):
            return base
        cfg = self.config
        return BoardingRules(
            min_grade=cfg.min_grade if cfg.min_grade is not None else base.min_grade,
            threshold_min=(cfg.threshold_min if cfg.threshold_min is not None
                           else base.threshold_min),
            fee_yuan=cfg.fee_yuan if cfg.fee_yuan is not None else base.fee_yuan,
            young_penalty=cfg.young_penalty,
            penalty_below_grade=cfg.penalty_below_grade,
        )

    def on_year_start(self, model, classes: ClassStructure) -> None:
        """Publish the rules; add scheduled beds and beds for need."""
        self._publish(model)
        if not self.in_force(model.year):
            return
        self._expansions(model)
        if self.config.beds_for_need:
            self._beds_for_need(model)

    def on_year_end(self, model, classes: ClassStructure) -> None:
        """Charge the county's boarding cost and summarise the year."""
        if not self.in_force(model.year):
            return
        cfg, c, s = self.config, model.children, model.schools
        boarders = int(((c.status == ENROLLED) & c.boarding).sum())
        extra = boarders * cfg.county_cost_per_boarder_yuan
        layout.add_cost(model, extra, "boarding_extra_yuan")
        rules = boarding_rules(model)
        young = int(((c.status == ENROLLED) & c.boarding
                     & (c.grade < rules.penalty_below_grade)).sum())
        beds = int(s.boarding_beds[s.status == OPEN].sum())
        model.log_event("boarding", -1,
                        f"{boarders} boarders ({young} below grade {rules.penalty_below_grade}); "
                        f"beds {beds}; minimum grade {rules.min_grade}; extra county cost "
                        f"{extra:,.0f} yuan")
        log_cost_breakdown(model, classes)

    def need(self, model) -> np.ndarray:
        """Count the beds each school needs next placement.

        Pupils whose school then is that school, who may board and whose commute exceeds the
        boarding threshold: the county plans a bed for every pupil the rule lets board
        (需住尽住), whether or not the family will choose to (``choice.utility_terms``), so that
        beds never keep a pupil who wants one from boarding.
        """
        s = model.schools
        rules = boarding_rules(model)
        nxt = next_year_pupils(model)
        ok = nxt.school >= 0
        minutes = model.travel.minutes[nxt.home[ok], s.settlement[nxt.school[ok]]]
        boards = (nxt.grade[ok] >= rules.min_grade) & (minutes > rules.threshold_min)
        return np.bincount(nxt.school[ok][boards], minlength=s.n)

    def _publish(self, model) -> None:
        model.effects.boarding_rules = {year: self.rules_in(year)
                                        for year in (model.year, model.year + 1)}

    def _expansions(self, model) -> None:
        """Add the beds of the expansion entries due this year."""
        cfg, s = self.config, model.schools
        for i, e in enumerate(cfg.expansion):
            if i in self.done or e.year > model.year:
                continue
            key = f"policies.boarding.expansion[{i}]"
            if e.school is not None:
                try:
                    targets = [layout.school_index(model, e.school)]
                except KeyError:
                    self.done.add(i)
                    model.log_event("plan_skipped", -1, f"{key}: no school {e.school!r}")
                    continue
                if s.status[targets[0]] == PLANNED:  # waits until the plan opens it
                    continue
            else:
                targets = select_schools(model, e.select)
            self.done.add(i)
            pupils = pupils_by_grade(model).sum(axis=1)
            for r in targets:
                if s.status[r] != OPEN:
                    continue
                beds = e.beds
                if beds is None:
                    wanted = math.ceil(e.share_of_pupils * pupils[r])
                    beds = max(wanted - int(s.boarding_beds[r]), 0)
                if beds > 0:
                    layout.add_beds(model, r, beds, cost_yuan=beds * cfg.bed_cost_yuan, reason=key)

    def _beds_for_need(self, model) -> None:
        cfg, s = self.config, model.schools
        need = self.need(model)
        short = np.minimum(need - s.boarding_beds, cfg.max_new_beds_per_school)
        for r in np.flatnonzero((s.status == OPEN) & np.isin(s.tier, tier_codes(cfg.tiers))
                                & (short > 0)):
            n = int(short[r])
            layout.add_beds(model, int(r), n, cost_yuan=n * cfg.bed_cost_yuan,
                            reason=f"需住尽住: {int(need[r])} pupils need a bed")
