"""How well the calibration pins each parameter down: intervals from near-optimal candidates.

Differential evolution evaluates many candidates; those whose objective is within
:data:`NEAR_OPTIMAL_MARGIN` of the best fit the targets about as well as the best does (the
objective of one candidate moves by about that much between draws of its replicates). The
range of each parameter over them is its interval: narrow where the moments identify the
parameter, as wide as the bounds where they do not.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import pandas as pd

from sim.experiment.calibration.objective import PENALTY
from sim.experiment.calibration.targets import ParamSpec

#: Candidates with J ≤ J_best × (1 + this) count as near-optimal: within a factor of two of
#: the best (measured: the national fit's best J rose by 47% from its 2 fit replicates to 10
#: report replicates, so candidates that close cannot be told apart by their objective).
NEAR_OPTIMAL_MARGIN = 1.0
#: Below this many near-optimal candidates the interval is not reported (NaN).
MIN_NEAR_OPTIMAL = 3
#: Columns of the parameter table.
PARAMETER_COLUMNS = ["key", "fitted", "interval_low", "interval_high", "near_optimal",
                     "bound_low", "bound_high", "identified", "note"]
#: An interval narrower than this share of the bounds counts as identified.
IDENTIFIED_SHARE = 0.5


def parameter_table(evaluations: pd.DataFrame, specs: Sequence[ParamSpec],
                    fitted: Mapping[str, int | float],
                    notes: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Tabulate each fitted parameter with its interval over the near-optimal candidates.

    Parameters
    ----------
    evaluations : pandas.DataFrame
        One row per candidate: a column per parameter key and ``objective`` (a calibration's
        ``evaluations.csv``); failed candidates (objective NaN or the search's ``PENALTY``)
        are left out.
    specs : sequence of ParamSpec
        The fitted parameters, with their bounds.
    fitted : mapping
        The fitted value of each key.
    notes : mapping, optional
        A note per key (why the bounds), copied into the table.

    Returns
    -------
    pandas.DataFrame
        :data:`PARAMETER_COLUMNS`, one row per parameter in ``specs`` order: the interval is
        the range over candidates with ``objective ≤ best × (1 + NEAR_OPTIMAL_MARGIN)``
        (NaN with fewer than :data:`MIN_NEAR_OPTIMAL` of them); ``identified`` is True when
        it covers less than :data:`IDENTIFIED_SHARE` of the bounds.
    """
    notes = notes or {}
    objective = pd.to_numeric(evaluations["objective"], errors="coerce")
    done = evaluations[objective.notna() & (objective < PENALTY)]
    best = float(done["objective"].min()) if len(done) else float("nan")
    near = done[done["objective"] <= best * (1 + NEAR_OPTIMAL_MARGIN)]
    rows = []
    for spec in specs:
        values = pd.to_numeric(near[spec.key], errors="coerce").dropna()
        enough = len(values) >= MIN_NEAR_OPTIMAL
        low = float(values.min()) if enough else float("nan")
        high = float(values.max()) if enough else float("nan")
        width = (high - low) / (spec.high - spec.low) if enough else float("nan")
        rows.append({
            "key": spec.key, "fitted": fitted.get(spec.key), "interval_low": low,
            "interval_high": high, "near_optimal": int(len(values)),
            "bound_low": spec.low, "bound_high": spec.high,
            "identified": bool(enough and width < IDENTIFIED_SHARE),
            "note": notes.get(spec.key, ""),
        })
    return pd.DataFrame(rows, columns=PARAMETER_COLUMNS)


__all__ = ["NEAR_OPTIMAL_MARGIN", "PARAMETER_COLUMNS", "parameter_table"]
