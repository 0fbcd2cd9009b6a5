"""Incomes and housing costs over time: the scenario's paths, interpolated by calendar year.

Family incomes are drawn around the start-year medians (``families.income_median_*_yuan``)
and then grow every year with the NBS per-capita income path of their hukou
(``families.rural_income_path`` / ``urban_income_path``); housing costs are start-year costs
times ``migration.housing_cost_index`` (flat when empty).
"""

from __future__ import annotations

import numpy as np


def path_value(path: dict[int, float], years, trend_per_year: float = 0.0) -> np.ndarray:
    """Values of a by-year path at calendar ``years``.

    Parameters
    ----------
    path : dict of int to float
        Values by calendar year (any scale); empty means 1 in every year.
    years : int or numpy.ndarray
        Calendar years.
    trend_per_year : float
        Yearly relative change after the path's last year (before its first it is held).

    Returns
    -------
    numpy.ndarray
        One float per year: interpolated between the path's years.
    """
    y = np.atleast_1d(np.asarray(years, dtype=float))
    if not path:
        return np.ones_like(y)
    known = np.array(sorted(path), dtype=float)
    values = np.array([path[int(k)] for k in known], dtype=float)
    out = np.interp(y, known, values)
    after = y > known[-1]
    out[after] = values[-1] * (1.0 + trend_per_year) ** (y[after] - known[-1])
    return out


def income_index(scenario, years, urban) -> np.ndarray:
    """Per-capita income in ``years`` relative to the start year, by hukou.

    Parameters
    ----------
    scenario : Scenario
        The scenario (its ``families`` income paths and ``start_year``).
    years : int or numpy.ndarray
        Calendar years.
    urban : bool or numpy.ndarray of bool
        Urban hukou (urban path) or rural (rural path); broadcast with ``years``.

    Returns
    -------
    numpy.ndarray
        Income in each year over income in the start year (1 in the start year).
    """
    fam = scenario.families
    start = scenario.start_year

    def relative(path):
        return path_value(path, years, fam.income_trend_per_year) / path_value(
            path, start, fam.income_trend_per_year
        )

    return np.where(urban, relative(fam.urban_income_path), relative(fam.rural_income_path))


def income_median(scenario, year: int, urban) -> np.ndarray:
    """Median per-capita income (yuan/yr) in ``year`` of urban- or rural-hukou families.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    year : int
        Calendar year.
    urban : bool or numpy.ndarray of bool
        Urban hukou, per family or one value.

    Returns
    -------
    numpy.ndarray
        The start-year median of the hukou times its income index in ``year``.
    """
    fam = scenario.families
    median = np.where(urban, fam.income_median_urban_yuan, fam.income_median_rural_yuan)
    return median * income_index(scenario, year, urban)


def grow_incomes(model) -> None:
    """Family incomes follow their hukou's income path from last year to ``model.year``.

    Parameters
    ----------
    model : EducationModel
        The model; its families' ``income`` is changed in place.
    """
    f, scn = model.families, model.scenario
    if f.n == 0:
        return
    ratio = np.array(
        [
            income_index(scn, model.year, urban)[0] / income_index(scn, model.year - 1, urban)[0]
            for urban in (False, True)
        ]
    )
    f.income = f.income * ratio[(f.hukou == 1).astype(np.int64)]


def housing_cost(scenario, year: int, start_year_yuan: float) -> float:
    """Yearly housing cost in ``year`` (yuan) of a cost that was ``start_year_yuan`` at the start.

    Parameters
    ----------
    scenario : Scenario
        The scenario (``migration.housing_cost_index``, held flat outside its years).
    year : int
        Calendar year.
    start_year_yuan : float
        The cost in the start year (yuan/yr).

    Returns
    -------
    float
        The cost in ``year`` (yuan/yr).
    """
    index = scenario.migration.housing_cost_index
    ratio = path_value(index, year)[0] / path_value(index, scenario.start_year)[0]
    return float(start_year_yuan * ratio)
