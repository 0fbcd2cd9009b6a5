"""Targets files: reading, checking against the scenario, and clear errors for bad files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError

import sim
from sim.experiment.calibration import (
    SERIES,
    Moment,
    Parameter,
    ParamSpec,
    Targets,
    check_targets,
    load_targets,
    plan_calibration,
)
from sim.experiment.errors import ExperimentError
from sim.scenario.keys import get_dotted

SMALL = ["years=3"]  # small_county from 2024: years 2024-2026
ROOT = Path(__file__).parents[3]


def test_a_targets_file_reads_its_moments_and_parameters(targets_dir):
    targets = load_targets(targets_dir / "small_ok.toml")
    assert targets.name == "small_ok"
    assert [m.label for m in targets.moments] == [
        "county_town_pupil_share 2026",
        "rural primary pupils",
    ]
    assert [m.kind for m in targets.moments] == ["level 2026", "change 2024-2026"]
    assert targets.moments[1].years == (2024, 2026) and targets.moments[1].weight == 0.5
    assert [(p.key, p.low, p.high) for p in targets.parameters] == [
        ("migration.town_constant", -5.0, -3.0)
    ]


def test_a_file_without_a_name_is_named_after_its_stem(tmp_path, targets_dir):
    text = (
        (targets_dir / "small_ok.toml")
        .read_text(encoding="utf-8")
        .replace('name = "small_ok"\n', "")
    )
    (tmp_path / "mine.toml").write_text(text, encoding="utf-8")
    assert load_targets(tmp_path / "mine.toml").name == "mine"


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"year": 2010, "change": (2001, 2010)}, "exactly one of 'year'"),
        ({}, "exactly one of 'year'"),
        ({"year": 2010, "observed": 0}, "non-zero"),
        ({"change": (2001, 2010), "observed": -1}, "above -1"),
    ],
)
def test_a_moment_is_a_level_or_a_change_against_a_usable_observation(fields, words):
    with pytest.raises(ValidationError, match=words):
        Moment(**{"metric": "pupils", "observed": 1.0, "source": "s", **fields})


def test_names_and_keys_are_given_once():
    moment = Moment(metric="pupils", year=2025, observed=1, source="s")
    parameter = Parameter(key="choice.beta_time", low=0, high=1)
    with pytest.raises(ValidationError, match="moment 'pupils 2025' is given twice"):
        Targets(name="t", moments=[moment, moment], parameters=[parameter])
    with pytest.raises(ValidationError, match="parameter key 'choice.beta_time' is given twice"):
        Targets(name="t", moments=[moment], parameters=[parameter, parameter])


def test_every_derived_series_can_be_a_moment():
    assert {"pupils", "rural_pupils_primary", "urban_town_pupil_share"} <= set(SERIES)
    assert "year" not in SERIES and len(SERIES) == len(set(SERIES))


def test_check_targets_returns_one_spec_per_parameter():
    scenario = sim.load_scenario("small_county", SMALL)
    targets = Targets(
        name="two",
        moments=[Moment(metric="pupils", year=2025, observed=4000, source="s")],
        parameters=[
            Parameter(key="choice.beta_time", low=0.01, high=0.1),
            Parameter(key="policies.consolidation.rule.min_pupils.primary", low=50, high=300),
        ],
    )
    specs = check_targets(targets, scenario)
    assert specs == [
        ParamSpec("choice.beta_time", 0.01, 0.1, integer=False),
        ParamSpec("policies.consolidation.rule.min_pupils.primary", 50, 300, integer=True),
    ]
    assert specs[0].value(0.0123456) == 0.01235 and specs[0].value(7) == 0.1  # 4 digits, clipped


def test_integer_parameters_are_fitted_over_integers():
    targets = Targets(
        name="ints",
        moments=[Moment(metric="schools_open", year=2025, observed=20, source="s")],
        parameters=[
            Parameter(key="policies.consolidation.rule.min_pupils.primary", low=50, high=300)
        ],
    )
    problem = plan_calibration(
        "small_county", targets, overrides=["years=2"], budget=10, replicates=1
    )
    assert problem.specs[0].integer and problem.specs[0].value(123.4) == 123


@pytest.mark.parametrize(
    "name, words",
    [
        (
            "unknown_metric",
            ["unknown metric 'pupil_happiness'", "county_town_pupil_share", "rural_pupils_primary"],
        ),
        ("year_outside", ["year 2031 is outside the run", "2024-2026"]),
        (
            "bounds_reversed",
            ["parameters.0", "bounds reversed", "low -3.0 must be below high -5.0"],
        ),
        ("unknown_parameter", ["migration.town_magnet", "no such key"]),
        ("unknown_key", ["unknown key 'moments.0.unit'"]),
        ("not_toml", ["not a valid TOML file"]),
        ("change_years_reversed", ["change [2026, 2024]", "first year must be before"]),
        ("text_parameter", ["county.terrain", "not a number"]),
        ("missing_source", ["moments.0.source", "Field required"]),
        ("no_such_file", ["no such file"]),
    ],
)
def test_bad_targets_raise_a_clear_error(name, words, targets_dir):
    with pytest.raises(ExperimentError) as err:
        plan_calibration("small_county", targets_dir / f"{name}.toml", overrides=SMALL, budget=100)
    for word in words:
        assert word in str(err.value)


def test_parameters_that_cannot_be_fitted_say_why():
    scenario = sim.load_scenario("small_county", SMALL)
    moment = Moment(metric="pupils", year=2025, observed=4000, source="s")
    cases = {
        "seed": "cannot be fitted",
        # a text key of a block the scenario leaves out
        "policies.busing.serve": "not a number (now None)",
        "choice.beta_time": "bound -1.0",  # the scenario rejects a negative time coefficient
    }
    for key, words in cases.items():
        targets = Targets(
            name="t", moments=[moment], parameters=[Parameter(key=key, low=-1, high=1)]
        )
        with pytest.raises(ExperimentError, match=words.replace("(", r"\(").replace(")", r"\)")):
            check_targets(targets, scenario)


def test_china_targets_fit_the_scenario_and_the_committed_overlay_loads():
    targets = load_targets(ROOT / "calibration" / "targets" / "china_2000_2010.toml")
    problem = plan_calibration("china_2001_2020", targets, budget=600, replicates=2)
    assert problem.fit_years == 10 and all(m.source for m in targets.moments)
    # Every fitted parameter says why its bounds, and the committed table carries it.
    assert all(p.note for p in targets.parameters)
    notes = pd.read_csv(ROOT / "calibration" / "fitted" / "china_2000_2010_parameters.csv")
    assert dict(zip(notes["key"], notes["note"])) == {p.key: p.note for p in targets.parameters}
    fitted = sim.load_scenario(ROOT / "calibration" / "fitted" / "china_2000_2010.toml")
    assert fitted.name == "china_2001_2020_fitted" and fitted.start_year == 2001
    for spec in problem.specs:
        value = get_dotted(fitted.model_dump(mode="json"), spec.key)
        assert spec.low <= value <= spec.high, spec.key
    table = pd.read_csv(ROOT / "calibration" / "fitted" / "china_2000_2010_fit.csv")
    assert list(table["moment"]) == [m.label for m in targets.moments]
