"""Scoring a validation: each fact's value per replicate, within tolerance, which model is closer.

Pure functions of arrays and facts (no runs, no files): :func:`fact_values` reads a fact's
value from each replicate's county table, :func:`validation_table` scores every fact for the
model and the null model, :func:`summary` counts the score.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from sim.experiment.replicates import mean_interval
from sim.experiment.validation.facts import Fact

#: Columns of the validation table.
TABLE_COLUMNS = [
    "fact", "metric", "year", "observed", "tolerance", "comparable",
    "model_mean", "model_lo", "model_hi", "model_within",
    "null_mean", "null_lo", "null_hi", "null_within", "closer",
    "tolerance_why", "mapping", "source",
]


def fact_values(county: pd.DataFrame, facts: Sequence[Fact]) -> np.ndarray:
    """Read each replicate's value of each fact: (replicates, facts), replicates ascending."""
    rows = []
    for _, frame in county.groupby("replicate", sort=True):
        by_year = frame.set_index("year")
        rows.append([float(by_year.at[f.year, f.metric]) if f.metric else np.nan
                     for f in facts])
    return np.asarray(rows, dtype=float)


def validation_table(model: np.ndarray, null: np.ndarray, facts: Sequence[Fact]) -> pd.DataFrame:
    """Score every fact for the model and the null model.

    Parameters
    ----------
    model, null : numpy.ndarray
        (replicates, facts) values of the two models.
    facts : sequence of Fact
        The facts.

    Returns
    -------
    pandas.DataFrame
        :data:`TABLE_COLUMNS`: means with 95% intervals over the replicates; ``*_within`` is
        True when ``|mean − observed| ≤ tolerance`` (empty for a fact that cannot be
        compared); ``closer`` names the model whose mean is nearer the observation
        (``model``, ``null`` or ``tie``; ``""`` when not comparable).
    """
    rows = []
    for j, fact in enumerate(facts):
        row: dict[str, Any] = {"fact": fact.name, "metric": fact.metric, "year": fact.year,
                               "observed": fact.observed, "tolerance": fact.tolerance,
                               "comparable": fact.comparable}
        gaps = {}
        for name, values in (("model", model), ("null", null)):
            mean, lo, hi, _ = mean_interval(values[:, j])
            gaps[name] = abs(mean - fact.observed)
            within = bool(gaps[name] <= fact.tolerance) if fact.comparable else None
            row.update({f"{name}_mean": mean, f"{name}_lo": lo, f"{name}_hi": hi,
                        f"{name}_within": within})
        if not fact.comparable:
            row["closer"] = ""
        elif np.isclose(gaps["model"], gaps["null"]):
            row["closer"] = "tie"
        else:
            row["closer"] = "model" if gaps["model"] < gaps["null"] else "null"
        row.update(tolerance_why=fact.tolerance_why, mapping=fact.mapping, source=fact.source)
        rows.append(row)
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def summary(table: pd.DataFrame) -> dict[str, int]:
    """Count, over the comparable facts, those within tolerance and those each model is closer."""
    scored = table[table["comparable"]]
    return {
        "facts": int(len(table)), "comparable": int(len(scored)),
        "model_within": int(scored["model_within"].astype(bool).sum()),
        "null_within": int(scored["null_within"].astype(bool).sum()),
        "model_closer": int((scored["closer"] == "model").sum()),
        "null_closer": int((scored["closer"] == "null").sum()),
    }


__all__ = ["TABLE_COLUMNS", "fact_values", "summary", "validation_table"]
