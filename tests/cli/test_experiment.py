(
    "The compare, sweep and analyze verbs: files written, exit statuses, "
    "nothing written on bad input."
)

from __future__ import annotations

import json
import sys
from pathlib import Path

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
    result = invoke(
        "compare", "small_county", "small_county", *QUICK, "--replicates", 2, "--workers", 0
    )
    assert result.exit_code == 0, result.output
    folder = in_tmp / "outputs" / "compare-small_county-small_county"
    assert {p.name for p in folder.iterdir()} == {
        "county_long.parquet",
        "county_long.csv",
        "summary.csv",
        "summary_wide.csv",
        "frontier.csv",
        "manifest.json",
        "figures",
    }
    assert {p.name for p in (folder / "figures").iterdir()} == {"frontier.png", "timeseries.png"}
    assert (
        "hollow_share" in result.stdout
        and "hard_access_share" in result.stdout
        and "Δ" in result.stdout
    )
    frontier = pd.read_csv(folder / "frontier.csv")
    assert list(frontier["scenario"]) == ["small_county", "small_county-2"]


def test_compare_out_option(in_tmp):
    result = invoke(
        "compare", "small_county", *QUICK, "-r", 1, "--workers", 0, "--out", in_tmp / "mine"
    )
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


SWEEP = [
    "sweep",
    "small_county",
    *QUICK,
    "--vary",
    "choice.beta_time=0.02:0.1",
    "--design",
    "grid",
    "--samples",
    "2",
    "--replicates",
    "2",
    "--workers",
    "0",
]


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
    result = invoke(
        "sweep",
        "small_county",
        "--vary",
        "choice.beta_time=0.02:0.1",
        "--scheduler",
        "tcp://127.0.0.1:1",
        "--out",
        "sw",
    )
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


# ---- issue 12: write failures, output folders, integer keys, seeds, schedulers --------------

TARGETS = Path(__file__).parents[1] / "data" / "targets" / "small_ok.toml"
#: One quick command per verb that writes a folder (run with --workers 0, so `no_runs` guards it).
WRITERS = {
    "compare": ["compare", "small_county", *QUICK, "-r", "1", "--workers", "0"],
    "sweep": [
        "sweep",
        "small_county",
        *QUICK,
        "--vary",
        "choice.beta_time=0.02:0.1",
        "--design",
        "grid",
        "--samples",
        "2",
        "--workers",
        "0",
    ],
    "calibrate": [
        "calibrate",
        "small_county",
        "--targets",
        str(TARGETS),
        "--set",
        "years=3",
        "--budget",
        "20",
        "--report-replicates",
        "2",
        "--workers",
        "0",
        "--no-write-overlay",
    ],
}


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.parametrize("verb", list(WRITERS))
@pytest.mark.parametrize("case", ["a file", "below a file", "unwritable"])
def test_write_failures_exit_2_before_any_simulation(in_tmp, no_runs, unwritable, verb, case):
    (in_tmp / "taken").write_text("a file")
    out = {"a file": "taken", "below a file": "taken/sub", "unwritable": unwritable / "new"}[case]
    result = invoke(*WRITERS[verb], "--out", out)
    assert result.exit_code == 2, result.output
    assert f"--out {out}" in result.stderr and "Traceback" not in result.output
    assert (in_tmp / "taken").read_text() == "a file"
    assert sorted(p.name for p in in_tmp.iterdir()) == ["taken"]


@pytest.mark.parametrize("verb", list(WRITERS))
def test_writers_never_overwrite_a_folder_they_did_not_write(in_tmp, no_runs, verb):
    (in_tmp / "p").mkdir()
    (in_tmp / "p" / "thesis.tex").write_text("x")
    for extra in ([], ["--force"] if verb != "sweep" else ["--resume"]):
        result = invoke(*WRITERS[verb], "--out", "p", *extra)
        assert result.exit_code == 2, result.output
        assert "--out p: is not empty (thesis.tex)" in result.stderr
    assert _snapshot(in_tmp) == {"p/thesis.tex": b"x"}


@pytest.mark.parametrize("verb", list(WRITERS))
def test_writers_refuse_the_working_folder(in_tmp, no_runs, verb):
    (in_tmp / "keep.txt").write_text("k")
    result = invoke(*WRITERS[verb], "--out", ".")
    assert result.exit_code == 2, result.output
    assert sorted(p.name for p in in_tmp.iterdir()) == ["keep.txt"]


def test_compare_replaces_an_earlier_comparison_only_with_force(in_tmp):
    assert invoke(*WRITERS["compare"], "--out", "c").exit_code == 0
    before = _snapshot(in_tmp / "c")
    refused = invoke(*WRITERS["compare"], "--out", "c")
    assert refused.exit_code == 2 and "replace it with --force" in refused.stderr
    assert _snapshot(in_tmp / "c") == before
    (in_tmp / "c" / "figures" / "old.png").write_bytes(b"an earlier comparison's figure")
    forced = invoke(*WRITERS["compare"], "--out", "c", "--force")
    assert forced.exit_code == 0, forced.output
    assert not (in_tmp / "c" / "figures" / "old.png").exists()
    assert sorted(p.name for p in in_tmp.iterdir()) == ["c"]


@pytest.mark.parametrize("other", ["sweep", "compare"])
def test_compare_and_sweep_refuse_each_others_folders(in_tmp, other):
    assert invoke(*WRITERS[other], "--out", "x").exit_code == 0
    before = _snapshot(in_tmp / "x")
    verb = "compare" if other == "sweep" else "sweep"
    result = invoke(*WRITERS[verb], "--out", "x", "--force" if verb == "compare" else "--resume")
    assert result.exit_code == 2, result.output
    assert "--out x: is an edusim" in result.stderr
    assert _snapshot(in_tmp / "x") == before


def test_analyze_on_a_corrupt_run_file_or_sweep_json_exits_2(in_tmp):
    assert invoke(*SWEEP, "--out", "sw").exit_code == 0
    run_file = sorted((in_tmp / "sw" / "runs" / "county").glob("*.parquet"))[0]
    run_file.write_bytes(run_file.read_bytes()[:50])
    result = invoke("analyze", "sw")
    assert result.exit_code == 2, result.output
    assert run_file.name in result.stderr and "--resume" in result.stderr
    for text in ("{not json", "[1, 2]"):
        (in_tmp / "sw" / "sweep.json").write_text(text)
        result = invoke("analyze", "sw")
        assert result.exit_code == 2 and "sweep.json" in result.stderr, result.output
    (in_tmp / "sw" / "design.parquet").write_bytes(b"PAR1")
    assert invoke("analyze", "sw").exit_code == 2


def test_analyze_of_a_partial_sweep_says_how_many_runs_are_missing(in_tmp):
    assert invoke(*SWEEP, "--out", "sw").exit_code == 0
    for run_file in sorted((in_tmp / "sw" / "runs" / "county").glob("*.parquet"))[:3]:
        run_file.unlink()
    result = invoke("analyze", "sw")
    assert result.exit_code == 0, result.output
    assert "3 of 4 runs are missing" in " ".join(result.stdout.split())
    notes = json.loads((in_tmp / "sw" / "analysis" / "analysis.json").read_text())["notes"]
    assert any("3 of 4 runs are missing" in note for note in notes)


def test_analyze_with_an_unwritable_analysis_folder_exits_2(in_tmp):
    assert invoke(*SWEEP, "--out", "sw").exit_code == 0
    (in_tmp / "sw" / "analysis").write_text("a file where the folder goes")
    result = invoke("analyze", "sw")
    assert result.exit_code == 2 and "analysis" in result.stderr, result.output


def test_sweep_over_integer_keys_draws_whole_numbers_and_says_so(in_tmp):
    key = "policies.consolidation.rule.min_pupils.primary"
    result = invoke(
        "sweep",
        "small_county",
        "--set",
        "years=1",
        "--vary",
        f"{key}=20:120",
        "--design",
        "lhs",
        "--samples",
        "4",
        "--workers",
        "0",
        "--out",
        "sw",
    )
    assert result.exit_code == 0, result.output
    assert "4 runs done, 0 failed" in result.stdout
    assert f"{key}: whole numbers 20 to 120" in result.stdout
    spec = json.loads((in_tmp / "sw" / "sweep.json").read_text())
    assert spec["integer_keys"] == [key]
    design = pd.read_parquet(in_tmp / "sw" / "design.parquet")
    assert design[key].dtype.kind == "i" and design[key].between(20, 120).all()


def test_grid_over_years_2_to_3_5_runs_only_whole_years_in_range(in_tmp):
    result = invoke(
        "sweep",
        "small_county",
        "--design",
        "grid",
        "--vary",
        "years=2:3.5",
        "--workers",
        "0",
        "--out",
        "sw",
    )
    assert result.exit_code == 0, result.output
    assert "years: whole numbers 2 to 3 (rounded from years=2:3.5)" in result.stdout
    assert sorted(pd.read_parquet(in_tmp / "sw" / "design.parquet")["years"]) == [2, 3]
    assert sorted(pd.read_parquet(in_tmp / "sw" / "runs" / "county").groupby("run_id").size()) == [
        2,
        3,
    ]


@pytest.mark.parametrize("verb", list(WRITERS))
@pytest.mark.parametrize("seed", [str(2**63), "-1"])
def test_seed_out_of_range_exits_2_with_the_range(in_tmp, no_runs, verb, seed):
    result = invoke(*WRITERS[verb], "--seed", seed, "--out", "x")
    assert result.exit_code == 2, result.output
    assert f"--seed {seed}: must be a whole number from 0 to {2**63 - 1}" in result.stderr
    assert list(in_tmp.iterdir()) == []


@pytest.mark.parametrize("verb", list(WRITERS))
@pytest.mark.parametrize("address", ["", " "])
def test_empty_scheduler_exits_2_instead_of_running_locally(in_tmp, no_runs, verb, address):
    result = invoke(*WRITERS[verb], "--scheduler", address, "--out", "x")
    assert result.exit_code == 2, result.output
    assert "--scheduler" in result.stderr and "tcp://host:8786" in result.stderr
    assert list(in_tmp.iterdir()) == []
