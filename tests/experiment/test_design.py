"""Designs: vary specs, validation against the scenario, grid / lhs / sobol points, run ids."""

from __future__ import annotations

import numpy as np
import pytest

from sim.experiment.design import (
    VarySpec,
    check_vary,
    design_points,
    parse_vary,
    runs_table,
    salib_problem,
)
from sim.experiment.errors import ExperimentError
from sim.experiment.tasks import scenario_with
from sim.scenario import load_scenario
from sim.seeds import replicate_seed_sequence

BASE = load_scenario("small_county").model_dump(mode="json")


def probe(overrides):
    return scenario_with(BASE, overrides)


def checked(*texts):
    return check_vary([parse_vary(t) for t in texts], BASE, probe)


def test_range_and_list_parse():
    spec = parse_vary("choice.beta_time=0.02:0.1")
    assert spec.is_range and (spec.low, spec.high) == (0.02, 0.1)
    assert spec.text == "choice.beta_time=0.02:0.1"
    listed = parse_vary("county.terrain=plain,hill")
    assert listed.values == ("plain", "hill") and not listed.is_range
    assert parse_vary("years=3,5").values == (3, 5)
    assert parse_vary("choice.beta_time=0,0.5").values == (0.0, 0.5)


@pytest.mark.parametrize(
    "text, words",
    [
        ("choice.beta_time", ["KEY=LOW:HIGH"]),
        ("=1:2", ["KEY=LOW:HIGH"]),
        ("choice.beta_time=0.2:0.1", ["choice.beta_time", "LOW must be below HIGH"]),
        ("choice.beta_time=0.1:0.1", ["choice.beta_time", "LOW must be below HIGH"]),
        ("choice.beta_time=a:b", ["choice.beta_time", "numbers"]),
        ("years=3,,5", ["years", "empty value"]),
        ("years=3,3", ["years", "repeated"]),
        ("years=3,hill", ["years", "one type"]),
    ],
)
def test_bad_syntax_names_the_key(text, words):
    with pytest.raises(ExperimentError) as info:
        parse_vary(text)
    for word in words:
        assert word in str(info.value)


def test_unknown_key_is_named_before_anything_runs():
    with pytest.raises(ExperimentError, match="choice.beta_tim"):
        checked("choice.beta_tim=0.02:0.1")


def test_out_of_range_value_is_named():
    with pytest.raises(ExperimentError, match="years"):
        checked("years=0:3")


@pytest.mark.parametrize("text", ["seed=1:5", "name=a,b"])
def test_seed_and_labels_cannot_vary(text):
    with pytest.raises(ExperimentError, match="cannot be varied"):
        checked(text)


def test_range_over_text_field_is_refused():
    with pytest.raises(ExperimentError, match="give a list"):
        checked("county.terrain=1:2")


def test_repeated_key_is_refused():
    with pytest.raises(ExperimentError, match="twice"):
        checked("years=2:4", "years=3,5")


def test_integer_fields_stay_integers():
    (spec,) = checked("years=2:5")
    assert spec.integer
    assert spec.levels(7) == [2, 3, 4, 5]  # rounded, repeated levels dropped
    points = design_points([spec], "lhs", 20, seed=1)
    assert points["years"].dtype.kind == "i"
    assert points["years"].between(2, 5).all()


def test_grid_is_the_product_of_levels():
    specs = checked("choice.beta_time=0.0:0.1", "boarding.min_grade=3,5")
    points = design_points(specs, "grid", 3, seed=0)
    assert len(points) == 6
    assert sorted(set(points["choice.beta_time"])) == pytest.approx([0.0, 0.05, 0.1])
    assert set(points["boarding.min_grade"]) == {3, 5}
    assert list(points["point"]) == list(range(6))


def test_lhs_covers_the_range_and_is_seeded():
    specs = checked("choice.beta_time=0.02:0.1", "county.terrain=plain,hill,mountain")
    a = design_points(specs, "lhs", 30, seed=7)
    b = design_points(specs, "lhs", 30, seed=7)
    c = design_points(specs, "lhs", 30, seed=8)
    assert a.equals(b) and not a.equals(c)
    assert len(a) == 30
    assert a["choice.beta_time"].between(0.02, 0.1).all()
    # one stratum per sample: every tenth of the range holds exactly three points
    strata = np.floor((a["choice.beta_time"] - 0.02) / 0.08 * 10).clip(0, 9)
    assert np.bincount(strata.astype(int), minlength=10).tolist() == [3] * 10
    assert set(a["county.terrain"]) == {"plain", "hill", "mountain"}


def test_sobol_count_is_n_times_d_plus_2():
    specs = checked(
        "choice.beta_time=0.02:0.1", "choice.beta_quality=1:5", "boarding.min_grade=3,4,5"
    )
    points = design_points(specs, "sobol", 8, seed=0)
    assert len(points) == 8 * (3 + 2)
    assert set(points["boarding.min_grade"]) <= {3, 4, 5}
    assert salib_problem(specs)["bounds"][2] == [0.0, 3.0]


def test_morris_gives_n_trajectories_of_d_plus_1_points_changing_one_key_at_a_time():
    specs = checked("choice.beta_time=0.02:0.1", "choice.beta_quality=1:5")
    points = design_points(specs, "morris", 5, seed=0)
    assert len(points) == 5 * (2 + 1)
    for start in range(0, len(points), 3):
        steps = points.iloc[start:start + 3][["choice.beta_time", "choice.beta_quality"]].diff()
        assert ((steps.iloc[1:] != 0).sum(axis=1) == 1).all()
    assert design_points(specs, "morris", 5, seed=0).equals(points)  # seeded


def test_morris_needs_two_trajectories():
    with pytest.raises(ExperimentError, match="--samples 1: a Morris screening needs at least 2"):
        design_points(checked("choice.beta_time=0.02:0.1"), "morris", 1, seed=0)


@pytest.mark.parametrize("samples", [0, 1, 6, 12])
def test_sobol_needs_a_power_of_two(samples):
    specs = checked("choice.beta_time=0.02:0.1")
    with pytest.raises(ExperimentError, match="--samples"):
        design_points(specs, "sobol", samples, seed=0)


def test_unknown_design_and_no_keys():
    specs = checked("choice.beta_time=0.02:0.1")
    with pytest.raises(ExperimentError, match="grid, lhs, sobol"):
        design_points(specs, "random", 4, seed=0)
    with pytest.raises(ExperimentError, match="--vary"):
        design_points([], "lhs", 4, seed=0)


def test_runs_table_ids_and_common_random_numbers():
    specs = checked("choice.beta_time=0.02:0.1")
    runs = runs_table(design_points(specs, "lhs", 12, seed=0), replicates=3, root_seed=42)
    assert len(runs) == 36 and runs["run_id"].is_unique
    assert runs["run_id"].iloc[0] == "p0000-r00" and runs["run_id"].iloc[-1] == "p0011-r02"
    assert list(runs.columns) == ["run_id", "point", "choice.beta_time", "replicate", "seed"]
    assert (runs["seed"] == 42).all()
    # replicate r of every point has the same seed sequence
    for r in range(3):
        states = {
            tuple(replicate_seed_sequence(s, r).generate_state(2))
            for s in runs.loc[runs["replicate"] == r, "seed"]
        }
        assert len(states) == 1
    with pytest.raises(ExperimentError, match="--replicates"):
        runs_table(design_points(specs, "lhs", 2, seed=0), replicates=0, root_seed=0)


def test_list_values_map_from_sample_index():
    spec = VarySpec("k", values=("a", "b", "c"))
    assert [spec.from_unit(x) for x in (0.0, 0.99, 1.0, 2.5, 3.0)] == ["a", "a", "b", "c", "c"]


# ---- issue 12: sweeps over integer keys -----------------------------------------------------


def test_integer_keys_are_told_by_the_schema_even_inside_an_absent_block():
    key = "policies.consolidation.rule.min_pupils.primary"
    assert BASE["policies"]["consolidation"] is None or "rule" not in BASE["policies"]
    (spec,) = checked(f"{key}=20:120")
    assert spec.integer
    points = design_points([spec], "lhs", 16, seed=3)
    assert points[key].dtype.kind == "i" and points[key].between(20, 120).all()
    assert spec.note == f"{key}: whole numbers 20 to 120"


def test_integer_range_bounds_are_rounded_inwards():
    (spec,) = checked("years=2:3.5")
    assert (spec.low, spec.high, spec.text) == (2, 3, "years=2:3")
    assert spec.note == "years: whole numbers 2 to 3 (rounded from years=2:3.5)"
    assert spec.levels(3) == [2, 3]
    assert set(design_points([spec], "sobol", 16, seed=0)["years"]) == {2, 3}


@pytest.mark.parametrize("text, held", [("years=2.2:2.8", "none"), ("years=2.5:3.5", "only 3")])
def test_integer_range_of_fewer_than_two_whole_numbers_is_refused(text, held):
    with pytest.raises(ExperimentError, match=f"holds whole numbers and the range holds {held}"):
        checked(text)


def test_lhs_over_an_integer_key_makes_every_whole_number_equally_likely():
    (spec,) = checked("years=2:4")
    points = design_points([spec], "lhs", 300, seed=1)
    assert points["years"].value_counts().sort_index().to_dict() == {2: 100, 3: 100, 4: 100}
