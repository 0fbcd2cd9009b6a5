"""The compare, sweep and analyze verbs: files written, exit statuses, nothing written on bad input."""

from __future__ import annotations

import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

import sim.cli.experiment  # noqa: F401  (registers the verbs)
from sim.cli.app import app

runner = CliRunner()
QUICK = ["--set", "years=2"]


def invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_compare_writes_and_prints_the_summary(in_tmp):
    result = invoke("compare", "small_county", "small_county", *QUICK, "--replicates", 2, "--workers", 0)
    assert result.exit_code == 0, result.output
    folder = in_tmp / "outputs" / "compare-small_county-small_county"
    assert {p.name for p in folder.iterdir()} == {
        "county_long.parquet", "county_long.csv", "summary.csv", "summary_wide.csv", "frontier.csv", "manifest.json",
        "figures",
    }
    assert {p.name for p in (folder / "figures").iterdir()} == {"frontier.png", "timeseries.png"}
    assert "hollow_share" in result.stdout and "hard_access_share" in result.stdout and "Δ" in result.stdout
    frontier = pd.read_csv(folder / "frontier.csv")
    assert list(frontier["scenario"]) == ["small_county", "small_county-2"]


def test_compare_out_option(in_tmp):
    result = invoke("compare", "small_county", *QUICK, "-r", 1, "--workers", 0, "--out", in_tmp / "mine")
    assert result.exit_code == 0, result.output
    assert (in_tmp / "mine" / "summary.csv").is_file()


@pytest.mark.parametrize(
    "args, words",
    [
        (["compare", "small_county", "nope"], ["nope", "bundled scenarios"]),
        (["compare", "small_county", "--replicates", "0"], ["--replicates 0"]),
        (["compare", "small_county", "--set", "choice.nope=1"], ["choice.nope"]),
    ],
)
def test_compare_bad_input_exits_2_and_writes_nothing(in_tmp, args, words):
    result = invoke(*args, "--workers", 0)
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.stderr
    assert not (in_tmp / "outputs").exists()


SWEEP = ["sweep", "small_county", *QUICK, "--vary", "choice.beta_time=0.02:0.1", "--design", "grid", "--samples", "2",
         "--replicates", "2", "--workers", "0"]


def test_sweep_then_analyze(in_tmp):
    result = invoke(*SWEEP, "--out", "sw")
    assert result.exit_code == 0, result.output
    assert "4 runs done, 0 failed" in result.stdout
    assert len(list((in_tmp / "sw" / "runs" / "county").glob("*.parquet"))) == 4
    again = invoke(*SWEEP, "--out", "sw", "--resume")
    assert again.exit_code == 0 and "4 already finished" in again.stdout
    analysis = invoke("analyze", "sw")
    assert analysis.exit_code == 0, analysis.output
    assert "4 runs: 4 ok" in analysis.stdout
    assert (in_tmp / "sw" / "analysis" / "runs.parquet").is_file()
    assert (in_tmp / "sw" / "analysis" / "hollow_risk.parquet").is_file()


def test_sweep_default_out_and_refusal_without_resume(in_tmp):
    assert invoke(*SWEEP).exit_code == 0
    assert (in_tmp / "outputs" / "sweep-small_county" / "sweep.json").is_file()
    result = invoke(*SWEEP)
    assert result.exit_code == 2 and "--resume" in result.stderr
    changed = invoke(*SWEEP[:-4], "--replicates", "3", "--workers", "0", "--resume")
    assert changed.exit_code == 2 and "replicates: stored 2, now 3" in changed.stderr


@pytest.mark.parametrize(
    "vary, extra, words",
    [
        ("choice.beta_tim=0.02:0.1", [], ["choice.beta_tim", "unknown key"]),
        ("choice.beta_time=0.1:0.02", [], ["choice.beta_time", "LOW must be below HIGH"]),
        ("choice.beta_time", [], ["KEY=LOW:HIGH"]),
        ("choice.beta_time=0.02:0.1", ["--replicates", "0"], ["--replicates 0"]),
        ("choice.beta_time=0.02:0.1", ["--design", "random"], ["--design 'random'"]),
        ("choice.beta_time=0.02:0.1", ["--design", "sobol", "--samples", "6"], ["power of 2"]),
    ],
)
def test_sweep_bad_input_exits_2_before_any_run(in_tmp, vary, extra, words):
    result = invoke("sweep", "small_county", "--vary", vary, *extra, "--out", "sw", "--workers", 0)
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.stderr
    assert not (in_tmp / "sw").exists()


def test_sweep_without_dask_names_the_extra(in_tmp, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    result = invoke("sweep", "small_county", "--vary", "choice.beta_time=0.02:0.1", "--scheduler", "tcp://127.0.0.1:1", "--out", "sw")
    assert result.exit_code == 2 and "edusim[cluster]" in result.stderr
    assert not (in_tmp / "sw").exists()


def test_analyze_bad_input(in_tmp):
    result = invoke("analyze", in_tmp)
    assert result.exit_code == 2 and "not a sweep directory" in result.stderr
    assert invoke(*SWEEP, "--out", "sw").exit_code == 0
    result = invoke("analyze", "sw", "--output", "nope")
    assert result.exit_code == 2 and "available:" in result.stderr


def test_a_malformed_scheduler_address_exits_2_at_once(in_tmp):
    result = invoke("compare", "small_county", *QUICK, "--replicates", 1, "--scheduler", "foo")
    assert result.exit_code == 2
    assert "tcp://host:8786" in result.output
    assert not (in_tmp / "outputs").exists()
