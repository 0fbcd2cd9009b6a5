"""Demography: the initial population, births, ageing, grade progression and completion.

Births come from resident families: each family's mother has a birth year, an age-specific
fertility schedule (``demography.fertility_by_age_group``) weighs the mothers, and the level is
scaled each year so that the county's expected births follow the births path
(:func:`sim.scenario.derived.births`) had no family left the county. Families that left keep
their weight in that scale but have no births here, so they take their future births with them;
a settlement without resident mothers has no births.
"""

from __future__ import annotations

import numpy as np

from sim.behaviour.incomes import income_median
from sim.behaviour.migration import settle_migrants
from sim.scenario.derived import births, initial_cohort
from sim.state import (
    COMPLETED,
    COUNTY_TOWN,
    DROPPED_OUT,
    ENROLLED,
    FAMILY_LEFT,
    GRADES,
    HOME,
    PRESCHOOL,
    PRIMARY_TOP_GRADE,
    Children,
    leave_school,
)

#: First age (years) of the fertility schedule's first group (15-19).
FERTILE_AGE_MIN = 15
#: Years in each group of ``demography.fertility_by_age_group``.
FERTILITY_GROUP_YEARS = 5
#: Youngest and oldest mother's age at her first birth that a draw may give (years).
FIRST_BIRTH_AGE_RANGE = (16, 42)


def initial_population(model) -> None:
    """Fill the families and children tables for the school year before the first simulated one.

    Children aged 0 to the end of grade 9 are drawn per settlement and birth year (Poisson
    around ``initial_cohort``), then grouped into families of 1, 2, 3... children with
    siblings close in age.

    Parameters
    ----------
    model : EducationModel
        The model; its ``year`` is the school year before the first simulated one, and its
        families and children tables are filled in place (family agents are added too).
    """
    scn, rng = model.scenario, model.rng
    year = model.year
    entry = scn.demography.school_entry_age
    birth_years = np.arange(year - entry - GRADES + 1, year + 1)
    share = model.settlements.population / max(model.settlements.population.sum(), 1)
    residents = int(model.settlements.population.sum())
    expected = np.outer(
        share, initial_cohort(scn, birth_years, residents)
    )  # settlement x birth year
    counts = rng.poisson(expected)
    settlement = np.repeat(np.repeat(np.arange(counts.shape[0]), counts.shape[1]), counts.ravel())
    birth_year = np.repeat(np.tile(birth_years, counts.shape[0]), counts.ravel())
    # Siblings: sort children by settlement and a noisy birth year, then cut into families.
    order = np.lexsort((birth_year + rng.normal(0, 2.0, birth_year.size), settlement))
    settlement, birth_year = settlement[order], birth_year[order]
    family_of_child = _cut_into_families(settlement, scn.families.children_per_family, rng)
    n_families = int(family_of_child.max()) + 1 if family_of_child.size else 0
    family_settlement = np.zeros(n_families, dtype=np.int32)
    family_settlement[family_of_child] = settlement
    eldest = np.full(n_families, np.iinfo(np.int32).max, dtype=np.int64)
    np.minimum.at(eldest, family_of_child, birth_year)
    _add_families(model, family_settlement, eldest - _first_birth_age(scn, rng, n_families))
    age = year - birth_year
    grade = np.clip(age - entry + 1, 0, GRADES)
    enrolled = grade >= 1
    model.children.add(
        birth_year.size,
        family=family_of_child,
        birth_year=birth_year,
        grade=grade,
        status=np.where(enrolled, ENROLLED, PRESCHOOL),
        entry_year=np.where(enrolled, birth_year + entry, -1),
    )


def _cut_into_families(settlement: np.ndarray, probabilities: list[float], rng) -> np.ndarray:
    """Family index of each child: consecutive children of a settlement form families.

    Family sizes follow ``probabilities`` (of 1, 2, 3... children); a family never spans
    settlements.
    """
    n = settlement.size
    if n == 0:
        return np.zeros(0, dtype=np.int32)
    sizes = rng.choice(np.arange(1, len(probabilities) + 1), size=n, p=probabilities)
    starts_of_family = np.zeros(n, dtype=bool)
    starts_of_family[np.cumsum(sizes)[np.cumsum(sizes) < n]] = True
    starts_of_family[0] = True
    starts_of_family[1:] |= settlement[1:] != settlement[:-1]
    return (np.cumsum(starts_of_family) - 1).astype(np.int32)


def _first_birth_age(scn, rng, n: int) -> np.ndarray:
    """Mothers' ages at their first child's birth (whole years, normal draw, clipped)."""
    fam = scn.families
    age = rng.normal(fam.mother_age_at_first_birth_mean, fam.mother_age_at_first_birth_sd, n)
    return np.clip(np.rint(age), *FIRST_BIRTH_AGE_RANGE).astype(np.int64)


def fertility(scenario, mother_age: np.ndarray) -> np.ndarray:
    """Relative yearly fertility of mothers aged ``mother_age`` (births per 1,000 women).

    Parameters
    ----------
    scenario : Scenario
        The scenario (``demography.fertility_by_age_group``).
    mother_age : numpy.ndarray
        Mothers' ages (years).

    Returns
    -------
    numpy.ndarray
        The schedule's rate of each mother's five-year age group; 0 outside the schedule.
    """
    schedule = np.asarray(scenario.demography.fertility_by_age_group, dtype=float)
    group = (np.asarray(mother_age, dtype=np.int64) - FERTILE_AGE_MIN) // FERTILITY_GROUP_YEARS
    inside = (group >= 0) & (group < schedule.size)
    return np.where(inside, schedule[np.clip(group, 0, schedule.size - 1)], 0.0)


def _add_families(model, settlement: np.ndarray, mother_birth_year: np.ndarray) -> np.ndarray:
    """Append families living in ``settlement`` with hukou and income drawn from the scenario."""
    scn, rng = model.scenario, model.rng
    kind = model.settlements.kind[settlement]
    urban = (kind == COUNTY_TOWN) & (
        rng.random(settlement.size) < scn.county.urban_hukou_share_county_town
    )
    median = income_median(scn, model.year, urban)
    income = median * np.exp(rng.normal(0.0, scn.families.income_sigma, settlement.size))
    rows = model.families.add(
        settlement.size,
        settlement=settlement,
        home_settlement=settlement,
        hukou=urban.astype(np.int8),
        income=income,
        status=HOME,
        mother_birth_year=mother_birth_year,
    )
    model.add_family_agents(rows)
    return rows


def births_phase(model) -> int:
    """Grow incomes to this year, then add this year's newborns to the children table.

    Expected births in a settlement are the county's births path times the fertility of the
    mothers living there over the fertility of every family's mother, including families that
    left the county (:func:`fertility` of the mother's age). With no mothers of known age at
    all, births are spread by the settlements' residents. A share ``1 − 1/E[children per
    family]`` of births are younger siblings: they join a resident family of the settlement
    whose youngest child is at least a year old, drawn with weight the mother's fertility times
    the family's chance of a further child (``families.children_per_family``); the others, and
    births with no such family, start new families there (settled as migrants when migration
    is enabled), whose mother's age at the birth is drawn as in the initial population.

    Parameters
    ----------
    model : EducationModel
        The model, in the year of the births; its tables are changed in place.

    Returns
    -------
    int
        The number of children born.
    """
    scn, rng, year = model.scenario, model.rng, model.year
    families, children = model.families, model.children
    n_settlements = model.settlements.n
    county_births = births(scn, year, int(model.settlements.population.sum()))[0]
    living = families.status != FAMILY_LEFT
    weight = fertility(scn, year - families.mother_birth_year.astype(np.int64))
    if weight.sum() > 0:
        here = np.bincount(
            families.settlement[living], weights=weight[living], minlength=n_settlements
        )
        expected = county_births * here / weight.sum()
    else:
        population = model.settlements.population.astype(float)
        expected = county_births * population / max(population.sum(), 1.0)
    counts = rng.poisson(expected)
    settlement = np.repeat(np.arange(n_settlements), counts)
    n = settlement.size
    if n == 0:
        return 0
    p = np.asarray(scn.families.children_per_family, dtype=float)
    sizes = np.arange(1, p.size + 1)
    sibling_share = 1.0 - 1.0 / float((p * sizes).sum())  # births that are not first children
    youngest = np.full(families.n, -9999, dtype=np.int32)
    np.maximum.at(youngest, children.family, children.birth_year.astype(np.int32))
    n_children = np.bincount(children.family, minlength=families.n)
    at_least = np.concatenate([np.cumsum(p[::-1])[::-1], [0.0]])  # P(size >= k), k = 1, 2...
    further = np.zeros(p.size + 2)  # P(another child | k children) for k = 0..size+1
    further[1 : p.size + 1] = np.divide(
        at_least[1:], at_least[:-1], out=np.zeros(p.size), where=at_least[:-1] > 0
    )
    sibling_weight = weight * further[np.minimum(n_children, p.size + 1)]
    eligible = np.flatnonzero(living & (year - youngest >= 1) & (sibling_weight > 0))
    family = _pick_family_in_settlement(
        eligible, families.settlement[eligible], sibling_weight[eligible], settlement, rng
    )
    join = (rng.random(n) < sibling_share) & (family >= 0)
    starting = settlement[~join]
    new_rows = _add_families(model, starting, year - _first_birth_age(scn, rng, starting.size))
    if scn.migration.enabled:
        settle_migrants(model, new_rows, 0)
    family[~join] = new_rows
    children.add(n, family=family, birth_year=year, status=PRESCHOOL)
    return n


def _pick_family_in_settlement(
    candidates, candidate_settlement, weight, settlement, rng
) -> np.ndarray:
    """For each birth, a family of its settlement drawn with ``weight`` (-1 if none)."""
    if candidates.size == 0:
        return np.full(settlement.size, -1, dtype=np.int64)
    order = np.argsort(candidate_settlement, kind="stable")
    candidates, candidate_settlement = candidates[order], candidate_settlement[order]
    cum = np.cumsum(np.asarray(weight, dtype=float)[order])
    start = np.searchsorted(candidate_settlement, settlement, side="left")
    stop = np.searchsorted(candidate_settlement, settlement, side="right")
    low = np.where(start > 0, cum[np.maximum(start - 1, 0)], 0.0)
    high = np.where(stop > 0, cum[np.maximum(stop - 1, 0)], 0.0)
    draw = low + rng.random(settlement.size) * (high - low)
    pick = np.clip(np.searchsorted(cum, draw, side="right"), start, np.maximum(stop - 1, start))
    pick = np.minimum(pick, candidates.size - 1)
    return np.where(high > low, candidates[pick], -1)


def progression_phase(model) -> dict[str, np.ndarray]:
    """Age everyone a year: pupils move up a grade (or repeat), grade-9 pupils complete.

    Children reaching school age become grade-1 entrants.

    Parameters
    ----------
    model : EducationModel
        The model, in the new school year; its children table is changed in place.

    Returns
    -------
    dict of str to numpy.ndarray
        Children-table row indices of the ``entrants`` (now in grade 1) and of those who
        ``completed`` grade 9 (completion is dated the year before).
    """
    scn, rng, year = model.scenario, model.rng, model.year
    c: Children = model.children
    enrolled = np.flatnonzero(c.status == ENROLLED)
    repeat = rng.random(enrolled.size) < scn.demography.repetition_rate
    movers = enrolled[~repeat]
    finishing = movers[c.grade[movers] >= GRADES]
    leave_school(c, finishing, COMPLETED, year - 1)
    up = movers[c.grade[movers] < GRADES]
    c.grade[up] += 1
    entrants = np.flatnonzero(
        (c.status == PRESCHOOL) & (year - c.birth_year >= scn.demography.school_entry_age)
    )
    c.grade[entrants] = 1
    c.entry_year[entrants] = year
    return {"entrants": entrants, "completed": finishing}


def leave_out_of_reach(model, idx: np.ndarray) -> None:
    """Children ``idx`` have no school of their grade in reach: they leave school this year.

    They are counted as without a place (无学上: ``counts.out_of_reach``), not as dropouts, and
    may return in a later year like dropouts.

    Parameters
    ----------
    model : EducationModel
        The model; its children table and its year's counts are changed in place.
    idx : numpy.ndarray
        Children-table row indices.
    """
    leave_school(model.children, idx, DROPPED_OUT, model.year)
    model.counts.out_of_reach += int(idx.size)


def drop_out(model, idx: np.ndarray) -> None:
    """Mark children ``idx`` as dropped out this year (they leave their school and bed).

    Parameters
    ----------
    model : EducationModel
        The model; its children table and its year's dropout count are changed in place.
    idx : numpy.ndarray
        Children-table row indices of the children who drop out.
    """
    leave_school(model.children, idx, DROPPED_OUT, model.year)
    model.counts.dropouts += int(idx.size)
    model.counts.dropouts_primary += int((model.children.grade[idx] <= PRIMARY_TOP_GRADE).sum())
