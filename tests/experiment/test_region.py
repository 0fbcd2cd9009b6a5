"""Regions: counties as tasks, resumable, aggregated; bad region files exit 2 naming the entry."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.errors import EdusimError
from sim.experiment.region import (
    REGION_DIR,
    bundled_regions,
    load_region,
    plan_region,
    region_path,
    region_table,
    run_region,
)
from sim.experiment.storage import SweepStore

TWO = """name = "two"
seed = 5
[[counties]]
name = "plain"
scenario = "small_county"
set = { "years" = 3 }
[[counties]]
name = "mountain"
scenario = "small_county"
set = { "years" = 3, "county.terrain" = "mountain" }
"""


@pytest.fixture
def region_file(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text(TWO)
    return path


def test_each_county_runs_its_own_scenario_and_the_region_sums_them(region_file, tmp_path):
    out = tmp_path / "r"
    summary = run_region(plan_region(region_file, out=out), workers=0)
    assert summary.done == 2 and summary.failed == 0
    county = SweepStore(out).read_table()
    assert sorted(county["run_id"].unique()) == ["c000-plain", "c001-mountain"]
    assert county.groupby("point")["seed"].first().tolist() == [5, 6]  # root seed + index
    region = pd.read_csv(out / REGION_DIR / "region.csv")
    by_year = county.groupby("year")
    np.testing.assert_array_equal(region["pupils"], by_year["pupils"].sum())
    np.testing.assert_allclose(region["hollow_share"], by_year["hollow_schools"].sum()
                               / by_year["schools_open"].sum(), rtol=1e-5)  # CSV: 6 digits
    weighted = (county["catchment_share"] * county["pupils"]).groupby(county["year"]).sum()
    np.testing.assert_allclose(region["catchment_share"], weighted / by_year["pupils"].sum(),
                               rtol=1e-5)
    counties = pd.read_csv(out / REGION_DIR / "counties.csv")
    assert counties["county"].tolist() == ["plain", "mountain"]


def test_a_resumed_region_runs_only_the_counties_not_finished(region_file, tmp_path):
    out = tmp_path / "r"
    plan = plan_region(region_file, out=out)
    run_region(plan, workers=0)
    store = SweepStore(out)
    first = store.run_path("c000-plain").stat().st_mtime_ns
    store.run_path("c001-mountain").unlink()  # as if killed before the second county finished
    again = run_region(plan_region(region_file, out=out, resume=True), workers=0)
    assert (again.done, again.skipped) == (1, 1)
    assert store.run_path("c000-plain").stat().st_mtime_ns == first  # not run again
    with pytest.raises(EdusimError, match="holds a sweep already; add --resume"):
        plan_region(region_file, out=out)


def test_a_region_with_another_county_does_not_resume_into_the_folder(region_file, tmp_path):
    out = tmp_path / "r"
    run_region(plan_region(region_file, out=out), workers=0)
    region_file.write_text(TWO.replace('terrain" = "mountain"', 'terrain" = "hill"'))
    with pytest.raises(EdusimError, match="the counties' scenarios"):
        plan_region(region_file, out=out, resume=True)


@pytest.mark.parametrize("text, named", [
    (TWO.replace('name = "mountain"', 'name = "plain"'), "repeated: plain"),
    (TWO.replace('"county.terrain"', '"county.terain"'), "counties[1] (mountain)"),
    (TWO.replace('"mountain" }', '"volcano" }'), "volcano"),
    (TWO.replace('scenario = "small_county"\nset = { "years" = 3 }', 'scenaro = "x"'),
     "counties.0.scenaro"),
    (TWO.replace("seed = 5", "seed = -1"), "seed"),
    ('name = "empty"\ncounties = []\n', "counties"),
])
def test_bad_region_files_exit_2_naming_the_entry_and_write_nothing(tmp_path, text, named):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["run", str(path), "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert named in result.output
    assert not out.exists()


def test_scenario_only_options_are_refused_for_a_region_and_the_reverse(region_file, tmp_path):
    result = CliRunner().invoke(app, ["run", str(region_file), "--set", "years=2"])
    assert result.exit_code == 2 and "not for a region file" in result.output
    result = CliRunner().invoke(app, ["run", "small_county", "--workers", "2",
                                      "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "only for a region file" in result.output


def test_the_cli_writes_the_region_tables_and_figure(region_file, tmp_path):
    out = tmp_path / "r"
    result = CliRunner().invoke(app, ["run", str(region_file), "--out", str(out),
                                      "--workers", "0"])
    assert result.exit_code == 0, result.output
    assert {p.name for p in (out / REGION_DIR).iterdir()} == {"region.csv", "counties.csv",
                                                             "region.png"}


def test_the_bundled_example_province_is_80_counties_of_about_4_million_pupils():
    assert "example_province" in bundled_regions()
    region = load_region(region_path("example_province"))
    residents = sum(c.set["county.residents"] for c in region.counties)
    assert len(region.counties) == 80
    assert 38e6 < residents < 46e6  # ≈ 0.096 pupils per resident in the default county


def test_region_table_weights_each_mean_by_its_denominator_and_skips_missing_values():
    county = pd.DataFrame({"point": [0, 1], "year": [2024, 2024], "pupils": [100, 300],
                           "boarders": [50, 0], "schools_open": [4, 6], "hollow_schools": [1, 0],
                           "hollow_share": [0.25, 0.0], "cv_primary": [0.4, np.nan],
                           "catchment_share": [0.5, 0.9], "mean_commute_min": [30.0, 10.0]})
    row = region_table(county).iloc[0]
    assert row["pupils"] == 400 and row["counties"] == 2
    assert row["hollow_share"] == pytest.approx(0.1)  # 1 of 10 schools, not the mean share
    assert row["catchment_share"] == pytest.approx(0.8)  # (50 + 270) / 400
    assert row["mean_commute_min"] == pytest.approx((50 * 30 + 300 * 10) / 350)  # day pupils
    # a CV is not additive: named as a mean of counties; the county without one is left out
    assert "cv_primary" not in row and row["cv_primary_county_mean"] == pytest.approx(0.4)


def test_a_region_runs_on_a_dask_cluster_with_one_command(region_file, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        result = CliRunner().invoke(app, ["run", str(region_file), "--out", str(tmp_path / "d"),
                                          "--scheduler", cluster.scheduler_address])
    assert result.exit_code == 0, result.output
    run_region(plan_region(region_file, out=tmp_path / "local"), workers=0)
    dasked = pd.read_csv(tmp_path / "d" / REGION_DIR / "region.csv")
    local = pd.read_csv(tmp_path / "local" / REGION_DIR / "region.csv")
    pd.testing.assert_frame_equal(dasked, local)
