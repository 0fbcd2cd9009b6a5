"""The hollow-share / hard-access frontier, and the comparison figure set."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

import sim
from sim.experiment.compare import compare, frontier_table, write_comparison
from sim.viz.figures import write_compare_figures
from sim.viz.frontier import frontier_from_county, pareto_front, plot_frontier
from sim.viz.style import png_bytes


def pixels(png: bytes) -> np.ndarray:
    return imread(io.BytesIO(png), format="png")


@pytest.fixture(scope="module")
def comparison():
    """Two small counties differing in how much pupils mind travel time (2 replicates, 3 years)."""
    a = sim.load_scenario("small_county", ["years=3", "name=near", "choice.beta_time=0.12"])
    b = sim.load_scenario("small_county", ["years=3", "name=far", "choice.beta_time=0.02"])
    return compare([a, b], replicates=2, workers=0, seed=5)


def test_frontier_table_matches_the_experiment_module(small_run):
    county = pd.concat(
        [
            small_run.county.assign(scenario="x"),
            small_run.county.assign(
                scenario="y", hollow_share=small_run.county["hollow_share"] * 0.5
            ),
        ]
    )
    ours = frontier_from_county(county)
    theirs = frontier_table(
        county.assign(scenario=pd.Categorical(county["scenario"], ["x", "y"])), ["x", "y"]
    )
    pd.testing.assert_frame_equal(ours, theirs, check_dtype=False)


def test_pareto_front():
    x = np.array([0.1, 0.2, 0.3, 0.25, 0.05])
    y = np.array([0.5, 0.3, 0.1, 0.4, 0.9])
    assert list(pareto_front(x, y)) == [4, 0, 1, 2]  # point 3 is beaten by point 1
    assert list(pareto_front(np.array([0.1, 0.1]), np.array([0.2, 0.2]))) == [0, 1]


def test_frontier_png_follows_the_points(comparison):
    frontier = comparison.frontier
    png = png_bytes(plot_frontier(frontier))
    img = pixels(png)
    assert img[..., :3].std() > 0.05
    moved = frontier.copy()
    moved.loc[0, ["hollow_share_mean", "hollow_share_lo", "hollow_share_hi"]] += 0.2
    changed = pixels(png_bytes(plot_frontier(moved)))
    assert img.shape == changed.shape and np.abs(img - changed).sum() > 0
    assert png_bytes(plot_frontier(frontier)) == png


def test_frontier_labels_every_scenario(comparison):
    fig = plot_frontier(comparison.frontier, paths=comparison.county)
    ax = fig.axes[0]
    labels = {t.get_text() for t in ax.texts}
    assert {"near", "far"} <= labels
    assert "%" in ax.get_xlabel() and "%" in ax.get_ylabel()


def test_compare_figures_from_object_and_folder(comparison, tmp_path):
    folder = write_comparison(comparison, tmp_path / "cmp")
    from_dir = write_compare_figures(folder)
    assert [p.name for p in from_dir] == ["frontier.png", "timeseries.png"]
    assert all(p.stat().st_size > 10_000 for p in from_dir)
    from_obj = write_compare_figures(comparison, tmp_path / "obj")
    # the folder's CSV keeps 6 significant digits, so pixels may differ by a hair, not more
    for a, b in zip(from_obj, from_dir):
        pa, pb = pixels(a.read_bytes()), pixels(b.read_bytes())
        assert pa.shape == pb.shape and np.abs(pa - pb).mean() < 1e-3
    with pytest.raises(ValueError, match="out_dir"):
        write_compare_figures(comparison)
