"""The validation figure: a row per fact, the model and the null model."""

from __future__ import annotations

import numpy as np

from sim.experiment.validation import Fact, validation_table
from sim.viz.style import save_png
from sim.viz.validation import validation_figure


def test_the_figure_has_a_row_per_fact_and_marks_what_is_not_comparable(tmp_path):
    facts = [Fact(name=n, metric="pupils" if ok else None, year=2030, observed=0.5,
                  tolerance=0.1, tolerance_why="t", source="s", mapping="m", comparable=ok)
             for n, ok in (("a", True), ("b", False))]
    table = validation_table(np.array([[0.4, 0.2]]), np.array([[0.6, 0.1]]), facts)
    fig = validation_figure(table, "t")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["a", "b\n(not comparable)"]
    assert save_png(fig, tmp_path / "v.png").stat().st_size > 1000
