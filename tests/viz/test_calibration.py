"""The fit figure of a calibration: observed against simulated, drawn into the run folder and beside
the fitted overlay, the same bytes for the same fit."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.image import imread

from sim.experiment.calibration import calibrate, fit_table, load_targets, write_calibration
from sim.experiment.calibration.targets import Moment
from sim.viz.calibration import fit_figure, write_calibration_figures
from sim.viz.style import png_bytes

TARGETS = Path(__file__).parents[1] / "data" / "targets"
SMALL = ["years=3"]


def pixels(png: bytes) -> np.ndarray:
    return imread(io.BytesIO(png), format="png")


def small_fit(simulated_scale: float = 1.1) -> pd.DataFrame:
    moments = [
        Moment(metric="pupils", year=2025, observed=0.4, source="s"),
        Moment(metric="schools_open", change=(2024, 2026), observed=-0.2, source="s"),
    ]
    simulated = np.array(
        [
            [m.observed * simulated_scale for m in moments],
            [m.observed * (simulated_scale + 0.2) for m in moments],
        ]
    )
    return fit_table(simulated, moments)


def test_fit_figure_is_real_deterministic_and_grows_with_the_moments():
    fig = fit_figure(small_fit(), "a title")
    png = png_bytes(fig)
    assert pixels(png)[..., :3].std() > 0.05
    assert png_bytes(fit_figure(small_fit(), "a title")) == png
    assert png_bytes(fit_figure(small_fit(1.5), "a title")) != png  # the simulated points moved
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == [
        "pupils 2025\nlevel 2025",
        "schools_open 2024-2026\nchange 2024-2026",
    ]
    taller = fit_figure(pd.concat([small_fit(), small_fit()], ignore_index=True), "a title")
    assert taller.get_size_inches()[1] > fig.get_size_inches()[1]


def test_the_run_folder_and_the_fitted_folder_get_the_figure(tmp_path):
    targets = load_targets(TARGETS / "small_ok.toml")
    result = calibrate(
        "small_county",
        targets,
        overrides=SMALL,
        budget=20,
        replicates=2,
        seed=0,
        report_replicates=2,
        workers=0,
    )
    out = write_calibration(result, tmp_path / "run", fitted_dir=tmp_path / "fitted")
    paths = write_calibration_figures(result, out, tmp_path / "fitted")
    assert paths == [out / "fit.png", tmp_path / "fitted" / "small_ok_fit.png"]
    assert {p.name for p in out.iterdir()} == {
        "small_ok.toml",
        "fit_table.csv",
        "fit.png",
        "projection.csv",
        "evaluations.csv",
        "parameters.csv",
        "calibration.json",
    }
    assert {p.name for p in (tmp_path / "fitted").iterdir()} == {
        "small_ok.toml",
        "small_ok_fit.csv",
        "small_ok_fit.png",
        "small_ok_parameters.csv",
    }
    assert (out / "fit.png").read_bytes() == (tmp_path / "fitted" / "small_ok_fit.png").read_bytes()
    assert write_calibration_figures(result, tmp_path / "alone") == [tmp_path / "alone" / "fit.png"]
