"""Each school's pupils over time, hollow years highlighted."""

from __future__ import annotations

import io

import numpy as np
from matplotlib.image import imread

from sim.viz.schools import plot_school_pupils
from sim.viz.style import png_bytes


def pixels(png: bytes) -> np.ndarray:
    return imread(io.BytesIO(png), format="png")


def test_school_figure_is_real_and_deterministic(small_run):
    png = png_bytes(plot_school_pupils(small_run.schools))
    assert pixels(png)[..., :3].std() > 0.05
    assert png_bytes(plot_school_pupils(small_run.schools)) == png


def test_flipping_a_hollow_flag_changes_the_picture(small_run):
    base = pixels(png_bytes(plot_school_pupils(small_run.schools)))
    schools = small_run.schools.copy()
    rows = (schools["replicate"] == 0) & (schools["year"] == schools["year"].max())
    sid = schools.loc[rows & ~schools["hollow"], "school_id"].iloc[0]
    schools.loc[rows & (schools["school_id"] == sid), "hollow"] = True
    changed = pixels(png_bytes(plot_school_pupils(schools)))
    assert np.abs(base - changed).sum() > 0


def test_a_closure_and_other_replicates(small_run):
    schools = small_run.schools.copy()
    schools["status"] = schools["status"].astype(str)
    rows = (
        (schools["replicate"] == 0)
        & (schools["year"] == schools["year"].max())
        & (schools["school_id"] == 0)
    )
    schools.loc[rows, ["status", "pupils", "hollow"]] = ["closed", 0, False]
    assert png_bytes(plot_school_pupils(schools)) != png_bytes(
        plot_school_pupils(small_run.schools)
    )
    # replicate 1 is another story; the title says which replicate is shown
    fig = plot_school_pupils(small_run.schools, replicate=1)
    assert "replicate 1 of 2" in fig.get_suptitle()


def test_one_panel_per_tier_with_hollow_counts(small_run):
    fig = plot_school_pupils(small_run.schools)
    tiers = small_run.schools["tier"].astype(str).nunique()
    assert len(fig.axes) == tiers
    for ax in fig.axes:
        assert "hollow:" in ax.get_title(loc="left")
        assert ax.get_ylabel() == "pupils"
