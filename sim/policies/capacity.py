"""Capacity policy: seats built to norms per 1,000 residents (80 primary / 40 junior).

With a maximum school size, a construction lead time and an investment screen against
building where pupils are leaving (so that new hollow schools can be avoided, or provoked on
purpose).
"""

from __future__ import annotations

import math

import numpy as np

from sim.behaviour import layout
from sim.metrics import standard_capacity
from sim.policies.base import Policy, register
from sim.state import (
    COUNTY_TOWN,
    ENROLLED,
    FAMILY_LEFT,
    GRADES,
    JUNIOR,
    OPEN,
    PRESCHOOL,
    PRIMARY,
    PRIMARY_TOP_GRADE,
    TOWN,
)

# Stage -> (level of a new school, lowest grade, highest grade).
STAGES = {"primary": (PRIMARY, 1, PRIMARY_TOP_GRADE),
          "junior": (JUNIOR, PRIMARY_TOP_GRADE + 1, GRADES)}
RESIDENTS_PER_NORM = 1000  # the seat norms are seats per 1,000 residents
NO_GRADE = -99  # a child's future grade when it is neither enrolled nor preschool


@register
class CapacityPolicy(Policy):
    """Seats to the norms, built after a lead time.

    At year end, compare each planned place's seats with the norms; schedule classrooms (or
    a new school when the existing ones reach the size cap) to open after the lead time.
    After ``end_year`` nothing more is planned or built: pending builds are cancelled.

    Parameters
    ----------
    config : CapacityPolicyConfig
        The scenario block.
    model : EducationModel
        The model being built.
    """

    name = "capacity"

    def __init__(self, config, model) -> None:
        super().__init__(config, model)
        # (year ready, stage, settlement, classrooms)
        self.pending: list[tuple[int, str, int, int]] = []
        self.families_at_start = self._families_by_settlement(model)

    def year_start(self, model, classes) -> None:
        """Build what is ready this year."""
        ready = [p for p in self.pending if p[0] <= model.year]
        self.pending = [p for p in self.pending if p[0] > model.year]
        for _, stage, settlement, classrooms in ready:
            self._build(model, stage, settlement, classrooms)

    def withdraw(self, model) -> None:
        """Cancel the builds not yet made (the programme ended before they were ready)."""
        for ready, stage, settlement, rooms in self.pending:
            model.log_event("capacity_cancelled", -1,
                            f"{model.settlement_names[settlement]!r} {stage}: {rooms} "
                            f"classrooms due in {ready} not built (policy ended)")
        self.pending = []

    def year_end(self, model, classes) -> None:
        """Plan classrooms where seats fall short of the norms."""
        residents = self._residents(model)
        for settlement in self._places(model):
            for stage in STAGES:
                self._plan(model, stage, int(settlement), residents[settlement])

    # ---- helpers --------------------------------------------------------------------------
    def _plan(self, model, stage: str, settlement: int, residents: float) -> None:
        """Schedule the classrooms a place's stage lacks, unless the screen stops them."""
        c = self.config
        name = model.settlement_names[settlement]
        need = residents * getattr(c.seats_per_1000, stage) / RESIDENTS_PER_NORM
        have = (self._seats(model, stage, settlement)
                + self._pending_seats(model, stage, settlement))
        shortfall = need - have
        cap = getattr(model.scenario.schools.class_cap, stage)
        grades = STAGES[stage][2] - STAGES[stage][1] + 1
        rooms = int(math.ceil(shortfall / cap / grades)) * grades if shortfall > 0 else 0
        if rooms <= 0:
            return
        if c.investment_screen:
            projected = self._projected_pupils(model, stage, settlement)
            seats_after = have + rooms * cap
            if projected < c.screen_min_utilisation * seats_after:
                model.log_event("investment_screened", -1,
                                f"{name!r} {stage}: norm asks {rooms} classrooms, but projected "
                                f"pupils {projected:.0f} would fill {projected / seats_after:.0%}")
                return
        self.pending.append((model.year + c.lead_time_years, stage, settlement, rooms))
        model.log_event("capacity_planned", -1,
                        f"{name!r} {stage}: {rooms} classrooms (need {need:.0f} seats, have "
                        f"{have:.0f})")

    def _places(self, model) -> np.ndarray:
        kind = model.settlements.kind
        where = self.config.where
        if where == "county_town":
            return np.flatnonzero(kind == COUNTY_TOWN)
        if where == "towns":
            return np.flatnonzero((kind == COUNTY_TOWN) | (kind == TOWN))
        return np.arange(model.settlements.n)

    @staticmethod
    def _families_by_settlement(model) -> np.ndarray:
        f = model.families
        living = f.status != FAMILY_LEFT
        return np.bincount(f.settlement[living], minlength=model.settlements.n).astype(float)

    def _residents(self, model) -> np.ndarray:
        population = model.settlements.population.astype(float)
        if self.config.residents == "registered":
            return population
        now = self._families_by_settlement(model)
        start = self.families_at_start
        return population * np.divide(now, start, out=np.ones_like(now), where=start > 0)

    @staticmethod
    def _stage_schools(model, stage: str, settlement: int) -> np.ndarray:
        _, low, high = STAGES[stage]
        s = model.schools
        return np.flatnonzero((s.status == OPEN) & (s.settlement == settlement)
                              & (s.grade_min <= high) & (s.grade_max >= low))

    def _seats(self, model, stage: str, settlement: int) -> float:
        schools = self._stage_schools(model, stage, settlement)
        _, low, high = STAGES[stage]
        s = model.schools
        taught = np.minimum(s.grade_max[schools], high) - np.maximum(s.grade_min[schools], low) + 1
        share = taught / s.grades_served()[schools]
        return float((standard_capacity(model)[schools] * share).sum())

    def _pending_seats(self, model, stage: str, settlement: int) -> float:
        cap = getattr(model.scenario.schools.class_cap, stage)
        return float(sum(rooms * cap for _, st, place, rooms in self.pending
                         if st == stage and place == settlement))

    def _projected_pupils(self, model, stage: str, settlement: int) -> float:
        """Children living in ``settlement`` who will be in the stage's grades in the horizon."""
        c, f = model.children, model.families
        horizon = self.config.screen_horizon_years
        _, low, high = STAGES[stage]
        here = f.settlement[c.family] == settlement
        entry = model.scenario.demography.school_entry_age
        future_grade = np.where(
            c.status == ENROLLED, c.grade + horizon,
            np.where(c.status == PRESCHOOL, model.year + horizon - c.birth_year - entry + 1,
                     NO_GRADE))
        return float((here & (future_grade >= low) & (future_grade <= high)).sum())

    def _build(self, model, stage: str, settlement: int, rooms: int) -> None:
        """Expand the place's schools up to the size cap, then open new schools."""
        c = self.config
        level, low, high = STAGES[stage]
        grades = high - low + 1
        cap = getattr(model.scenario.schools.class_cap, stage)
        max_rooms = int(getattr(c.max_school_size, stage) // cap)
        s = model.schools
        for school in self._stage_schools(model, stage, settlement):
            room_left = (max_rooms - int(s.classrooms[school])) // grades * grades
            add = min(rooms, room_left)
            if add > 0 and s.grade_max[school] - s.grade_min[school] + 1 == grades:
                layout.expand_school(model, int(school), add, add * c.classroom_cost_yuan,
                                     "seat norm")
                rooms -= add
            if rooms <= 0:
                return
        place = model.settlement_names[settlement]
        while rooms > 0:
            size = min(rooms, max_rooms // grades * grades)
            number = sum(1 for name in s.name if name.startswith(f"{place} New"))
            name = f"{place} New {stage.capitalize()} {number + 1}"
            layout.open_school(model, name, settlement, level, low, high, size, 0,
                               size * c.classroom_cost_yuan, "seat norm")
            rooms -= size
