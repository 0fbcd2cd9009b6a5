"""Capacity policy: seats built to norms per 1,000 residents (80 primary / 40 junior), with a
maximum school size, a construction lead time and an investment screen against building where
pupils are leaving (so that new hollow schools can be avoided, or provoked on purpose)."""

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
    JUNIOR,
    OPEN,
    PRESCHOOL,
    PRIMARY,
    PRIMARY_TOP_GRADE,
    TOWN,
)

STAGES = {"primary": (PRIMARY, 1, PRIMARY_TOP_GRADE), "junior": (JUNIOR, PRIMARY_TOP_GRADE + 1, 9)}


@register
class CapacityPolicy(Policy):
    """At year end, compare each planned place's seats with the norms; schedule classrooms (or a
    new school when the existing ones reach the size cap) to open after the lead time."""

    name = "capacity"

    def __init__(self, config, model) -> None:
        super().__init__(config, model)
        self.pending: list[tuple[int, str, int, int]] = []  # (year ready, stage, settlement, classrooms)
        self.families_at_start = self._families_by_settlement(model)

    def on_year_start(self, model, classes) -> None:
        ready = [p for p in self.pending if p[0] <= model.year]
        self.pending = [p for p in self.pending if p[0] > model.year]
        for _, stage, settlement, classrooms in ready:
            self._build(model, stage, settlement, classrooms)

    def on_year_end(self, model, classes) -> None:
        c = self.config
        residents = self._residents(model)
        for settlement in self._places(model):
            for stage in STAGES:
                norm = getattr(c.seats_per_1000, stage)
                need = residents[settlement] * norm / 1000
                have = self._seats(model, stage, settlement) + self._pending_seats(model, stage, settlement)
                shortfall = need - have
                cap = getattr(model.scenario.schools.class_cap, stage)
                grades = STAGES[stage][2] - STAGES[stage][1] + 1
                rooms = int(math.ceil(shortfall / cap / grades)) * grades if shortfall > 0 else 0
                if rooms <= 0:
                    continue
                if c.investment_screen:
                    projected = self._projected_pupils(model, stage, settlement)
                    seats_after = have + rooms * cap
                    if projected < c.screen_min_utilisation * seats_after:
                        model.log_event("investment_screened", -1,
                                        f"{model.settlement_names[settlement]!r} {stage}: norm asks {rooms} classrooms, "
                                        f"but projected pupils {projected:.0f} would fill {projected / seats_after:.0%}")
                        continue
                self.pending.append((model.year + max(c.lead_time_years, 1), stage, settlement, rooms))
                model.log_event("capacity_planned", -1,
                                f"{model.settlement_names[settlement]!r} {stage}: {rooms} classrooms "
                                f"(need {need:.0f} seats, have {have:.0f})")

    # ---- helpers --------------------------------------------------------------------------
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
        return population * np.divide(now, self.families_at_start, out=np.ones_like(now), where=self.families_at_start > 0)

    @staticmethod
    def _stage_schools(model, stage: str, settlement: int) -> np.ndarray:
        _, low, high = STAGES[stage]
        s = model.schools
        return np.flatnonzero((s.status == OPEN) & (s.settlement == settlement) & (s.grade_min <= high) & (s.grade_max >= low))

    def _seats(self, model, stage: str, settlement: int) -> float:
        schools = self._stage_schools(model, stage, settlement)
        _, low, high = STAGES[stage]
        s = model.schools
        share = (np.minimum(s.grade_max[schools], high) - np.maximum(s.grade_min[schools], low) + 1) / s.grades_served()[schools]
        return float((standard_capacity(model)[schools] * share).sum())

    def _pending_seats(self, model, stage: str, settlement: int) -> float:
        cap = getattr(model.scenario.schools.class_cap, stage)
        return float(sum(rooms * cap for _, st, place, rooms in self.pending if st == stage and place == settlement))

    def _projected_pupils(self, model, stage: str, settlement: int) -> float:
        """Children living in ``settlement`` who will be in the stage's grades in the horizon."""
        c, f = model.children, model.families
        horizon = self.config.screen_horizon_years
        _, low, high = STAGES[stage]
        here = f.settlement[c.family] == settlement
        entry = model.scenario.demography.school_entry_age
        future_grade = np.where(c.status == ENROLLED, c.grade + horizon,
                                np.where(c.status == PRESCHOOL, model.year + horizon - c.birth_year - entry + 1, -99))
        return float((here & (future_grade >= low) & (future_grade <= high)).sum())

    def _build(self, model, stage: str, settlement: int, rooms: int) -> None:
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
                layout.expand_school(model, int(school), add, add * c.classroom_cost_yuan, "seat norm")
                rooms -= add
            if rooms <= 0:
                return
        while rooms > 0:
            size = min(rooms, max_rooms // grades * grades)
            number = sum(1 for name in s.name if name.startswith(f"{model.settlement_names[settlement]} New"))
            name = f"{model.settlement_names[settlement]} New {stage.capitalize()} {number + 1}"
            layout.open_school(model, name, settlement, level, low, high, size, 0, size * c.classroom_cost_yuan,
                               "seat norm")
            rooms -= size
