"""Main effects of a sweep's varied inputs."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from sim.viz.style import png_bytes
from sim.viz.sweep import main_effects_table, plot_main_effects


def pixels(png: bytes) -> np.ndarray:
    return imread(io.BytesIO(png), format="png")


@pytest.fixture
def runs() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    n = 60
    frame = pd.DataFrame(
        {
            "run_id": [f"r{i}" for i in range(n)],
            "hollow.max_utilisation": rng.uniform(0.2, 0.5, n),
            "boarding.min_grade": rng.integers(1, 5, n),
            "status": ["ok"] * (n - 2) + ["failed"] * 2,
        }
    )
    frame["hollow_share"] = 1.5 * frame["hollow.max_utilisation"] + rng.normal(0, 0.02, n)
    frame["hard_access_share"] = 0.02 * frame["boarding.min_grade"] + rng.normal(0, 0.005, n)
    frame.loc[frame["status"] == "failed", ["hollow_share", "hard_access_share"]] = np.nan
    return frame


def test_main_effects_table(runs):
    table = main_effects_table(
        runs, ["hollow.max_utilisation", "boarding.min_grade"], ["hollow_share"], bins=5
    )
    cont = table[table["input"] == "hollow.max_utilisation"].sort_values("x")
    assert len(cont) == 5 and cont["mean"].is_monotonic_increasing
    assert cont["n"].sum() == 58  # failed runs left out
    grid = table[table["input"] == "boarding.min_grade"]
    assert (
        sorted(grid["x"]) == [1, 2, 3, 4]
        and (grid["lo"] <= grid["mean"]).all()
        and (grid["mean"] <= grid["hi"]).all()
    )


def test_main_effects_png_follows_the_outputs(runs):
    inputs = ["hollow.max_utilisation", "boarding.min_grade"]
    fig = plot_main_effects(runs, inputs, ["hollow_share", "hard_access_share"])
    assert len(fig.axes) == 4
    png = png_bytes(fig)
    img = pixels(png)
    assert img[..., :3].std() > 0.05
    flipped = runs.assign(hollow_share=runs["hollow_share"].max() - runs["hollow_share"])
    changed = pixels(
        png_bytes(plot_main_effects(flipped, inputs, ["hollow_share", "hard_access_share"]))
    )
    assert img.shape == changed.shape and np.abs(img - changed).sum() > 0


def test_main_effects_errors(runs):
    with pytest.raises(ValueError, match="no input"):
        plot_main_effects(runs, [])
    with pytest.raises(ValueError, match="no output"):
        plot_main_effects(runs, ["boarding.min_grade"], ["nope"])


def test_write_sweep_figures_on_a_real_sweep(tmp_path):
    from sim.experiment.sweep import execute_sweep, plan_sweep
    from sim.viz.figures import write_sweep_figures

    plan = plan_sweep(
        "small_county",
        ["choice.beta_time=0.02:0.12"],
        overrides=["years=2"],
        design="grid",
        samples=3,
        out=tmp_path / "sweep",
    )
    execute_sweep(plan, workers=0)
    paths = write_sweep_figures(tmp_path / "sweep")
    assert [p.name for p in paths] == ["main_effects.png"]
    assert pixels(paths[0].read_bytes())[..., :3].std() > 0.05
