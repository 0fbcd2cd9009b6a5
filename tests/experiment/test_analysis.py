"""Sweep analysis: per-run table, Sobol indices with a known answer, hollow risk, files."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.experiment.analysis import analyze, write_analysis
from sim.experiment.errors import ExperimentError
from sim.experiment.sweep import execute_sweep, plan_sweep
from sim.experiment.tasks import Task
from sim.seeds import replicate_rng

YEARS = [2024, 2025, 2026]


def only_beta_time(task: Task) -> pd.DataFrame:
    """An output that depends on choice.beta_time alone (plus a tiny replicate noise)."""
    rng = replicate_rng(task.seed, task.replicate)
    x = task.params["choice.beta_time"]
    return pd.DataFrame(
        {
            "year": YEARS,
            "hollow_share": [0.0, 0.0, 10 * x + 1e-6 * rng.normal()],
            "dropouts": [1, 2, 3],
        }
    )


def with_schools(task: Task) -> dict[str, pd.DataFrame]:
    (
        "School 1 is hollow in the third year when beta_time > 0.5; "
        "school 2 in the first year of replicate 0."
    )
    x = task.params["choice.beta_time"]
    county = only_beta_time(task)
    schools = pd.DataFrame(
        {
            "replicate": task.replicate,
            "year": np.repeat(YEARS, 2),
            "school_id": [1, 2] * 3,
            "name": ["North", "South"] * 3,
            "hollow": [False, task.replicate == 0, False, False, x > 0.5, False],
        }
    )
    return {"county": county, "schools": schools}


def failing_odd(task: Task) -> pd.DataFrame:
    if task.point % 2:
        raise RuntimeError("odd")
    return only_beta_time(task)


def sweep(tmp_path, vary, evaluate, name="s", **kw):
    options = dict(design="sobol", samples=64, replicates=1, seed=1, out=tmp_path / name)
    options.update(kw)
    plan = plan_sweep("small_county", vary, **options)
    execute_sweep(plan, workers=0, evaluate=evaluate)
    return tmp_path / name


def test_sobol_gives_the_only_influential_input_the_dominant_index(tmp_path):
    vary = ["choice.beta_time=0:1", "choice.beta_quality=0:5", "boarding.min_grade=3,4,5"]
    out = sweep(tmp_path, vary, only_beta_time)
    result = analyze(out, outputs=["hollow_share"])
    sobol = result.sobol.set_index("parameter")
    assert list(sobol.index) == ["choice.beta_time", "choice.beta_quality", "boarding.min_grade"]
    assert sobol.loc["choice.beta_time", "ST"] > 0.9
    assert sobol.loc["choice.beta_time", "S1"] > 0.8
    for other in ("choice.beta_quality", "boarding.min_grade"):
        assert abs(sobol.loc[other, "ST"]) < 0.05 and abs(sobol.loc[other, "S1"]) < 0.1
    assert len(result.runs) == 64 * 5


def test_morris_ranks_the_only_influential_input_first(tmp_path):
    vary = ["choice.beta_time=0:1", "choice.beta_quality=0:5"]
    out = sweep(tmp_path, vary, only_beta_time, design="morris", samples=8)
    result = analyze(out, outputs=["hollow_share"])
    morris = result.morris.set_index("parameter")
    assert result.sobol is None and len(result.runs) == 8 * 3
    assert morris.loc["choice.beta_time", "mu_star_share"] == 1.0
    assert morris.loc["choice.beta_quality", "mu_star"] < 1e-3 * morris.loc[
        "choice.beta_time", "mu_star"]
    assert morris.loc["choice.beta_time", "mu_star"] == pytest.approx(10, rel=0.01)
    folder = write_analysis(result, out)
    assert (folder / "morris.csv").is_file() and not (folder / "sobol.csv").exists()


def test_runs_table_has_inputs_status_and_outputs(tmp_path):
    out = sweep(
        tmp_path, ["choice.beta_time=0:1"], failing_odd, design="lhs", samples=6, replicates=2
    )
    result = analyze(out)
    runs = result.runs
    assert len(runs) == 12
    assert list(runs.columns[:7]) == [
        "run_id",
        "point",
        "choice.beta_time",
        "replicate",
        "seed",
        "status",
        "error",
    ]
    assert set(runs.loc[runs["point"] % 2 == 1, "status"]) == {"failed"}
    assert runs.loc[runs["status"] == "failed", "error"].str.contains("RuntimeError: odd").all()
    ok = runs[runs["status"] == "ok"]
    assert (ok["final_year"] == 2026).all()
    assert np.allclose(ok["hollow_share"], 10 * ok["choice.beta_time"], atol=1e-4)
    assert (ok["dropouts"] == 3).all() and (ok["dropouts_cumulative"] == 6).all()
    assert runs.loc[runs["status"] == "failed", "hollow_share"].isna().all()
    assert result.sobol is None  # not a Sobol design
    assert result.outputs == ["hollow_share"]


def test_missing_points_explain_why_there_are_no_indices(tmp_path):
    out = sweep(tmp_path, ["choice.beta_time=0:1"], failing_odd, samples=8)
    result = analyze(out)
    assert result.sobol is None
    assert any("--resume" in note for note in result.notes)


def test_unknown_output_lists_the_available_ones(tmp_path):
    out = sweep(tmp_path, ["choice.beta_time=0:1"], only_beta_time, design="grid", samples=2)
    with pytest.raises(ExperimentError, match="available: hollow_share, dropouts"):
        analyze(out, outputs=["nope"])
    with pytest.raises(ExperimentError, match="not a sweep directory"):
        analyze(tmp_path)


def test_hollow_risk_per_design_point(tmp_path):
    out = sweep(tmp_path, ["choice.beta_time=0.2,0.8"], with_schools, design="grid", replicates=2)
    risk = analyze(out).hollow_risk.sort_values(["point", "school_id"]).reset_index(drop=True)
    assert list(risk.columns[:4]) == ["point", "choice.beta_time", "school_id", "name"]
    assert risk["hollow_risk"].tolist() == [0.0, 0.5, 1.0, 0.5]
    assert (risk["replicates"] == 2).all()
    early = analyze(out, within_years=2).hollow_risk.sort_values(["point", "school_id"])
    assert early["hollow_risk"].tolist() == [
        0.0,
        0.5,
        0.0,
        0.5,
    ]  # school 1 is hollow only in year 3


def test_files_are_readable_with_pandas(tmp_path):
    out = sweep(tmp_path, ["choice.beta_time=0.2,0.8"], with_schools, design="grid", replicates=2)
    folder = write_analysis(analyze(out), out)
    names = {p.name for p in folder.iterdir()}
    assert {
        "runs.parquet",
        "runs.csv",
        "hollow_risk.parquet",
        "hollow_risk.csv",
        "hollow_risk_by_school.csv",
        "analysis.json",
    } <= names
    assert len(pd.read_parquet(folder / "runs.parquet")) == 4
    assert json.loads((folder / "analysis.json").read_text())["runs"] == {"ok": 4}
    by_school = pd.read_csv(folder / "hollow_risk_by_school.csv")
    north = by_school.set_index("name").loc["North"]
    assert (north["mean_risk"], north["lowest"], north["highest"], north["points"]) == (
        0.5,
        0.0,
        1.0,
        2,
    )


# ---- issue 12: a partial sweep says what is missing; one analysis per folder ----------------


def test_a_partial_sweep_says_how_many_runs_are_missing_and_failed(tmp_path):
    out = sweep(tmp_path, ["choice.beta_time=0.0:1.0"], failing_odd, design="lhs", samples=8)
    for path in sorted((out / "runs" / "county").glob("*.parquet"))[:2]:
        path.unlink()
    analysis = analyze(out)
    assert "2 of 8 runs are missing: the sweep is unfinished" in analysis.notes[0]
    assert analysis.notes[1].startswith("4 of 8 runs failed")


def test_a_complete_sweep_has_no_status_notes(tmp_path):
    out = sweep(tmp_path, ["choice.beta_time=0.0:1.0"], only_beta_time, design="lhs", samples=4)
    assert not any("of 4 runs" in note for note in analyze(out).notes)


def test_files_of_an_earlier_analysis_that_no_longer_apply_are_removed(tmp_path):
    out = sweep(tmp_path, ["choice.beta_time=0.0:1.0"], only_beta_time, samples=8)
    write_analysis(analyze(out), out)
    assert (out / "analysis" / "sobol.csv").is_file()
    for path in (out / "runs" / "county").glob("p0000*.parquet"):
        path.unlink()
    write_analysis(analyze(out), out)  # a point without runs: no Sobol indices now
    assert not (out / "analysis" / "sobol.csv").exists()
