"""The calibrate verb: files written, the fit table printed, exit status 2 and nothing written on
bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
import sim.cli.calibrate  # noqa: F401  (registers the verb until sim.cli imports it)
from sim.cli.app import app

TARGETS = Path(__file__).parents[1] / "data" / "targets"
QUICK = [
    "--set",
    "years=3",
    "--budget",
    "20",
    "--replicates",
    "2",
    "--report-replicates",
    "2",
    "--workers",
    "0",
]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_calibrate_writes_the_run_and_the_fitted_overlay(in_tmp):
    result = invoke("calibrate", "small_county", "--targets", TARGETS / "small_ok.toml", *QUICK)
    assert result.exit_code == 0, result.output
    run = in_tmp / "calibration" / "runs" / "small_county-small_ok"
    assert {p.name for p in run.iterdir()} == {
        "small_ok.toml",
        "fit_table.csv",
        "fit.png",
        "projection.csv",
        "evaluations.csv",
        "parameters.csv",
        "calibration.json",
    }
    fitted = in_tmp / "calibration" / "fitted"
    assert {p.name for p in fitted.iterdir()} == {
        "small_ok.toml",
        "small_ok_fit.csv",
        "small_ok_fit.png",
        "small_ok_parameters.csv",
    }
    assert "interval over the near-optimal candidates" in result.stdout
    assert sim.load_scenario(fitted / "small_ok.toml").name == "small_county_fitted"
    assert (
        "rural primary pupils" in result.stdout
        and "fitted migration.town_constant" in result.stdout
    )


def test_calibrate_out_and_no_overlay(in_tmp):
    result = invoke(
        "calibrate",
        "small_county",
        "--targets",
        TARGETS / "small_ok.toml",
        *QUICK,
        "--out",
        in_tmp / "mine",
        "--no-write-overlay",
    )
    assert result.exit_code == 0, result.output
    assert (in_tmp / "mine" / "fit_table.csv").is_file()
    assert not (in_tmp / "calibration").exists()


@pytest.mark.parametrize(
    "targets, extra, words",
    [
        ("unknown_metric.toml", [], ["unknown metric 'pupil_happiness'"]),
        ("year_outside.toml", [], ["year 2031 is outside the run"]),
        ("bounds_reversed.toml", [], ["bounds reversed"]),
        ("unknown_parameter.toml", [], ["migration.town_magnet"]),
        ("not_toml.toml", [], ["not a valid TOML file"]),
        ("missing.toml", [], ["no such file"]),
        ("small_ok.toml", ["--budget", "4"], ["--budget 4: too small"]),
        ("small_ok.toml", ["--replicates", "0"], ["--replicates 0"]),
        ("small_ok.toml", ["--set", "choice.nope=1"], ["choice.nope"]),
    ],
)
def test_calibrate_bad_input_exits_2_and_writes_nothing(in_tmp, targets, extra, words):
    result = invoke("calibrate", "small_county", "--targets", TARGETS / targets, *QUICK, *extra)
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.stderr
    assert list(in_tmp.iterdir()) == []


def test_calibrate_unknown_scenario_exits_2(in_tmp):
    result = invoke("calibrate", "nope", "--targets", TARGETS / "small_ok.toml", *QUICK)
    assert result.exit_code == 2 and "nope" in result.stderr
    assert list(in_tmp.iterdir()) == []


# ---- issue 12: calibrate never overwrites what it did not write -----------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def test_calibrate_replaces_an_earlier_calibration_and_fit_only_with_force(in_tmp):
    command = ["calibrate", "small_county", "--targets", TARGETS / "small_ok.toml", *QUICK]
    assert invoke(*command).exit_code == 0
    before = _snapshot(in_tmp)
    refused = invoke(*command)
    assert refused.exit_code == 2, refused.output
    assert "holds an earlier calibration; replace it with --force" in refused.stderr
    assert _snapshot(in_tmp) == before
    fresh_out = invoke(*command, "--out", "elsewhere")  # the fitted overlay is still there
    assert fresh_out.exit_code == 2 and "holds an earlier fit of 'small_ok'" in fresh_out.stderr
    assert _snapshot(in_tmp) == before
    forced = invoke(*command, "--force")
    assert forced.exit_code == 0, forced.output
    assert set(_snapshot(in_tmp)) == set(before)
    assert sorted(p.name for p in in_tmp.iterdir()) == ["calibration"]


def test_calibrate_never_replaces_a_fitted_overlay_it_did_not_write(in_tmp):
    fitted = in_tmp / "calibration" / "fitted"
    fitted.mkdir(parents=True)
    (fitted / "small_ok.toml").write_text('name = "my own"\n')
    result = invoke("calibrate", "small_county", "--targets", TARGETS / "small_ok.toml", *QUICK,
                    "--force")
    assert result.exit_code == 2, result.output
    assert "small_ok.toml exists and is not an overlay edusim calibrate wrote" in result.stderr
    assert _snapshot(in_tmp) == {"calibration/fitted/small_ok.toml": b'name = "my own"\n'}
