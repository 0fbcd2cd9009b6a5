"""Simulated moments and the distance a calibration minimises.

For a parameter vector θ the model runs R replicates; replicate r of *every* θ uses the root
seed and replicate number r (``sim.seeds.replicate_rng(seed, r)``): common random numbers, so
two candidates differ by their parameters, not by their luck, and the objective is a
deterministic function of θ. The simulated moment is the mean over replicates, and the
objective is the weighted mean squared relative error::

    J(θ) = Σ_m w_m · ((mean_r s_m(θ, r) − o_m) / |o_m|)² / Σ_m w_m
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import pandas as pd

from sim.experiment.calibration.targets import Moment
from sim.experiment.replicates import mean_interval
from sim.experiment.tasks import Task, scenario_with
from sim.metrics import COUNTY_COLUMNS, derived_series_row
from sim.model import EducationModel

#: Objective of a candidate whose runs failed or whose moments are undefined (0/0).
PENALTY = 1e6


def evaluate_calibration_run(task: Task) -> pd.DataFrame:
    """Run one replicate and return its county table with the derived series added.

    A top-level callable, so local and Dask workers can run it (``sim.experiment.executors``).

    Parameters
    ----------
    task
        The run: base scenario, fitted keys, replicate and root seed.

    Returns
    -------
    pandas.DataFrame
        One row per simulated year: ``replicate``, the county metrics
        (``sim.metrics.COUNTY_COLUMNS``), then the series of ``sim.metrics.DERIVED_SERIES``.

    Raises
    ------
    ScenarioError
        The fitted values make the scenario invalid.
    """
    scenario = scenario_with(task.scenario, task.params)
    model = EducationModel(scenario, seed=task.seed, replicate=task.replicate)
    derived = []
    for _ in range(scenario.years):
        model.step()
        derived.append(derived_series_row(model))
    county = pd.DataFrame(model.county_rows, columns=COUNTY_COLUMNS)
    county = pd.concat([county, pd.DataFrame(derived)], axis=1)
    county.insert(0, "replicate", task.replicate)
    # frees the model's tables now, not at the next cyclic collection (as sim.runner does)
    model.remove_all_agents()
    return county


def _moment_value(by_year: pd.DataFrame, moment: Moment) -> float:
    if moment.year is not None:
        return float(by_year.at[moment.year, moment.metric])
    first, last = (float(by_year.at[y, moment.metric]) for y in moment.change)
    return last / first - 1 if first != 0 else math.nan


def moment_values(county: pd.DataFrame, moments: Sequence[Moment]) -> np.ndarray:
    """Compute the simulated moments of every replicate.

    Parameters
    ----------
    county
        County tables with a ``replicate`` column (:func:`evaluate_calibration_run`).
    moments
        The targets' moments.

    Returns
    -------
    numpy.ndarray
        Shape (replicates, moments), replicates in ascending order: levels in the series' unit,
        relative changes as fractions (NaN where the first year's value is 0).
    """
    out = []
    for _, frame in county.groupby("replicate", sort=True):
        by_year = frame.set_index("year")
        out.append([_moment_value(by_year, m) for m in moments])
    return np.asarray(out, dtype=float)


def objective(simulated: np.ndarray, moments: Sequence[Moment]) -> float:
    """Compute J, the weighted mean squared relative error of the replicate means.

    Parameters
    ----------
    simulated
        (replicates, moments) array of simulated moments.
    moments
        The targets' moments (observed values and weights).

    Returns
    -------
    float
        J (dimensionless, ≥ 0), or :data:`PENALTY` if it is undefined.
    """
    weights = np.array([m.weight for m in moments])
    value = float((weights * relative_errors(simulated.mean(axis=0), moments) ** 2).sum()
                  / weights.sum())
    return value if math.isfinite(value) else PENALTY


def relative_errors(values: np.ndarray, moments: Sequence[Moment]) -> np.ndarray:
    """Give each moment's relative error: the distance to its band over its centre.

    A point moment's error is ``(v − observed) / |observed|``; a range moment's is 0 inside
    the range and the distance to the nearer end over ``|middle|`` outside it.

    Parameters
    ----------
    values
        One simulated value per moment.
    moments
        The targets' moments.

    Returns
    -------
    numpy.ndarray
        Relative errors (fractions, signed: positive above the band).
    """
    low = np.array([m.band[0] for m in moments])
    high = np.array([m.band[1] for m in moments])
    centre = np.array([m.centre for m in moments])
    values = np.asarray(values, dtype=float)
    return (values - np.clip(values, low, high)) / np.abs(centre)


def fit_table(simulated: np.ndarray, moments: Sequence[Moment]) -> pd.DataFrame:
    """Tabulate observed against simulated, one row per moment.

    Parameters
    ----------
    simulated
        (replicates, moments) array of simulated moments.
    moments
        The targets' moments.

    Returns
    -------
    pandas.DataFrame
        ``moment, metric, kind, observed, observed_low, observed_high, simulated, lo, hi,
        replicates, error, relative_error, weight, source``: the observed value (a range's
        middle) and the values that match (the range; both the value for a point), the mean
        over replicates with its 95% interval, the error (the distance from the matching
        values, signed) and the relative error (a fraction, :func:`relative_errors`).
    """
    rows = []
    for j, m in enumerate(moments):
        mean, lo, hi, n = mean_interval(simulated[:, j])
        relative = float(relative_errors(np.array([mean]), [m])[0])
        rows.append({
            "moment": m.label, "metric": m.metric, "kind": m.kind, "observed": m.centre,
            "observed_low": m.band[0], "observed_high": m.band[1],
            "simulated": mean, "lo": lo, "hi": hi, "replicates": n,
            "error": relative * abs(m.centre), "relative_error": relative,
            "weight": m.weight, "source": m.source,
        })
    return pd.DataFrame(rows)


__all__ = ["PENALTY", "evaluate_calibration_run", "fit_table", "moment_values", "objective",
           "relative_errors"]
