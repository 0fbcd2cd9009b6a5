"""RunResult: the run directory of DESIGN §9, save/load round trip, rerun from the manifest,
atomic writes, and hollow risk over replicates."""

from __future__ import annotations

import json
import os
import stat

import pandas as pd
import pytest

import sim.results
from sim import RunResult, Scenario, load_scenario
from sim.errors import EdusimError
from sim.metrics import hollow_risk

DESIGN_FILES = ["manifest.json", "county.parquet", "county.csv", "schools.parquet", "events.csv"]


def test_run_directory_holds_the_design_files(small_run_dir):
    for name in DESIGN_FILES:
        assert (small_run_dir / name).is_file(), name
    assert not [p for p in small_run_dir.parent.iterdir() if p.name.startswith(".")], (
        "temp folder left behind"
    )


def test_save_then_load_round_trips(small_run, small_run_dir):
    loaded = RunResult.load(small_run_dir)
    pd.testing.assert_frame_equal(loaded.county, small_run.county)
    pd.testing.assert_frame_equal(loaded.schools, small_run.schools)
    pd.testing.assert_frame_equal(
        loaded.events.reset_index(drop=True),
        small_run.events.reset_index(drop=True),
        check_dtype=False,
    )
    assert loaded.manifest == json.loads(json.dumps(small_run.manifest))
    assert set(loaded.world) == set(small_run.world)
    for name, frame in small_run.world.items():
        pd.testing.assert_frame_equal(loaded.world[name], frame)


def test_county_csv_and_parquet_hold_the_same_table(small_run_dir):
    csv = pd.read_csv(small_run_dir / "county.csv")
    parquet = pd.read_parquet(small_run_dir / "county.parquet")
    assert list(csv.columns) == list(parquet.columns)
    pd.testing.assert_frame_equal(csv, parquet, check_dtype=False, rtol=1e-5)


def test_manifest_records_what_is_needed_to_rerun(small_run, small_run_dir, small_scenario):
    manifest = json.loads((small_run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == small_run.manifest["seed"] == 11
    assert manifest["replicates"] == small_run.county["replicate"].nunique() == 2
    assert manifest["version"] and manifest["timings"]
    assert Scenario.model_validate(manifest["scenario"]) == small_scenario
    # load_scenario accepts the manifest itself.
    assert load_scenario(small_run_dir / "manifest.json") == small_scenario
    assert load_scenario(small_run_dir / "manifest.json", ["years=1"]).years == 1


def test_rerun_from_the_manifest_gives_an_identical_county_csv(invoke, tmp_path):
    first = invoke(
        "run",
        "small_county",
        "--years",
        "2",
        "--seed",
        "7",
        "--set",
        "choice.beta_time=0.05",
        "--set",
        "county.villages=20",
        "--out",
        "a",
    )
    assert first.exit_code == 0, first.output
    again = invoke("run", tmp_path / "a" / "manifest.json", "--seed", "7", "--out", "b")
    assert again.exit_code == 0, again.output
    assert (tmp_path / "a" / "county.csv").read_bytes() == (
        tmp_path / "b" / "county.csv"
    ).read_bytes()
    assert (
        json.loads((tmp_path / "b" / "manifest.json").read_text())["scenario"]
        == json.loads((tmp_path / "a" / "manifest.json").read_text())["scenario"]
    )


def test_rerun_from_the_manifest_with_replicates(invoke, tmp_path):
    assert (
        invoke(
            "run", "small_county", "--years", "1", "--replicates", "2", "--seed", "3", "--out", "a"
        ).exit_code
        == 0
    )
    manifest = json.loads((tmp_path / "a" / "manifest.json").read_text())
    assert (
        invoke(
            "run",
            tmp_path / "a" / "manifest.json",
            "--seed",
            str(manifest["seed"]),
            "--replicates",
            str(manifest["replicates"]),
            "--out",
            "b",
        ).exit_code
        == 0
    )
    assert (tmp_path / "a" / "county.csv").read_bytes() == (
        tmp_path / "b" / "county.csv"
    ).read_bytes()


def test_saving_again_with_force_replaces_the_whole_run(small_run, tmp_path):
    """A folder holds one run's files, all from that run: old figures and reports go too."""
    out = small_run.save(tmp_path / "run")
    (out / "figures").mkdir()
    (out / "figures" / "county_map.png").write_bytes(b"png")
    (out / "report.html").write_text("old", encoding="utf-8")
    one_year = RunResult(
        county=small_run.county.head(1),
        schools=small_run.schools,
        events=small_run.events,
        manifest=small_run.manifest,
        world=small_run.world,
    )
    one_year.save(out, force=True)
    assert len(pd.read_csv(out / "county.csv")) == 1
    assert not (out / "figures").exists() and not (out / "report.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_failed_save_leaves_no_partial_run(small_run, tmp_path, monkeypatch):
    def broken(path, frame):
        raise OSError("disk full")

    monkeypatch.setattr(sim.results, "write_csv", broken)
    with pytest.raises(OSError, match="disk full"):
        small_run.save(tmp_path / "run")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_save_keeps_the_previous_run(small_run, tmp_path, monkeypatch):
    out = small_run.save(tmp_path / "run")
    before = (out / "county.csv").read_bytes()
    monkeypatch.setattr(
        sim.results,
        "write_parquet",
        lambda path, frame: (_ for _ in ()).throw(OSError("disk full")),
    )
    with pytest.raises(OSError):
        small_run.save(out, force=True)
    assert (out / "county.csv").read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_loading_a_folder_that_is_not_a_run_names_the_missing_files(tmp_path):
    (tmp_path / "county.csv").write_text("year\n2024\n", encoding="utf-8")
    with pytest.raises(EdusimError) as err:
        RunResult.load(tmp_path)
    assert "manifest.json" in str(err.value) and "schools.parquet" in str(err.value)


def test_run_files_get_ordinary_permissions(small_run, tmp_path):
    old = os.umask(0o022)
    try:
        out = small_run.save(tmp_path / "run")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755
    for name in DESIGN_FILES:
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o644, name


# ---- hollow risk ---------------------------------------------------------------------------


def test_hollow_risk_of_a_two_replicate_run(small_run):
    risk = hollow_risk(small_run, within_years=3)
    panel = small_run.schools
    assert set(risk["school_id"]) == set(panel["school_id"])
    assert risk["hollow_risk"].between(0, 1).all()
    assert (risk["replicates"] == 2).all()
    assert set(risk["hollow_risk"]) <= {0.0, 0.5, 1.0}
    ever = panel.groupby(["school_id", "replicate"])["hollow"].any().unstack()
    by_id = risk.set_index("school_id")["hollow_risk"]
    always = ever.index[ever.all(axis=1)]
    never = ever.index[~ever.any(axis=1)]
    assert (by_id[always] == 1.0).all() and (by_id[never] == 0.0).all()
    assert len(always) + len(never) > 0
    assert risk["hollow_risk"].is_monotonic_decreasing  # riskiest first


def _panel(rows):
    return pd.DataFrame(rows, columns=["replicate", "year", "school_id", "name", "hollow"])


def test_hollow_risk_counts_replicates_within_the_horizon():
    panel = _panel(
        [
            # school 0: hollow in both replicates; school 1: never; school 2: in one replicate;
            # school 3: hollow only in the third year.
            (0, 2024, 0, "A", True),
            (0, 2025, 0, "A", True),
            (1, 2024, 0, "A", False),
            (1, 2025, 0, "A", True),
            (0, 2024, 1, "B", False),
            (0, 2025, 1, "B", False),
            (1, 2024, 1, "B", False),
            (1, 2025, 1, "B", False),
            (0, 2024, 2, "C", True),
            (0, 2025, 2, "C", False),
            (1, 2024, 2, "C", False),
            (1, 2025, 2, "C", False),
            (0, 2024, 3, "D", False),
            (0, 2026, 3, "D", True),
            (1, 2024, 3, "D", False),
            (1, 2026, 3, "D", True),
        ]
    )
    risk = hollow_risk(panel, within_years=2).set_index("school_id")
    assert risk.loc[0, "hollow_risk"] == 1.0
    assert risk.loc[1, "hollow_risk"] == 0.0
    assert risk.loc[2, "hollow_risk"] == 0.5
    assert risk.loc[3, "hollow_risk"] == 0.0  # hollow only after the horizon
    assert risk.loc[2, "name"] == "C" and (risk["replicates"] == 2).all()
    assert hollow_risk(panel, within_years=3).set_index("school_id").loc[3, "hollow_risk"] == 1.0


def test_hollow_risk_of_a_single_replicate_panel_without_replicate_column():
    panel = _panel([(0, 2024, 0, "A", True), (0, 2024, 1, "B", False)]).drop(columns="replicate")
    risk = hollow_risk(panel, within_years=1).set_index("school_id")
    assert risk["hollow_risk"].tolist() == [1.0, 0.0]


def test_hollow_risk_needs_a_positive_horizon(small_run):
    with pytest.raises(ValueError, match="within_years"):
        hollow_risk(small_run, within_years=0)


def test_hollow_risk_from_a_loaded_run(small_run, small_run_dir):
    loaded = hollow_risk(RunResult.load(small_run_dir), within_years=2)
    fresh = hollow_risk(small_run, within_years=2)
    pd.testing.assert_frame_equal(loaded, fresh)
