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

:func:`solve_facility_location` is the solver: a pure function of arrays, tested against
brute-force enumeration; :func:`allowed_pairs` and :func:`unserved_penalty` are its parts
the test shares. ``sim.policies.consolidation.optimise`` builds a county's instance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix, vstack

PENALTY_FACTOR = 2.0  # the unserved penalty doubles the largest cost a pupil can bring ...
PENALTY_MARGIN = 1.0  # ... plus one yuan, so that it exceeds it even when that cost is 0
MIP_RELATIVE_GAP = 1e-9  # solve to optimality (HiGHS' default gap 1e-4 could stop short)
BINARY_CUT = 0.5  # a binary variable comes back as a float near 0 or 1
TIME_LIMIT_S = 30.0


@dataclass(frozen=True)
class FacilityResult:
    """Solution of :func:`solve_facility_location`.

    Attributes
    ----------
    open : ndarray of bool, (J,)
        Schools kept.
    flow : ndarray of float, (I, J, G)
        Pupils of settlement i and grade g assigned to school j.
    unserved : ndarray of float, (I, G)
        Pupils left without an allowed school.
    objective : float
        Total cost (yuan/yr, penalty included); ``travel_cost`` and ``fixed_cost`` its parts.
    travel_cost, fixed_cost : float
        Yuan/yr.
    status : str
        The solver's message.
    optimal : bool
        Whether it proved optimality.
    """

    open: np.ndarray
    flow: np.ndarray
    unserved: np.ndarray
    objective: float
    travel_cost: float
    fixed_cost: float
    status: str
    optimal: bool


def allowed_pairs(demand: np.ndarray, minutes: np.ndarray, serves: np.ndarray,
                  max_minutes: np.ndarray, candidates: int | None = None) -> np.ndarray:
    """Mark where ``x_ijg`` may be positive.

    Parameters
    ----------
    demand : ndarray, (I, G)
        Pupils per settlement and grade.
    minutes : ndarray, (I, J)
        Commute from settlement i to school j (minutes).
    serves : ndarray of bool, (J, G)
        School j teaches grade g.
    max_minutes : ndarray, (G,)
        Longest allowed commute per grade (minutes).
    candidates : int or None
        Keep only each settlement's nearest schools allowed for some grade (default all).

    Returns
    -------
    ndarray of bool, (I, J, G)
        Demand exists, j teaches g, the commute is within the limit, j is a candidate of i.
    """
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


def unserved_penalty(fixed_cost: np.ndarray, minutes: np.ndarray, max_minutes: np.ndarray,
                     minute_cost: float) -> float:
    """Return a per-pupil penalty (yuan) above any saving from leaving a pupil unserved.

    Parameters
    ----------
    fixed_cost : ndarray, (J,)
        Yearly cost of keeping each school open (yuan).
    minutes : ndarray, (I, J)
        Commutes (minutes; unused: the longest allowed commute bounds them).
    max_minutes : ndarray, (G,)
        Longest allowed commute per grade (minutes).
    minute_cost : float
        Yuan per pupil and daily commute minute a year.

    Returns
    -------
    float
        Twice the largest fixed cost plus the worst allowed travel cost, plus one yuan.
    """
    finite = np.asarray(max_minutes, dtype=float)
    worst_travel = minute_cost * float(np.max(finite)) if finite.size else 0.0
    largest = float(np.max(fixed_cost, initial=0.0)) + worst_travel
    return PENALTY_FACTOR * largest + PENALTY_MARGIN


@dataclass(frozen=True)
class _Variables:
    """Where each variable sits in the MILP's vector: x (allowed pairs), u (unserved), y."""

    ii: np.ndarray
    jj: np.ndarray
    gg: np.ndarray
    ui: np.ndarray
    ug: np.ndarray
    n_j: int

    @property
    def n_x(self) -> int:
        return self.ii.size

    @property
    def n_u(self) -> int:
        return self.ui.size

    @property
    def n_var(self) -> int:
        return self.n_x + self.n_u + self.n_j


def _constraints(demand: np.ndarray, capacity: np.ndarray,
                 v: _Variables) -> tuple[csr_matrix, np.ndarray, np.ndarray]:
    """Build the constraint matrix and its lower and upper bounds (see the module docstring)."""
    n_i, n_g = demand.shape
    x_of = np.arange(v.n_x)
    u_of = v.n_x + np.arange(v.n_u)
    y_of = v.n_x + v.n_u + np.arange(v.n_j)
    # (1) demand: Σ_j x_ijg + u_ig = d_ig, one row per (i, g) with demand.
    row_of_ig = -np.ones((n_i, n_g), dtype=np.int64)
    row_of_ig[v.ui, v.ug] = np.arange(v.n_u)
    a1 = coo_matrix((np.ones(v.n_x + v.n_u),
                     (np.concatenate([row_of_ig[v.ii, v.gg], np.arange(v.n_u)]),
                      np.concatenate([x_of, u_of]))), shape=(v.n_u, v.n_var))
    d = demand[v.ui, v.ug]
    # (2) capacity: Σ_i x_ijg − cap_jg y_j ≤ 0, one row per (j, g) used.
    jg_used = np.unique(v.jj * n_g + v.gg)
    row_of_jg = np.full(v.n_j * n_g, -1, dtype=np.int64)
    row_of_jg[jg_used] = np.arange(jg_used.size)
    cap_j, cap_g = jg_used // n_g, jg_used % n_g
    a2 = coo_matrix((np.concatenate([np.ones(v.n_x), -capacity[cap_j, cap_g]]),
                     (np.concatenate([row_of_jg[v.jj * n_g + v.gg], np.arange(jg_used.size)]),
                      np.concatenate([x_of, y_of[cap_j]]))), shape=(jg_used.size, v.n_var))
    # (3) x_ijg − d_ig y_j ≤ 0.
    a3 = coo_matrix((np.concatenate([np.ones(v.n_x), -demand[v.ii, v.gg]]),
                     (np.concatenate([np.arange(v.n_x), np.arange(v.n_x)]),
                      np.concatenate([x_of, y_of[v.jj]]))), shape=(v.n_x, v.n_var))
    a = vstack([a1, a2, a3]).tocsr()
    lb = np.concatenate([d, np.full(jg_used.size + v.n_x, -np.inf)])
    ub = np.concatenate([d, np.zeros(jg_used.size + v.n_x)])
    return a, lb, ub


def solve_facility_location(demand, minutes, serves, capacity, fixed_cost, max_minutes,
                            minute_cost: float, must_open=None, candidates: int | None = None,
                            penalty: float | None = None,
                            time_limit: float = TIME_LIMIT_S) -> FacilityResult:
    """Solve the capacitated facility-location MILP of the module docstring.

    Parameters
    ----------
    demand : array, (I, G)
        Pupils per settlement and grade.
    minutes : array, (I, J)
        Commute from settlement i to school j (minutes).
    serves : array of bool, (J, G)
        School j teaches grade g.
    capacity : array, (J, G)
        Seats.
    fixed_cost : array, (J,)
        Yearly cost of keeping j open (yuan).
    max_minutes : array, (G,)
        Longest allowed commute per grade (minutes).
    minute_cost : float
        Yuan per pupil and daily commute minute a year.
    must_open : array of bool, (J,), optional
        Schools that stay open (default none).
    candidates : int, optional
        Keep only each settlement's nearest allowed schools (default all).
    penalty : float, optional
        Yuan per unserved pupil (default :func:`unserved_penalty`).
    time_limit : float
        Seconds.

    Returns
    -------
    FacilityResult

    Raises
    ------
    RuntimeError
        The solver returned no solution.
    """
    demand = np.asarray(demand, dtype=float)
    minutes = np.asarray(minutes, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    fixed_cost = np.asarray(fixed_cost, dtype=float)
    n_j = minutes.shape[1]
    must_open = np.zeros(n_j, dtype=bool) if must_open is None else np.asarray(must_open, bool)
    if penalty is None:
        penalty = unserved_penalty(fixed_cost, minutes, max_minutes, minute_cost)
    ii, jj, gg = np.nonzero(allowed_pairs(demand, minutes, serves, max_minutes, candidates))
    ui, ug = np.nonzero(demand > 0)
    v = _Variables(ii, jj, gg, ui, ug, n_j)
    cost = np.concatenate([minute_cost * minutes[ii, jj], np.full(v.n_u, penalty), fixed_cost])
    a, lb, ub = _constraints(demand, capacity, v)
    lo = np.concatenate([np.zeros(v.n_x + v.n_u), must_open.astype(float)])
    hi = np.concatenate([demand[ii, gg], demand[ui, ug], np.ones(n_j)])
    integrality = np.concatenate([np.zeros(v.n_x + v.n_u), np.ones(n_j)])
    res = milp(cost, constraints=[LinearConstraint(a, lb, ub)], integrality=integrality,
               bounds=Bounds(lo, hi),
               options={"time_limit": float(time_limit), "mip_rel_gap": MIP_RELATIVE_GAP})
    if res.x is None:
        raise RuntimeError(f"facility-location MILP failed: {res.message}")
    sol = res.x
    flow = np.zeros((demand.shape[0], n_j, demand.shape[1]))
    flow[ii, jj, gg] = sol[: v.n_x]
    unserved = np.zeros(demand.shape)
    unserved[ui, ug] = sol[v.n_x: v.n_x + v.n_u]
    is_open = sol[v.n_x + v.n_u:] > BINARY_CUT
    travel = float(minute_cost * (minutes[ii, jj] * sol[: v.n_x]).sum())
    return FacilityResult(open=is_open, flow=flow, unserved=unserved, objective=float(res.fun),
                          travel_cost=travel, fixed_cost=float(fixed_cost[is_open].sum()),
                          status=str(res.message), optimal=res.status == 0)
