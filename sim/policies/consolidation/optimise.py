"""The ``optimise`` mode: which schools to keep, stage by stage, by a facility-location MILP.

The MILP is the pure solver of :mod:`sim.policies.consolidation.solver`.

Primary stage: teaching points and primaries may close; nine-year schools stay and count as
capacity. Junior stage: junior schools may close; nine-year schools stay. Schools in
``keep_tiers`` and protected schools stay. Demand is this year's enrolment by home settlement
and grade; seats are standard (rooms x class cap 45/50) or hard; commutes are limited by
``max_commute_min`` (else ``boarding.max_commute_min``). Each closure is sent to the kept
school that takes most of its settlement's pupils (else the nearest kept school sharing a
grade).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.policies.common import tier_codes
from sim.policies.consolidation.solver import FacilityResult, solve_facility_location
from sim.scenario.policies import OptimiseConfig
from sim.state import (
    ENROLLED,
    GRADES,
    JUNIOR,
    NINE_YEAR,
    OPEN,
    POOLS_PER_SCHOOL,
    PRIMARY,
    PRIMARY_TOP_GRADE,
    TEACHING_POINT,
    seat_capacity,
)

STAGE_GRADES = {"primary": np.arange(1, PRIMARY_TOP_GRADE + 1),
                "junior": np.arange(PRIMARY_TOP_GRADE + 1, GRADES + 1)}
CLOSABLE_LEVELS = {"primary": (TEACHING_POINT, PRIMARY), "junior": (JUNIOR,)}


@dataclass(frozen=True)
class LayoutInstance:
    """One stage's facility-location instance built from a model.

    ``sites`` are school rows (J); ``grades`` the grades of the stage (G); ``closable`` marks
    the sites the MILP may close; the other arrays are the solver's inputs.
    """

    stage: str
    sites: np.ndarray
    grades: np.ndarray
    demand: np.ndarray
    minutes: np.ndarray
    serves: np.ndarray
    capacity: np.ndarray
    fixed_cost: np.ndarray
    max_minutes: np.ndarray
    must_open: np.ndarray
    closable: np.ndarray


@dataclass(frozen=True)
class LayoutChoice:
    """Closures chosen for one stage.

    Attributes
    ----------
    stage : str
        "primary" or "junior".
    closures : list of (int, int or None)
        (school, receiving school) rows.
    objective, current_objective : float
        Cost of the chosen layout and of the current one (all sites open; yuan/yr).
    result : FacilityResult
        The solver's result for the chosen layout.
    """

    stage: str
    closures: list[tuple[int, int | None]]
    objective: float
    current_objective: float
    result: FacilityResult

    def describe(self) -> str:
        """One line for the ``optimise`` event."""
        r = self.result
        return (f"{self.stage}: keep {int(r.open.sum())} of {r.open.size} schools, close "
                f"{len(self.closures)}; cost {self.objective:,.0f} yuan/yr vs "
                f"{self.current_objective:,.0f} now (travel {r.travel_cost:,.0f}, fixed "
                f"{r.fixed_cost:,.0f}); {r.status}")


def choose_layout(model, stage: str, cfg: OptimiseConfig,
                  protected: set[int] = frozenset()) -> LayoutChoice:
    """Solve a stage's MILP and turn the schools it does not keep into closures.

    Parameters
    ----------
    model : EducationModel
        The model (this year's enrolment, schools and travel times).
    stage : str
        "primary" or "junior".
    cfg : OptimiseConfig
        ``policies.consolidation.optimise``.
    protected : set of int
        School rows that stay open.

    Returns
    -------
    LayoutChoice
        The closable sites the MILP does not keep, each with the kept school taking most of
        the pupils of its settlement (else the nearest kept one sharing a grade, else any).
    """
    inst = _layout_instance(model, stage, cfg, protected)
    args = dict(demand=inst.demand, minutes=inst.minutes, serves=inst.serves,
                capacity=inst.capacity, fixed_cost=inst.fixed_cost, max_minutes=inst.max_minutes,
                minute_cost=cfg.time_cost_yuan_per_minute,
                candidates=cfg.candidates_per_settlement, time_limit=cfg.time_limit_s)
    result = solve_facility_location(must_open=inst.must_open, **args)
    # The same inputs give the same unserved penalty, so that the two objectives compare.
    current = solve_facility_location(must_open=np.ones(inst.sites.size, dtype=bool), **args)
    closures = [(int(inst.sites[j]), _receiving(model, inst, result, j))
                for j in np.flatnonzero(~result.open & inst.closable)]
    return LayoutChoice(stage=stage, closures=closures, objective=result.objective,
                        current_objective=current.objective, result=result)


def _receiving(model, inst: LayoutInstance, result: FacilityResult, j: int) -> int | None:
    """Pick the kept school that receives closed site ``j``'s pupils."""
    kept = np.flatnonzero(result.open)
    here = model.schools.settlement[int(inst.sites[j])]
    inflow = result.flow[here].sum(axis=1)
    if inflow[kept].sum() > 0:
        return int(inst.sites[kept[np.argmax(inflow[kept])]])
    shares = inst.serves[kept] & inst.serves[j]
    near = kept[shares.any(axis=1)] if shares.any() else kept
    return int(inst.sites[near[np.argmin(inst.minutes[here, near])]]) if near.size else None


def _stage_demand(model, grades: np.ndarray) -> np.ndarray:
    """Count enrolled pupils by home settlement and grade of the stage: (n_settlements, G)."""
    c = model.children
    enrolled = np.flatnonzero(c.status == ENROLLED)
    g = c.grade[enrolled]
    in_stage = (g >= grades[0]) & (g <= grades[-1])
    home = model.families.settlement[c.family[enrolled[in_stage]]]
    demand = np.zeros((model.settlements.n, grades.size))
    np.add.at(demand, (home, g[in_stage] - grades[0]), 1.0)
    return demand


def _layout_instance(model, stage: str, cfg: OptimiseConfig,
                     protected: set[int]) -> LayoutInstance:
    """Build the instance of ``stage`` (see the module docstring)."""
    scn, s = model.scenario, model.schools
    grades = STAGE_GRADES[stage]
    teaches = ((s.grade_min[:, None] <= grades[None, :])
               & (s.grade_max[:, None] >= grades[None, :]))
    closable_level = np.isin(s.level, CLOSABLE_LEVELS[stage]) | (s.level == NINE_YEAR)
    sites = np.flatnonzero((s.status == OPEN) & teaches.any(axis=1) & closable_level)
    serves = teaches[sites]
    must_open = ((s.level[sites] == NINE_YEAR) | np.isin(s.tier[sites], tier_codes(cfg.keep_tiers))
                 | np.isin(sites, list(protected)))
    if cfg.capacity == "hard":
        seats = seat_capacity(s, scn.schools.max_class_size).reshape(s.n, POOLS_PER_SCHOOL)
        cap = seats[sites][:, grades]
    else:
        class_cap = getattr(scn.schools.class_cap, stage)
        per_grade = (s.classrooms[sites].astype(np.int64) * class_cap) // s.grades_served()[sites]
        cap = np.where(serves, per_grade[:, None], 0)
    limit = getattr(cfg.max_commute_min or scn.boarding.max_commute_min, stage)
    return LayoutInstance(
        stage=stage, sites=sites, grades=grades, demand=_stage_demand(model, grades),
        minutes=model.travel.minutes[:, s.settlement[sites]].astype(float), serves=serves,
        capacity=cap.astype(float), fixed_cost=np.full(sites.size, float(cfg.fixed_cost_yuan)),
        max_minutes=np.full(grades.size, float(limit)), must_open=must_open, closable=~must_open,
    )
