"""Parameter intervals from the near-optimal candidates of a calibration."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.experiment.calibration import NEAR_OPTIMAL_MARGIN, ParamSpec, parameter_table


def _evaluations(rng, n=400):
    """Candidates where J depends sharply on ``a``, not at all on ``b``."""
    a = rng.uniform(0, 10, n)
    b = rng.uniform(0, 1, n)
    return pd.DataFrame({"a": a, "b": b, "objective": 0.01 + (a - 4) ** 2})


def test_an_identified_parameter_gets_a_narrow_interval_and_an_unidentified_one_its_bounds():
    evaluations = _evaluations(np.random.default_rng(0))
    specs = [ParamSpec("a", 0, 10, False), ParamSpec("b", 0, 1, False)]
    table = parameter_table(evaluations, specs, {"a": 4.0, "b": 0.5}, {"a": "why a"})
    a, b = table.set_index("key").loc["a"], table.set_index("key").loc["b"]
    best = evaluations["objective"].min()
    near = evaluations[evaluations["objective"] <= best * (1 + NEAR_OPTIMAL_MARGIN)]
    assert a["near_optimal"] == b["near_optimal"] == len(near)
    assert 3.9 < a["interval_low"] <= 4 <= a["interval_high"] < 4.1 and a["identified"]
    assert not b["identified"] and b["interval_high"] - b["interval_low"] > 0.5
    assert a["note"] == "why a" and a["fitted"] == 4.0


def test_failed_candidates_are_left_out_and_too_few_give_no_interval():
    evaluations = pd.DataFrame({"a": [1.0, 2.0, 9.0], "objective": [0.1, np.nan, 5.0]})
    table = parameter_table(evaluations, [ParamSpec("a", 0, 10, False)], {"a": 1.0})
    assert table.loc[0, "near_optimal"] == 1
    assert np.isnan(table.loc[0, "interval_low"]) and not table.loc[0, "identified"]
