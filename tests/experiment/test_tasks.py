"""Experiment tasks (sim.experiment.tasks): scenarios with parameters, evaluation, tables."""

from __future__ import annotations

import copy
import pickle

import pandas as pd
import pytest

import sim
from sim.errors import ScenarioError
from sim.experiment.tasks import (
    MAIN_TABLE,
    Task,
    as_tables,
    evaluate_model,
    resolve_scenario,
    scenario_with,
)
from sim.metrics import COUNTY_COLUMNS
from sim.runner import run_replicate


@pytest.fixture(scope="module")
def base() -> dict:
    return sim.load_scenario("small_county", ["years=1"]).model_dump(mode="json")


def test_scenario_with_sets_dotted_parameters_and_leaves_the_base_alone(base):
    before = copy.deepcopy(base)
    scenario = scenario_with(base, {"choice.beta_time": 0.07, "boarding.min_grade": 5})
    assert scenario.choice.beta_time == 0.07 and scenario.boarding.min_grade == 5
    assert base == before
    assert scenario_with(base, {}).model_dump(mode="json") == base


def test_scenario_with_names_an_unknown_key_or_a_bad_value(base):
    with pytest.raises(ScenarioError, match="choice.beta_tme"):
        scenario_with(base, {"choice.beta_tme": 0.07})
    with pytest.raises(ScenarioError, match="demography.repetition_rate"):
        scenario_with(base, {"demography.repetition_rate": 3})


def test_a_task_is_plain_picklable_data(base):
    task = Task(run_id="p0001-r02", point=1, replicate=2, seed=5, params={"choice.beta_time": 0.05},
                scenario=base, label="small")
    again = pickle.loads(pickle.dumps(task))
    assert again == task
    with pytest.raises(AttributeError):
        task.seed = 6  # frozen


def test_evaluate_model_runs_the_replicate_of_the_task(base):
    task = Task(run_id="p0000-r01", point=0, replicate=1, seed=5, params={"choice.beta_time": 0.05},
                scenario=base)
    tables = evaluate_model(task)
    assert set(tables) == {"county", "schools"}
    county = tables["county"]
    assert len(county) == 1 and (county["replicate"] == 1).all()
    assert set(COUNTY_COLUMNS) <= set(county.columns)
    expected = run_replicate(scenario_with(base, task.params), 5, 1)
    pd.testing.assert_frame_equal(county, expected.county)
    pd.testing.assert_frame_equal(tables["schools"], expected.schools)
    pd.testing.assert_frame_equal(evaluate_model(task)["county"], county)  # reproducible


def test_as_tables_accepts_a_frame_or_a_dict_with_a_county_table():
    frame = pd.DataFrame({"a": [1]})
    assert as_tables(frame) == {MAIN_TABLE: frame}
    tables = {"county": frame, "extra_table": frame}
    assert as_tables(tables) == tables


@pytest.mark.parametrize("value", [
    42,
    {"schools": pd.DataFrame()},
    {"county": pd.DataFrame(), "bad name": pd.DataFrame()},
    {"county": pd.DataFrame(), "other": [1, 2]},
])
def test_as_tables_refuses_anything_else(value):
    with pytest.raises(TypeError, match="county"):
        as_tables(value)


def test_resolve_scenario_from_a_name_or_a_scenario_with_overrides():
    by_name = resolve_scenario("small_county", ["years=2", "choice.beta_time=0.06"])
    assert by_name.name == "small_county" and by_name.years == 2
    assert by_name.choice.beta_time == 0.06
    again = resolve_scenario(by_name, {"years": 3})
    assert again.years == 3 and again.choice.beta_time == 0.06
    assert resolve_scenario(by_name) is by_name


def test_resolve_scenario_builds_the_county_once_to_catch_errors():
    with pytest.raises(ScenarioError, match=r"protected\[0\]"):
        resolve_scenario("small_county", {"policies.consolidation.protected": ["Nope"]})
