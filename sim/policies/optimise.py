"""Which schools to keep: a capacitated facility-location MILP (``scipy.optimize.milp``).

The problem (a p-median with size limits and fixed costs, as in Dai et al. 2016 for
Yanqing; facts.md)::

    minimise   Σ_ijg  c · t_ij · x_ijg  +  Σ_j f_j · y_j  +  P · Σ_ig u_ig
    subject to Σ_j x_ijg + u_ig = d_ig                 every settlement i and grade g
               Σ_i x_ijg ≤ cap_jg · y_j                every school j and grade g
               x_ijg ≤ d_ig · y_j                      (tightens the relaxation)
               y_j = 1 for schools that must stay open; y_j ∈ {0, 1}; x, u ≥ 0

``x_ijg`` are pupils of grade g living in settlement i assigned to school j, allowed only
where j teaches g, the commute ``t_ij`` is within the stage's maximum and j is among the
``candidates`` nearest allowed schools of i; ``u_ig`` are pupils left unserved, at a penalty
``P`` above any saving a closure could bring, so that the problem is always feasible and a
pupil is left unserved only where no allowed school exists. ``c`` is the yearly value of a
pupil's daily commute minute, ``f_j`` a school's yearly fixed cost.

:func:`solve_facility_location` is the pure solver (tested against brute-force enumeration);
:func:`layout_instance` builds the instance of one stage from a model; :func:`choose_layout`
turns the solution into closures with a receiving school each.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, vstack

from sim.state import (
    COUNTY_TOWN_TIER,
    ENROLLED,
    GRADES,
    JUNIOR,
    NINE_YEAR,
    OPEN,
    PRIMARY,
    PRIMARY_TOP_GRADE,
    TEACHING_POINT,
    TOWNSHIP_TIER,
    VILLAGE_TIER,
    seat_capacity,
    POOLS_PER_SCHOOL,
)

TIER_CODES = {"village": VILLAGE_TIER, "township": TOWNSHIP_TIER, "county_town": COUNTY_TOWN_TIER}


@dataclass(frozen=True)
class FacilityResult:
    """Solution of :func:`solve_facility_location`.

    Attributes
    ----------
    open : bool (J,), schools kept.
    flow : float (I, J, G), pupils of settlement i and grade g assigned to school j.
    unserved : float (I, G), pupils left without an allowed school.
    objective : total cost (yuan/yr, penalty included); travel_cost and fixed_cost its parts.
    status : the solver's message; optimal : whether it proved optimality.
    """

    open: np.ndarray
    flow: np.ndarray
    unserved: np.ndarray
    objective: float
    travel_cost: float
    fixed_cost: float
    status: str
    optimal: bool


def allowed_pairs(demand: np.ndarray, minutes: np.ndarray, serves: np.ndarray, max_minutes: np.ndarray,
                  candidates: int | None = None) -> np.ndarray:
    """(I, J, G) bool: x_ijg may be positive (see the module docstring)."""
    demand = np.asarray(demand, dtype=float)
    within = minutes[:, :, None] <= np.asarray(max_minutes, dtype=float)[None, None, :]
    ok = (demand[:, None, :] > 0) & np.asarray(serves, dtype=bool)[None, :, :] & within
    if candidates is not None and candidates < minutes.shape[1]:
        # Keep each settlement's `candidates` nearest schools among those allowed for some grade.
        any_grade = ok.any(axis=2)
        key = np.where(any_grade, minutes, np.inf)
        rank = np.argsort(np.argsort(key, axis=1, kind="stable"), axis=1, kind="stable")
        ok &= (rank < candidates)[:, :, None]
    return ok


def unserved_penalty(fixed_cost: np.ndarray, minutes: np.ndarray, max_minutes: np.ndarray, minute_cost: float) -> float:
    """A per-pupil penalty above any saving from leaving a pupil unserved."""
    finite = np.asarray(max_minutes, dtype=float)
    worst_travel = minute_cost * float(np.max(finite)) if finite.size else 0.0
    return 2.0 * (float(np.max(fixed_cost, initial=0.0)) + worst_travel) + 1.0


def solve_facility_location(demand, minutes, serves, capacity, fixed_cost, max_minutes, minute_cost: float,
                            must_open=None, candidates: int | None = None, penalty: float | None = None,
                            time_limit: float = 30.0) -> FacilityResult:
    """Solve the capacitated facility-location MILP of the module docstring.

    Parameters
    ----------
    demand : (I, G) pupils per settlement and grade.
    minutes : (I, J) commute from settlement i to school j (minutes).
    serves : (J, G) bool, school j teaches grade g.
    capacity : (J, G) seats.
    fixed_cost : (J,) yearly cost of keeping j open (yuan).
    max_minutes : (G,) longest allowed commute per grade (minutes).
    minute_cost : yuan per pupil and daily commute minute a year.
    must_open : (J,) bool, schools that stay open (default none).
    candidates : keep only each settlement's nearest allowed schools (default all).
    penalty : yuan per unserved pupil (default :func:`unserved_penalty`).
    time_limit : seconds.
    """
    demand = np.asarray(demand, dtype=float)
    minutes = np.asarray(minutes, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    fixed_cost = np.asarray(fixed_cost, dtype=float)
    n_i, n_g = demand.shape
    n_j = minutes.shape[1]
    must_open = np.zeros(n_j, dtype=bool) if must_open is None else np.asarray(must_open, dtype=bool)
    if penalty is None:
        penalty = unserved_penalty(fixed_cost, minutes, max_minutes, minute_cost)
    ok = allowed_pairs(demand, minutes, serves, max_minutes, candidates)
    ii, jj, gg = np.nonzero(ok)
    n_x = ii.size
    ui, ug = np.nonzero(demand > 0)
    n_u = ui.size
    n_var = n_x + n_u + n_j
    x_of = np.arange(n_x)
    u_of = n_x + np.arange(n_u)
    y_of = n_x + n_u + np.arange(n_j)
    cost = np.concatenate([minute_cost * minutes[ii, jj], np.full(n_u, penalty), fixed_cost])

    # (1) demand: Σ_j x_ijg + u_ig = d_ig, one row per (i, g) with demand.
    row_of_ig = -np.ones((n_i, n_g), dtype=np.int64)
    row_of_ig[ui, ug] = np.arange(n_u)
    a1 = coo_matrix((np.ones(n_x + n_u), (np.concatenate([row_of_ig[ii, gg], np.arange(n_u)]),
                                          np.concatenate([x_of, u_of]))), shape=(n_u, n_var))
    d = demand[ui, ug]
    # (2) capacity: Σ_i x_ijg − cap_jg y_j ≤ 0, one row per (j, g) used.
    jg_used = np.unique(jj * n_g + gg)
    row_of_jg = np.full(n_j * n_g, -1, dtype=np.int64)
    row_of_jg[jg_used] = np.arange(jg_used.size)
    cap_j, cap_g = jg_used // n_g, jg_used % n_g
    a2 = coo_matrix((np.concatenate([np.ones(n_x), -capacity[cap_j, cap_g]]),
                     (np.concatenate([row_of_jg[jj * n_g + gg], np.arange(jg_used.size)]),
                      np.concatenate([x_of, y_of[cap_j]]))), shape=(jg_used.size, n_var))
    # (3) x_ijg − d_ig y_j ≤ 0.
    a3 = coo_matrix((np.concatenate([np.ones(n_x), -demand[ii, gg]]),
                     (np.concatenate([np.arange(n_x), np.arange(n_x)]), np.concatenate([x_of, y_of[jj]]))),
                    shape=(n_x, n_var))
    a = vstack([a1, a2, a3]).tocsr()
    lb = np.concatenate([d, np.full(jg_used.size + n_x, -np.inf)])
    ub = np.concatenate([d, np.zeros(jg_used.size + n_x)])
    lo = np.concatenate([np.zeros(n_x + n_u), must_open.astype(float)])
    hi = np.concatenate([demand[ii, gg], d, np.ones(n_j)])
    integrality = np.concatenate([np.zeros(n_x + n_u), np.ones(n_j)])
    res = milp(cost, constraints=[LinearConstraint(a, lb, ub)], integrality=integrality,
               bounds=Bounds(lo, hi), options={"time_limit": float(time_limit), "mip_rel_gap": 1e-9})
    if res.x is None:
        raise RuntimeError(f"facility-location MILP failed: {res.message}")
    sol = res.x
    flow = np.zeros((n_i, n_j, n_g))
    flow[ii, jj, gg] = sol[x_of]
    unserved = np.zeros((n_i, n_g))
    unserved[ui, ug] = sol[u_of]
    is_open = sol[y_of] > 0.5
    travel = float(minute_cost * (minutes[ii, jj] * sol[x_of]).sum())
    fixed = float(fixed_cost[is_open].sum())
    return FacilityResult(open=is_open, flow=flow, unserved=unserved, objective=float(res.fun),
                          travel_cost=travel, fixed_cost=fixed, status=str(res.message), optimal=res.status == 0)


# ---- the model's instance ----------------------------------------------------------------------

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


def layout_instance(model, stage: str, cfg, protected: set[int] = frozenset()) -> LayoutInstance:
    """Build the instance of ``stage`` ("primary" or "junior") with the ``optimise`` block ``cfg``.

    Primary: teaching points and primaries may close; nine-year schools stay and count as
    capacity. Junior: junior schools may close; nine-year schools stay. Schools in
    ``cfg.keep_tiers`` and ``protected`` rows stay. Demand is this year's enrolment by home
    settlement and grade.
    """
    scn, s, c = model.scenario, model.schools, model.children
    grades = np.arange(1, PRIMARY_TOP_GRADE + 1) if stage == "primary" else np.arange(PRIMARY_TOP_GRADE + 1, GRADES + 1)
    closable_levels = (TEACHING_POINT, PRIMARY) if stage == "primary" else (JUNIOR,)
    open_ = s.status == OPEN
    teaches = (s.grade_min[:, None] <= grades[None, :]) & (s.grade_max[:, None] >= grades[None, :])
    sites = np.flatnonzero(open_ & teaches.any(axis=1) & (np.isin(s.level, closable_levels) | (s.level == NINE_YEAR)))
    serves = teaches[sites]
    keep_tiers = [TIER_CODES[t] for t in cfg.keep_tiers]
    must_open = (s.level[sites] == NINE_YEAR) | np.isin(s.tier[sites], keep_tiers) | np.isin(sites, list(protected))
    enrolled = np.flatnonzero(c.status == ENROLLED)
    g = c.grade[enrolled]
    in_stage = (g >= grades[0]) & (g <= grades[-1])
    home = model.families.settlement[c.family[enrolled[in_stage]]]
    demand = np.zeros((model.settlements.n, grades.size))
    np.add.at(demand, (home, g[in_stage] - grades[0]), 1.0)
    minutes = model.travel.minutes[:, s.settlement[sites]].astype(float)
    if cfg.capacity == "hard":
        cap = seat_capacity(s, scn.schools.max_class_size).reshape(s.n, POOLS_PER_SCHOOL)[sites][:, grades]
    else:
        class_cap = scn.schools.class_cap.primary if stage == "primary" else scn.schools.class_cap.junior
        per_grade = (s.classrooms[sites].astype(np.int64) * class_cap) // s.grades_served()[sites]
        cap = np.where(serves, per_grade[:, None], 0)
    limits = cfg.max_commute_min or scn.boarding.max_commute_min
    limit = limits.primary if stage == "primary" else limits.junior
    return LayoutInstance(
        stage=stage, sites=sites, grades=grades, demand=demand, minutes=minutes, serves=serves,
        capacity=cap.astype(float), fixed_cost=np.full(sites.size, float(cfg.fixed_cost_yuan)),
        max_minutes=np.full(grades.size, float(limit)), must_open=must_open, closable=~must_open,
    )


@dataclass(frozen=True)
class LayoutChoice:
    """Closures chosen for one stage: ``closures`` as (school, receiving school) rows, the
    objective of the chosen layout and of the current one (all sites open), and the result."""

    stage: str
    closures: list[tuple[int, int | None]]
    objective: float
    current_objective: float
    result: FacilityResult


def choose_layout(model, stage: str, cfg, protected: set[int] = frozenset()) -> LayoutChoice:
    """Solve the stage's MILP; the closable sites it does not keep are closures, each sent to
    the kept school taking most of the pupils of its settlement (else the nearest kept one)."""
    inst = layout_instance(model, stage, cfg, protected)
    args = dict(demand=inst.demand, minutes=inst.minutes, serves=inst.serves, capacity=inst.capacity,
                fixed_cost=inst.fixed_cost, max_minutes=inst.max_minutes,
                minute_cost=cfg.time_cost_yuan_per_minute, candidates=cfg.candidates_per_settlement,
                time_limit=cfg.time_limit_s)
    result = solve_facility_location(must_open=inst.must_open, **args)
    # Penalty fixed across both solves so that the two objectives compare.
    current = solve_facility_location(must_open=np.ones(inst.sites.size, dtype=bool), **args)
    closures = []
    s = model.schools
    kept = np.flatnonzero(result.open)
    for j in np.flatnonzero(~result.open & inst.closable):
        school = int(inst.sites[j])
        here = s.settlement[school]
        inflow = result.flow[here].sum(axis=1)
        if inflow[kept].sum() > 0:
            receiving = int(inst.sites[kept[np.argmax(inflow[kept])]])
        else:
            shares = inst.serves[kept] & inst.serves[j]
            near = kept[shares.any(axis=1)] if shares.any() else kept
            receiving = int(inst.sites[near[np.argmin(inst.minutes[here, near])]]) if near.size else None
        closures.append((school, receiving))
    return LayoutChoice(stage=stage, closures=closures, objective=result.objective,
                        current_objective=current.objective, result=result)
