"""Time series of county metrics with 95% bands."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from sim.experiment.replicates import summarise
from sim.viz.style import png_bytes
from sim.viz.timeseries import KEY_METRICS, band_table, plot_timeseries


def pixels(png: bytes) -> np.ndarray:
    return imread(io.BytesIO(png), format="png")


def test_timeseries_png_is_real_and_follows_the_data(small_run):
    png = png_bytes(plot_timeseries(small_run.county))
    img = pixels(png)
    assert img[..., :3].std() > 0.05
    county = small_run.county.copy()
    county.loc[county["year"] == county["year"].max(), "hollow_share"] = 0.99
    changed = pixels(png_bytes(plot_timeseries(county)))
    assert img.shape == changed.shape and np.abs(img - changed).sum() > 0
    assert png_bytes(plot_timeseries(small_run.county)) == png


def test_one_panel_per_metric_with_units(small_run):
    fig = plot_timeseries(small_run.county, metrics=["pupils", "hollow_share", "mean_commute_min"])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert [ax.get_ylabel() for ax in visible] == ["pupils", "%", "min"]
    assert all(ax.get_title(loc="left") for ax in visible)


def test_band_is_the_replicate_interval(small_run):
    metrics = [m for m in KEY_METRICS if m in small_run.county]
    ours = band_table(small_run.county, metrics, "year")
    theirs = summarise(small_run.county, metrics, by=["year"])
    merged = ours.merge(theirs, on=["year", "metric"], suffixes=("", "_ref"))
    assert len(merged) == len(ours) == len(theirs)
    for col in ("mean", "lo", "hi"):
        np.testing.assert_allclose(merged[col], merged[f"{col}_ref"], rtol=1e-12, atol=1e-12)


def test_long_table_by_scenario(small_run):
    county = pd.concat(
        [
            small_run.county.assign(scenario="a"),
            small_run.county.assign(
                scenario="b", hollow_share=small_run.county["hollow_share"] / 2
            ),
        ]
    )
    long = county.melt(
        id_vars=["scenario", "replicate", "year"],
        value_vars=["hollow_share", "pupils"],
        var_name="metric",
        value_name="value",
    )
    fig = plot_timeseries(long, order=["b", "a"])
    assert len(fig.legends) == 1
    assert [t.get_text() for t in fig.legends[0].get_texts()][:2] == ["b", "a"]
    ax = fig.axes[1]  # hollow_share
    assert len(ax.lines) == 2


def test_no_metric_is_an_error(small_run):
    with pytest.raises(ValueError, match="no metric"):
        plot_timeseries(small_run.county, metrics=["nope"])
