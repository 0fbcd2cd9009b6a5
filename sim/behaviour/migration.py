"""Family migration: a vectorised multinomial logit each year (DESIGN §5 step 3).

Alternatives (columns of the utility matrix), each relative to staying (utility 0):

- ``town``: move to the county town with the children (随迁, 陪读)::

      V = town_constant + growth·t + b_gap·gap + b_transition·[child enters grade 1 or 7]
          + b_closed·[child's school just closed] + b_income·ln(income / rural median)
          − b_housing·housing_cost / (income·household_size) − b_hukou·barrier·[rural hukou]

- ``away``: parents leave for work, children stay behind (留守):
  ``away_constant + b_income_away·ln(income / rural median)``;
- ``leave``: the whole family leaves the county: ``leave_constant``;
- ``return``: back home from town, or parents coming back: ``return_constant −
  b_years·years in town − b_gap·gap``;
- ``seat``: move with the children to the township seat of the family's village (进镇)::

      V = seat_constant + seat_growth·t + b_gap·seat_gap + b_transition·[...] + b_closed·[...]
          + b_income·ln(income / rural median) − b_housing·seat_housing_cost / (income·size)

``gap`` is the quality of the best county-town school for the child's stage minus the quality
of the child's school (or of the catchment school for children not yet at school), the largest
over the family's children; ``seat_gap`` likewise with the best school of the family's township
seat. Which alternatives exist depends on the family's status: a family living in the county
town cannot move there; only village families can move to their seat (no points check there);
a family that moved to a seat may move on to the county town, go back home or leave; only
families away from home can return. Incomes, the rural median and housing costs are those of
the year (:mod:`sim.behaviour.incomes`).
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.incomes import housing_cost, income_median
from sim.rows import row_count, row_cumsum, row_max
from sim.state import (
    CHILD_LEFT,
    COUNTY_TOWN_TIER,
    ENROLLED,
    FAMILY_LEFT,
    HOME,
    IN_TOWN,
    OPEN,
    PARENTS_AWAY,
    PRESCHOOL,
    PRIMARY_TOP_GRADE,
    VILLAGE,
    leave_school,
)
from sim.state import TOWN as TOWNSHIP_SEAT

STAY, TOWN, AWAY, LEAVE, RETURN, SEAT = range(6)
ALTERNATIVES = ("stay", "town", "away", "leave", "return", "seat")


def settle_migrants(model, families: np.ndarray, years_ago: np.ndarray | int) -> None:
    """Mark the rural-hukou families living in the county town as migrants from a village.

    Of ``families``, the rural-hukou ones living in the county town are migrants: they came
    from a village (drawn by population) ``years_ago``.

    Parameters
    ----------
    model : EducationModel
        The model; its families table is changed in place.
    families : numpy.ndarray
        Families-table row indices to consider.
    years_ago : numpy.ndarray or int
        Years since each family (or every family) moved to the county town (years).
    """
    rng, f = model.rng, model.families
    villages = np.flatnonzero(model.settlements.kind == VILLAGE)
    migrants = families[(f.hukou[families] == 0) & (f.settlement[families] == model.county_town)]
    if villages.size == 0 or migrants.size == 0:
        return
    weights = model.settlements.population[villages].astype(float)
    f.home_settlement[migrants] = rng.choice(
        villages, size=migrants.size, p=weights / weights.sum()
    )
    f.status[migrants] = IN_TOWN
    f.moved_year[migrants] = (
        model.year - np.broadcast_to(years_ago, families.shape)[np.isin(families, migrants)]
    )


def initial_migrants(model) -> None:
    """Set families' starting statuses: town migrants and families with parents away.

    Rural-hukou families in the county town came from a village some years ago (1-6); a share
    of other rural families (``migration.initial_parents_away_share``) have parents away.

    Parameters
    ----------
    model : EducationModel
        The model, after :func:`~sim.behaviour.demography.initial_population`; its families
        table is changed in place.
    """
    cfg, rng = model.scenario.migration, model.rng
    f = model.families
    town = model.county_town
    everyone = np.arange(f.n)
    settle_migrants(model, everyone, rng.integers(1, 7, size=f.n))
    rural = f.hukou == 0
    others = np.flatnonzero(rural & (f.settlement != town))
    away = others[rng.random(others.size) < cfg.initial_parents_away_share]
    f.status[away] = PARENTS_AWAY


def family_terms(model) -> dict[str, np.ndarray]:
    """Per-family inputs of the logit.

    Parameters
    ----------
    model : EducationModel
        The model, in the year of the decision.

    Returns
    -------
    dict of str to numpy.ndarray
        Arrays of length n_families: ``active`` (bool; has a child not yet through school),
        ``gap`` (float; quality of the best county-town school for the child's stage minus that
        of the child's or catchment school, the largest over the children; 0 when not active),
        ``seat`` (int; settlement of the family's township seat, -1 none: villages of the
        county town's township, or no seat), ``seat_gap`` (float; as ``gap`` with the best
        open school of that seat; 0 when the seat has no school for a child's stage),
        ``transition`` (bool; a child enters grade 1 or 7) and ``closed`` (bool; a child's
        school just closed or stopped teaching the child's grade this year).
    """
    c, s, f = model.children, model.schools, model.families
    live = (c.status == PRESCHOOL) | (c.status == ENROLLED)
    kids = np.flatnonzero(live)
    fam = c.family[kids]
    active = np.zeros(f.n, bool)
    active[fam] = True
    grade = c.grade[kids]
    stage_junior = grade > PRIMARY_TOP_GRADE
    school = c.school[kids]
    # Quality now: the child's school, else the catchment school of its (next) grade.
    catch = model.candidates.catchment[np.maximum(grade, 1), f.settlement[fam]]
    reference = np.where(school >= 0, school, catch)
    q_now = np.where(reference >= 0, s.quality[np.maximum(reference, 0)], 0.0)
    town_open = (s.tier == COUNTY_TOWN_TIER) & (s.status == OPEN)
    best = np.zeros(2)
    for stage, served in (
        (0, s.grade_min <= PRIMARY_TOP_GRADE),
        (1, s.grade_max > PRIMARY_TOP_GRADE),
    ):
        pool = s.quality[town_open & served]
        best[stage] = pool.max() if pool.size else 0.0
    gap = np.full(f.n, -np.inf)
    np.maximum.at(gap, fam, best[stage_junior.astype(int)] - q_now)
    gap[~active] = 0.0
    seat = seat_of_settlement(model)[f.settlement]
    best_seat = _best_seat_quality(model)[np.maximum(seat[fam], 0), stage_junior.astype(int)]
    child_seat_gap = np.where(np.isfinite(best_seat) & (seat[fam] >= 0), best_seat - q_now, 0.0)
    seat_gap = np.full(f.n, -np.inf)
    np.maximum.at(seat_gap, fam, child_seat_gap)
    seat_gap[~active] = 0.0
    displaced = (school >= 0) & (
        (s.status[np.maximum(school, 0)] != OPEN) | (s.grade_max[np.maximum(school, 0)] < grade)
    )
    entering = ((c.status[kids] == PRESCHOOL) & (grade == 1)) | (
        (grade == PRIMARY_TOP_GRADE + 1) & displaced
    )
    transition = np.zeros(f.n, bool)
    transition[fam[entering]] = True
    # Closed: the school closed, or stopped teaching the child's grade this year (a downgrade
    # marks its pupils displaced), not a normal move on from a school's top grade.
    lost = (s.status[np.maximum(school, 0)] != OPEN) | (c.displaced_year[kids] == model.year)
    closed = np.zeros(f.n, bool)
    closed[fam[displaced & lost]] = True
    return {
        "active": active,
        "gap": gap,
        "seat": seat,
        "seat_gap": seat_gap,
        "transition": transition,
        "closed": closed,
    }


def seat_of_settlement(model) -> np.ndarray:
    """The township seat of each settlement's township.

    Parameters
    ----------
    model : EducationModel
        The model (its settlements table).

    Returns
    -------
    numpy.ndarray
        Settlement index of the seat (a settlement of kind ``town``) of each settlement's
        township, -1 where the township has none (the county town's own township).
    """
    st = model.settlements
    towns = np.flatnonzero(st.kind == TOWNSHIP_SEAT)
    seat_of_township = np.full(int(st.township.max(initial=0)) + 1, -1, dtype=np.int64)
    seat_of_township[st.township[towns[::-1]]] = towns[::-1]  # the first seat of a township
    return seat_of_township[st.township]


def _best_seat_quality(model) -> np.ndarray:
    """(n_settlements, 2) best quality of open primary and junior schools there (-inf: none)."""
    s = model.schools
    best = np.full((model.settlements.n, 2), -np.inf)
    open_ = s.status == OPEN
    for stage, served in (
        (0, s.grade_min <= PRIMARY_TOP_GRADE),
        (1, s.grade_max > PRIMARY_TOP_GRADE),
    ):
        pool = np.flatnonzero(open_ & served)
        np.maximum.at(best[:, stage], s.settlement[pool], s.quality[pool].astype(float))
    return best


def utilities(model, terms: dict[str, np.ndarray]) -> np.ndarray:
    """Deterministic utilities of the alternatives, relative to staying.

    Parameters
    ----------
    model : EducationModel
        The model, in the year of the decision.
    terms : dict of str to numpy.ndarray
        The per-family inputs from :func:`family_terms`.

    Returns
    -------
    numpy.ndarray
        Shape (n_families, 6), columns in :data:`ALTERNATIVES` order; 0 for staying, -inf where
        an alternative does not exist for the family's status.
    """
    scn = model.scenario
    cfg, f = scn.migration, model.families
    town = model.county_town
    rural_median = float(income_median(scn, model.year, False)[0])
    log_income = np.log(np.maximum(f.income, 1.0) / rural_median)
    household_income = np.maximum(f.income, 1.0) * cfg.household_size
    rural = f.hukou == 0
    years = model.year - scn.start_year
    common = (
        cfg.beta_transition * terms["transition"]
        + cfg.beta_school_closed * terms["closed"]
        + cfg.beta_income * log_income
    )
    seat_u = (
        cfg.seat_constant
        + cfg.seat_pull_growth_per_year * years
        + cfg.beta_quality_gap * terms["seat_gap"]
        + common
        - cfg.beta_housing
        * housing_cost(scn, model.year, cfg.seat_housing_cost_yuan)
        / household_income
    )
    town_u = (
        cfg.town_constant
        + cfg.town_pull_growth_per_year * years
        + cfg.beta_quality_gap * terms["gap"]
        + common
        - cfg.beta_housing * housing_cost(scn, model.year, cfg.housing_cost_yuan) / household_income
        - cfg.beta_hukou * hukou_barrier(model) * rural
    )
    home, in_town, away = f.status == HOME, f.status == IN_TOWN, f.status == PARENTS_AWAY
    at_seat = model.settlements.kind[f.settlement] == TOWNSHIP_SEAT
    in_town_years = np.where(f.moved_year >= 0, model.year - f.moved_year, 0)
    gap_here = np.where(at_seat, terms["seat_gap"], terms["gap"])
    return_u = (
        cfg.return_constant
        - cfg.beta_years_in_town * in_town_years
        - cfg.beta_quality_gap * np.maximum(gap_here, 0)
    )
    u = np.full((f.n, len(ALTERNATIVES)), -np.inf)
    u[:, STAY] = 0.0
    can_move = (home | away | (in_town & at_seat)) & (f.settlement != town)
    # Column by column through masked copies: whole columns, no gathered temporaries.
    np.copyto(u[:, TOWN], town_u, where=can_move)
    villager = model.settlements.kind[f.settlement] == VILLAGE
    to_seat = (home | away) & villager & (terms["seat"] >= 0)
    np.copyto(u[:, SEAT], seat_u, where=to_seat)
    np.copyto(u[:, AWAY], cfg.away_constant + cfg.beta_income_away * log_income,
              where=home & rural)
    np.copyto(u[:, LEAVE], cfg.leave_constant, where=home | in_town | away)
    np.copyto(u[:, RETURN], return_u, where=in_town)
    np.copyto(u[:, RETURN], cfg.return_constant, where=away)
    return u


def migration_phase(model) -> np.ndarray:
    """Each active family draws an alternative from the logit; apply the moves.

    Parameters
    ----------
    model : EducationModel
        The model, in the year of the decision; its tables are changed in place.

    Returns
    -------
    numpy.ndarray
        Children-table row indices of the enrolled children whose family moved (they choose a
        school this year); empty when migration is disabled.
    """
    cfg = model.scenario.migration
    f = model.families
    if not cfg.enabled or f.n == 0:
        return np.zeros(0, dtype=np.int64)
    terms = family_terms(model)
    u = utilities(model, terms)
    deciding = terms["active"] & (f.status != FAMILY_LEFT)
    choice = _draw_logit(u, model.rng, deciding)
    return apply_moves(model, choice)


def _draw_logit(u: np.ndarray, rng, rows: np.ndarray | None = None) -> np.ndarray:
    """One draw per row from softmax(u) by inverting the cumulative probabilities.

    ``rows`` (bool per row) marks the rows that decide; the others stay (alternative 0). A
    uniform is drawn for every row all the same, so the random stream does not depend on who
    decides.
    """
    uniform = rng.random(u.shape[0])
    choice = np.zeros(u.shape[0], dtype=np.int64)
    rows = slice(None) if rows is None else rows
    deciding = u[rows] - row_max(u[rows])[:, None]
    cum = row_cumsum(np.exp(deciding, out=deciding))
    choice[rows] = row_count(cum < (uniform[rows] * cum[:, -1])[:, None])
    return choice


def apply_moves(model, choice: np.ndarray) -> np.ndarray:
    """Apply chosen alternatives.

    Parameters
    ----------
    model : EducationModel
        The model; its families and children tables are changed in place.
    choice : numpy.ndarray
        One alternative per family (:data:`STAY`, :data:`TOWN`, :data:`AWAY`, :data:`LEAVE`,
        :data:`RETURN`, :data:`SEAT`).

    Returns
    -------
    numpy.ndarray
        Children-table row indices of the enrolled children who need a school because their
        family moved.
    """
    f = model.families
    town = model.county_town
    movers_f = np.zeros(f.n, bool)
    to_town = np.flatnonzero(choice == TOWN)
    f.settlement[to_town] = town
    f.status[to_town] = IN_TOWN
    f.moved_year[to_town] = model.year
    movers_f[to_town] = True
    to_seat = np.flatnonzero(choice == SEAT)
    f.settlement[to_seat] = seat_of_settlement(model)[f.settlement[to_seat]]
    f.status[to_seat] = IN_TOWN
    f.moved_year[to_seat] = model.year
    movers_f[to_seat] = True
    f.status[choice == AWAY] = PARENTS_AWAY
    back = np.flatnonzero(choice == RETURN)
    moved_back = back[f.settlement[back] != f.home_settlement[back]]
    f.settlement[back] = f.home_settlement[back]
    f.status[back] = HOME
    f.moved_year[moved_back] = model.year
    movers_f[moved_back] = True
    leave_county(model, np.flatnonzero(choice == LEAVE))
    c = model.children
    return np.flatnonzero(movers_f[c.family] & (c.status == ENROLLED))


def leave_county(model, families: np.ndarray) -> None:
    """Families ``families`` leave the county with their children.

    Parameters
    ----------
    model : EducationModel
        The model; its tables and its year's count of children who left are changed in place.
    families : numpy.ndarray
        Families-table row indices of the families who leave.
    """
    f, c = model.families, model.children
    f.status[families] = FAMILY_LEFT
    f.moved_year[families] = model.year
    gone = np.zeros(f.n, bool)
    gone[families] = True
    kids = np.flatnonzero(gone[c.family] & ((c.status == ENROLLED) | (c.status == PRESCHOOL)))
    leave_school(c, kids, CHILD_LEFT, model.year)
    model.counts.children_left_county += int(kids.size)


def town_admission(model, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The county-town points/hukou check for children ``idx`` who choose a school this year.

    Urban-hukou children always pass; rural-hukou children fail with chance the barrier in
    force (:func:`hukou_barrier`). A child of a family living in town who fails is refused:
    the family goes back home, sends the children back (parents stay away, 留守), or leaves
    the county (``migration.refused_response``), before assignment.

    Parameters
    ----------
    model : EducationModel
        The model; families refused are moved in place.
    idx : numpy.ndarray
        Children-table row indices of the children who choose a school this year.

    Returns
    -------
    children : numpy.ndarray
        The children who choose a school: ``idx`` less those who left the county, plus
        enrolled siblings whose family moved back (sorted).
    admitted : numpy.ndarray
        Bool per child, whether county-town schools may take them.
    """
    scn, rng = model.scenario, model.rng
    f, c = model.families, model.children
    passed = _passes(model, idx)
    fam = c.family[idx]
    refused = ~passed & (f.status[fam] == IN_TOWN) & (f.settlement[fam] == model.county_town)
    model.counts.migrant_children_refused += int(refused.sum())
    families = np.unique(fam[refused])
    extra = np.zeros(0, dtype=np.int64)
    if families.size:
        r = scn.migration.refused_response
        shares = np.array([r.go_back, r.stay_behind, r.leave])
        pick = np.searchsorted(
            np.cumsum(shares), rng.random(families.size) * shares.sum(), side="right"
        )
        back = families[pick < 2]
        f.settlement[back] = f.home_settlement[back]
        f.status[back] = np.where(pick[pick < 2] == 0, HOME, PARENTS_AWAY)
        f.moved_year[back] = model.year
        leave_county(model, families[pick == 2])
        moved = np.zeros(f.n, bool)
        moved[back] = True
        also = moved[c.family] & (c.status == ENROLLED)
        also[idx] = False
        extra = np.flatnonzero(also)
    children = np.concatenate([idx, extra]).astype(np.int64)
    admitted = np.concatenate([passed, _passes(model, extra)])
    order = np.argsort(children, kind="stable")
    children, admitted = children[order], admitted[order]
    keep = c.status[children] != CHILD_LEFT
    return children[keep], admitted[keep]


def hukou_barrier(model) -> float:
    """The barrier in force: a policy's (``effects.hukou_barrier``) or the scenario's.

    Parameters
    ----------
    model : EducationModel
        The model, in the year of the check.

    Returns
    -------
    float
        The chance, in [0, 1], that a rural-hukou child fails the county-town check.
    """
    override = model.effects.hukou_barrier
    return model.scenario.admission.hukou_barrier if override is None else override


def _passes(model, idx: np.ndarray) -> np.ndarray:
    urban = model.families.hukou[model.children.family[idx]] == 1
    return urban | (model.rng.random(idx.size) >= hukou_barrier(model))
