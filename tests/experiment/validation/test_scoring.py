"""Scoring the facts: within tolerance, which model is closer, what is not comparable."""

from __future__ import annotations

import numpy as np

from sim.experiment.validation import Fact, summary, validation_table


def _fact(name, observed, tolerance, comparable=True):
    return Fact(name=name, metric="pupils" if comparable else None, year=2030,
                observed=observed, tolerance=tolerance, tolerance_why="t", source="s",
                mapping="m", comparable=comparable)


def test_each_fact_is_scored_within_tolerance_and_by_which_model_is_closer():
    facts = [_fact("a", 1.0, 0.1), _fact("b", 1.0, 0.1), _fact("c", 1.0, 0.1, comparable=False)]
    model = np.array([[1.05, 2.0, 5.0], [1.05, 2.0, 5.0]])
    null = np.array([[1.5, 1.02, 1.0], [1.5, 1.02, 1.0]])
    t = validation_table(model, null, facts).set_index("fact")
    assert t.loc["a", "model_within"] and not t.loc["a", "null_within"]
    assert t.loc["a", "closer"] == "model" and t.loc["b", "closer"] == "null"
    assert t.loc["c", "model_within"] is None and t.loc["c", "closer"] == ""
    assert summary(t.reset_index()) == {"facts": 3, "comparable": 2, "model_within": 1,
                                        "null_within": 1, "model_closer": 1, "null_closer": 1}
