"""Running a scenario (sim.runner): one replicate, several from one root seed, the manifest."""

from __future__ import annotations

import pandas as pd
import pytest

import sim
from sim import runner
from sim.errors import ScenarioError
from sim.metrics import COUNTY_COLUMNS, SCHOOL_COLUMNS
from sim.model import EducationModel


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario("small_county", ["years=2"])


def test_a_replicate_has_one_county_row_a_year(scenario):
    result = runner.run_replicate(scenario, seed=3, replicate=1)
    county = result.county
    assert list(county.columns) == ["replicate", *COUNTY_COLUMNS]
    assert county["year"].tolist() == [scenario.start_year, scenario.start_year + 1]
    assert (county["replicate"] == 1).all()
    assert list(result.schools.columns) == ["replicate", *SCHOOL_COLUMNS]
    assert result.schools.groupby("year").size().nunique() == 1  # every school every year
    assert (result.events["replicate"] == 1).all()
    assert set(result.world) == {"settlements", "roads", "schools"}


def test_same_seed_same_outputs(scenario):
    a = runner.run_replicate(scenario, seed=3, replicate=0)
    b = runner.run_replicate(scenario, seed=3, replicate=0)
    pd.testing.assert_frame_equal(a.county, b.county)
    pd.testing.assert_frame_equal(a.schools, b.schools)
    pd.testing.assert_frame_equal(a.events, b.events)


def test_replicates_stack_and_each_can_be_rerun_alone(scenario):
    both = runner.run(scenario, seed=3, replicates=2)
    assert both.county["replicate"].tolist() == [0, 0, 1, 1]
    second = runner.run_replicate(scenario, seed=3, replicate=1)
    pd.testing.assert_frame_equal(
        both.county[both.county["replicate"] == 1].reset_index(drop=True), second.county)
    first = both.county[both.county["replicate"] == 0].drop(columns="replicate")
    first = first.reset_index(drop=True)
    assert not first.equals(second.county.drop(columns="replicate"))


def test_the_manifest_records_what_reruns_the_run(scenario):
    result = runner.run(scenario, seed=3, replicates=2)
    m = result.manifest
    assert m["seed"] == 3 and m["replicates"] == 2 and m["replicate_ids"] == [0, 1]
    assert m["years"] == 2 and m["scenario_name"] == "small_county"
    assert m["scenario"] == scenario.model_dump(mode="json")
    assert isinstance(m["version"], str) and m["version"]
    assert "--seed 3 --replicates 2" in m["rerun"]
    assert len(m["timings"]["per_replicate"]) == 2 and m["timings"]["total_seconds"] >= 0
    single = runner.run_replicate(scenario, seed=3, replicate=0).manifest["timings"]
    assert single["pupil_years"] > 0 and single["build_seconds"] >= 0


def test_the_seed_defaults_to_the_scenario_seed(scenario):
    default = runner.run(scenario)
    assert default.manifest["seed"] == scenario.seed
    pd.testing.assert_frame_equal(default.county, runner.run(scenario, seed=scenario.seed).county)


def test_at_least_one_replicate(scenario):
    with pytest.raises(ValueError, match="at least 1"):
        runner.run(scenario, replicates=0)


def test_progress_after_every_year(scenario):
    calls = []
    runner.run(scenario, seed=1, replicates=2, progress=lambda *a: calls.append(a))
    assert calls == [(0, 1, 2), (0, 2, 2), (1, 1, 2), (1, 2, 2)]


def test_check_asserts_the_invariants_after_every_step(scenario, monkeypatch):
    checks = []
    real = EducationModel.check

    def counting(model):
        checks.append(model.year)
        real(model)

    monkeypatch.setattr(EducationModel, "check", counting)
    runner.run_replicate(scenario, seed=1, replicate=0)
    assert checks == []
    runner.run_replicate(scenario, seed=1, replicate=0, check=True)
    start = scenario.start_year
    assert checks == [start - 1, start, start + 1]


def test_check_scenario_catches_what_only_a_built_model_shows():
    runner.check_scenario(sim.load_scenario("small_county"))
    bad = sim.load_scenario("small_county", {"policies.consolidation.protected": ["Nope"]})
    with pytest.raises(ScenarioError, match="Nope"):
        runner.check_scenario(bad)
