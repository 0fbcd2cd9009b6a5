"""Demography: the initial population, births, ageing, grade progression and completion."""

from __future__ import annotations

import numpy as np

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
    Children,
    leave_school,
)


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
    _add_families(model, family_settlement)
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


def _add_families(model, settlement: np.ndarray) -> np.ndarray:
    """Append families living in ``settlement`` with hukou and income drawn from the scenario."""
    scn, rng = model.scenario, model.rng
    kind = model.settlements.kind[settlement]
    urban = (kind == COUNTY_TOWN) & (
        rng.random(settlement.size) < scn.county.urban_hukou_share_county_town
    )
    median = np.where(
        urban, scn.families.income_median_urban_yuan, scn.families.income_median_rural_yuan
    )
    income = median * np.exp(rng.normal(0.0, scn.families.income_sigma, settlement.size))
    rows = model.families.add(
        settlement.size,
        settlement=settlement,
        home_settlement=settlement,
        hukou=urban.astype(np.int8),
        income=income,
        status=HOME,
    )
    model.add_family_agents(rows)
    return rows


def births_phase(model) -> int:
    """Add this year's newborns to the children table.

    A share join a family of the same settlement whose youngest child is under school age, the
    rest start new families (settled as migrants when migration is enabled).

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
    living = families.status != FAMILY_LEFT
    where = families.settlement
    pop = np.bincount(where[living], minlength=model.settlements.n).astype(float)
    # Births follow the trajectory; where they happen follows where families with children live,
    # blended with the settlement's residents so empty places still see births.
    share = 0.5 * pop / max(pop.sum(), 1) + 0.5 * model.settlements.population / max(
        model.settlements.population.sum(), 1
    )
    counts = rng.poisson(births(scn, year, int(model.settlements.population.sum()))[0] * share)
    settlement = np.repeat(np.arange(share.size), counts)
    n = settlement.size
    if n == 0:
        return 0
    p = np.asarray(scn.families.children_per_family)
    sizes = np.arange(1, p.size + 1)
    sibling_share = 1.0 - 1.0 / float(
        (p * sizes).sum()
    )  # share of births that are not first children
    youngest = np.full(families.n, -9999, dtype=np.int32)
    np.maximum.at(youngest, children.family, children.birth_year.astype(np.int32))
    eligible = np.flatnonzero(
        living
        & (families.status == HOME)
        & (year - youngest >= 1)
        & (year - youngest < scn.demography.school_entry_age)
    )
    family = _pick_family_in_settlement(eligible, where[eligible], settlement, rng)
    join = (rng.random(n) < sibling_share) & (family >= 0)
    new_rows = _add_families(model, settlement[~join])
    if scn.migration.enabled:
        settle_migrants(model, new_rows, 0)
    family[~join] = new_rows
    children.add(n, family=family, birth_year=year, status=PRESCHOOL)
    return n


def _pick_family_in_settlement(candidates, candidate_settlement, settlement, rng) -> np.ndarray:
    """For each birth, a uniformly drawn candidate family of the same settlement (-1 if none)."""
    order = np.argsort(candidate_settlement, kind="stable")
    candidates, candidate_settlement = candidates[order], candidate_settlement[order]
    start = np.searchsorted(candidate_settlement, settlement, side="left")
    stop = np.searchsorted(candidate_settlement, settlement, side="right")
    count = stop - start
    draw = rng.random(settlement.size)
    if candidates.size == 0:
        return np.full(settlement.size, -1, dtype=np.int64)
    pick = np.minimum(start + np.floor(draw * count).astype(np.int64), candidates.size - 1)
    return np.where(count > 0, candidates[pick], -1)


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
