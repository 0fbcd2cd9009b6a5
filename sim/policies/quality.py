"""Quality policy: school groups (集团化办学), remote synchronous classrooms, extra funding."""

from __future__ import annotations

import numpy as np

from sim.behaviour.schools import pupils_by_grade
from sim.policies.base import Policy, register
from sim.state import COUNTY_TOWN_TIER, OPEN, TOWNSHIP_TIER, VILLAGE_TIER

YUAN_PER_1000 = 1000  # the quality effect of funding is given per 1,000 yuan
NO_LEADER = -1


@register
class QualityPolicy(Policy):
    """School groups, remote classrooms and rural funding.

    Sets the coverage floor and funding bonus at year start; after the schools phase, each
    group member's quality closes a share of its gap to the group's leader. After
    ``end_year`` the floor and bonus return to 0 and groups stop lifting quality.
    """

    name = "quality"

    def year_start(self, model, classes) -> None:
        """Publish the coverage floor and quality bonus; count the funding's cost."""
        c, s = self.config, model.schools
        rural = s.tier != COUNTY_TOWN_TIER
        pupils = pupils_by_grade(model).sum(axis=1)
        small = rural & (pupils < c.small_school_pupils)
        floor = np.where(small, c.remote_coverage_floor, 0.0) if c.remote_classrooms else 0.0
        model.effects.coverage_floor = floor
        bonus = c.quality_per_1000_yuan * c.extra_funding_yuan_per_pupil / YUAN_PER_1000
        model.effects.quality_bonus = np.where(rural, bonus, 0.0)
        funding = float(pupils[rural & (s.status == OPEN)].sum()) * c.extra_funding_yuan_per_pupil
        model.counts.extra_cost_yuan += funding
        if funding:
            model.log_event("cost", -1, f"extra rural funding {funding:.0f} yuan")

    def withdraw(self, model) -> None:
        """Put the coverage floor and the quality bonus back to 0 (no policy)."""
        model.effects.coverage_floor = 0.0
        model.effects.quality_bonus = 0.0

    def year_end(self, model, classes) -> None:
        """Lift each group member's quality toward its leader's."""
        c, s = self.config, model.schools
        if c.groups == "none" or c.group_uplift_rate == 0:
            return
        leader = group_leaders(model, c.groups)
        member = np.flatnonzero((leader >= 0) & (s.status == OPEN))
        gap = np.maximum(s.quality[leader[member]] - s.quality[member], 0.0)
        s.quality[member] = s.quality[member] + c.group_uplift_rate * gap


def group_leaders(model, groups: str) -> np.ndarray:
    """Find the leading school of each school's group (-1: not a member).

    A township's best open township-tier school leads its village schools; with
    ``groups="county"`` the best open county-town school also leads every township-tier
    school.

    Parameters
    ----------
    model : EducationModel
        The model (schools, their quality and townships).
    groups : str
        "township" or "county".

    Returns
    -------
    ndarray of int64, (n_schools,)
        The leader's row per school, -1 for schools in no group.
    """
    s, st = model.schools, model.settlements
    leader = np.full(s.n, NO_LEADER, dtype=np.int64)
    open_ = s.status == OPEN
    township = st.township[s.settlement]
    heads = np.flatnonzero(open_ & (s.tier == TOWNSHIP_TIER))
    if heads.size:
        best = heads[np.lexsort((-s.quality[heads], township[heads]))]
        first = np.unique(township[best], return_index=True)
        lead_of = dict(zip(first[0].tolist(), best[first[1]].tolist()))
        villages = np.flatnonzero(s.tier == VILLAGE_TIER)
        leader[villages] = [lead_of.get(int(k), NO_LEADER) for k in township[villages]]
    if groups == "county":
        town = np.flatnonzero(open_ & (s.tier == COUNTY_TOWN_TIER))
        if town.size:
            leader[s.tier == TOWNSHIP_TIER] = town[np.argmax(s.quality[town])]
    return leader
