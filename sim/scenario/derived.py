"""Quantities derived from a scenario's parameters (pure arithmetic, no randomness)."""

from __future__ import annotations

import numpy as np

from sim.scenario.schema import Scenario


def births_index(scenario: Scenario, years: np.ndarray | int) -> np.ndarray:
    """Return the relative births of calendar ``years`` (the scale of ``births_index``).

    Interpolated within ``demography.births_index``, held at its first value before it and
    changed by ``births_trend_per_year`` a year after its last.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its ``demography`` block).
    years : numpy.ndarray or int
        Calendar years.

    Returns
    -------
    numpy.ndarray
        One float per year.
    """
    table = scenario.demography.births_index
    known = np.array(sorted(table), dtype=float)
    values = np.array([table[int(y)] for y in known], dtype=float)
    y = np.atleast_1d(np.asarray(years, dtype=float))
    out = np.interp(y, known, values)
    after = y > known[-1]
    out[after] = values[-1] * (1 + scenario.demography.births_trend_per_year) ** (
        y[after] - known[-1]
    )
    return out


def births(
    scenario: Scenario, years: np.ndarray | int, residents: float | None = None
) -> np.ndarray:
    """Return the expected births in the county in calendar ``years`` (children).

    Parameters
    ----------
    scenario : Scenario
        The scenario (start-year birth rate and births index).
    years : numpy.ndarray or int
        Calendar years.
    residents : float, optional
        Residents in the start year (persons; default ``county.residents``, a real county
        passes its own total).

    Returns
    -------
    numpy.ndarray
        Expected births per year (children, float).
    """
    d = scenario.demography
    residents = scenario.county.residents if residents is None else residents
    at_start = residents * d.birth_rate_per_1000 / 1000
    return at_start * births_index(scenario, years) / births_index(scenario, scenario.start_year)[0]


def initial_cohort(
    scenario: Scenario, birth_years: np.ndarray | int, residents: float | None = None
) -> np.ndarray:
    """Return the expected children of each birth year living in the county at the start.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    birth_years : numpy.ndarray or int
        Calendar years of birth (before the start year).
    residents : float, optional
        Residents in the start year (persons; default ``county.residents``).

    Returns
    -------
    numpy.ndarray
        Expected children per birth year (float).
    """
    return births(scenario, birth_years, residents) * scenario.demography.resident_cohort_share


def expected_pupils_per_resident(scenario: Scenario) -> np.ndarray:
    """Return the expected pupils per resident at the start for grades 1 to 9.

    Parameters
    ----------
    scenario : Scenario
        The scenario.

    Returns
    -------
    numpy.ndarray
        Nine floats (pupils per resident); index 0 is grade 1.
    """
    grades = np.arange(1, 10)
    birth_years = scenario.start_year - scenario.demography.school_entry_age - (grades - 1)
    return initial_cohort(scenario, birth_years) / scenario.county.residents
