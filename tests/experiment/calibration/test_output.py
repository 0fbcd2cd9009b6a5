"""What a calibration writes: the overlay reproduces the fit, the fit table and the manifest."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

import sim
from sim.experiment.calibration import (
    CalibrationResult,
    calibrate,
    default_out,
    fit_table,
    load_targets,
    overlay_text,
    plan_calibration,
    write_calibration,
)

SMALL = ["years=3"]  # small_county from 2024: years 2024-2026
DATA_FILES = {
    "small_ok.toml",
    "fit_table.csv",
    "projection.csv",
    "evaluations.csv",
    "parameters.csv",
    "calibration.json",
}


def planned_result(
    targets_file: Path, params: dict, overrides=SMALL, scenario="small_county"
) -> CalibrationResult:
    """A result with made-up simulated moments, without running the optimiser."""
    problem = plan_calibration(
        scenario,
        targets_file,
        overrides=overrides,
        budget=20,
        replicates=2,
        seed=4,
        report_replicates=2,
    )
    moments = problem.targets.moments
    fit = fit_table(
        np.array([[m.observed * 1.1 for m in moments], [m.observed * 1.3 for m in moments]]),
        moments,
    )
    evaluations = pd.DataFrame(
        {
            "evaluation": [0],
            "generation": [0],
            **{k: [v] for k, v in params.items()},
            "objective": [0.04],
            "error": [""],
        }
    )
    history = [{"generation": 0, "candidates": 1, "objective": 0.04, "params": params}]
    return CalibrationResult(
        problem,
        params,
        0.04,
        fit,
        pd.DataFrame({"year": [2024]}),
        evaluations,
        history,
        runs=12,
        failed_runs=0,
        seconds=90.0,
        message="done",
        started="2025-03-01T10:00:00+08:00",
        fit_objective=0.03,
    )


def test_overlay_extends_the_scenario_and_sets_the_fitted_values(tmp_path, targets_dir):
    targets = load_targets(targets_dir / "small_ok.toml")
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
    assert isinstance(result.params["migration.town_constant"], float)
    out = write_calibration(result, tmp_path / "run", fitted_dir=tmp_path / "fitted")
    assert {p.name for p in out.iterdir()} == DATA_FILES  # fit.png: sim.viz.calibration
    assert {p.name for p in (tmp_path / "fitted").iterdir()} == {
        "small_ok.toml",
        "small_ok_fit.csv",
        "small_ok_parameters.csv",
    }
    fitted = sim.load_scenario(tmp_path / "fitted" / "small_ok.toml")
    assert fitted.migration.town_constant == result.params["migration.town_constant"]
    assert (
        fitted.years == 3 and fitted.county.residents == 30_000
    )  # the --set override and small_county itself
    text = overlay_text(result, tmp_path)
    assert (
        'extends = "small_county"' in text and "# Fitted by edusim" in text and "budget of" in text
    )
    table = pd.read_csv(out / "fit_table.csv")
    assert list(table["moment"]) == ["county_town_pupil_share 2026", "rural primary pupils"]


def test_overlay_groups_keys_by_block_and_extends_a_file_by_relative_path(
    tmp_path, targets_dir, scenarios_dir
):
    scenario_file = tmp_path / "county.toml"
    scenario_file.write_text(
        'extends = "small_county"\nname = "mine"\ndescription = "My county."\n', encoding="utf-8"
    )
    params = {"migration.town_constant": -4.1}
    result = planned_result(
        targets_dir / "small_ok.toml",
        params,
        overrides=["years=3", "choice.beta_time=0.07"],
        scenario=str(scenario_file),
    )
    folder = tmp_path / "runs" / "one"
    folder.mkdir(parents=True)
    text = overlay_text(result, folder)
    data = tomllib.loads(text)
    assert data["extends"] == "../../county.toml" and data["name"] == "mine_fitted"
    assert (
        data["years"] == 3
        and data["choice"] == {"beta_time": 0.07}
        and data["migration"] == {"town_constant": -4.1}
    )
    assert (
        data["description"]
        == "My county. Parameters fitted to the targets 'small_ok': migration.town_constant = -4.1."
    )
    assert "largest relative error +20.0%" in text and "1.5 min" in text and "on 2025-03-01" in text
    (folder / "fitted.toml").write_text(text, encoding="utf-8")
    fitted = sim.load_scenario(folder / "fitted.toml")
    assert (fitted.migration.town_constant, fitted.choice.beta_time, fitted.years) == (
        -4.1,
        0.07,
        3,
    )


def test_manifest_has_everything_to_rerun(tmp_path, targets_dir):
    result = planned_result(targets_dir / "small_ok.toml", {"migration.town_constant": -4.1})
    out = write_calibration(result, tmp_path / "run")
    manifest = json.loads((out / "calibration.json").read_text(encoding="utf-8"))
    assert (
        manifest["kind"] == "edusim-calibration"
        and manifest["seed"] == 4
        and manifest["budget"] == 20
    )
    assert (
        manifest["fitted"] == {"migration.town_constant": -4.1} and manifest["overrides"] == SMALL
    )
    assert manifest["optimiser"]["population"] == 5 and manifest["optimiser"]["rng"] == 4
    assert manifest["rerun"].startswith("edusim calibrate small_county --targets ")
    assert manifest["version"] and len(manifest["fit_table"]) == 2
    assert (
        sim.load_scenario(manifest["scenario_source"], manifest["overrides"]).model_dump(
            mode="json"
        )
        == manifest["scenario"]
    )


def test_default_out_names_scenario_and_targets(targets_dir):
    result = planned_result(targets_dir / "small_ok.toml", {"migration.town_constant": -4.1})
    assert default_out(result.problem) == Path("calibration") / "runs" / "small_county-small_ok"
