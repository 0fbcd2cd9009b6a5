"""The levers: which scenario keys each sets, the scenario and command line they give, labels."""

from __future__ import annotations

import shlex
import tomllib

import numpy as np
import pytest

import sim
from sim.errors import ScenarioError
from sim.scenario.keys import has_key, toml_value
from sim.viz import i18n
from sim.viz.app.levers import (
    LEVERS,
    SUBSIDY_ONLY,
    command_line,
    lever_available,
    lever_defaults,
    lever_label,
    lever_overrides,
    scenario_with_levers,
)
from sim.viz.app.teaching import load_base

DEMO = "hollow_school_demo"
RULE = "policies.consolidation.rule.min_pupils"


@pytest.fixture(scope="module")
def base() -> sim.Scenario:
    return load_base(DEMO)


@pytest.fixture(scope="module")
def with_policies() -> sim.Scenario:
    """The demo with a closure rule, a boarding policy (own min_grade, one expansion) and buses."""
    return load_base(
        DEMO,
        (
            f"{RULE}.primary=80",
            f"{RULE}.junior=300",
            "policies.boarding.min_grade=5",
            "policies.boarding.expansion="
            '[{year = 2025, select = {tiers = ["village"]}, beds = 10}]',
            "policies.busing={}",
        ),
    )


# ---- levers → scenario (kept from the app's tests) --------------------------------------------


def test_defaults_read_the_scenario(base):
    values = lever_defaults(base)
    assert set(values) == {lever.key for lever in LEVERS}
    assert values["closure"] == 0 and values["beds"] == 0 and values["buses"] is False
    assert values["min_grade"] == base.boarding.min_grade == 4
    assert values["town_pull"] == base.migration.town_constant == -3.0
    assert values["births"] == base.demography.births_trend_per_year == 0.0


def test_default_levers_leave_the_scenario_unchanged(base):
    assert scenario_with_levers(base, lever_defaults(base)) == base
    assert scenario_with_levers(base, {}) == base


def test_closure_threshold_sets_the_rule(base):
    scn = scenario_with_levers(base, {"closure": 60})
    rule = scn.policies.consolidation.rule
    assert rule.min_pupils.primary == 60 and rule.min_pupils.teaching_point == 60
    # a new rule leaves junior and nine-year schools alone
    assert rule.min_pupils.junior == 0 and rule.min_pupils.nine_year == 0
    # 0 removes a rule the scenario has, and keeps the rest of its consolidation block
    with_rule = scenario_with_levers(base, {"closure": 80})
    off = scenario_with_levers(with_rule, {"closure": 0})
    assert off.policies.consolidation is not None and off.policies.consolidation.rule is None
    assert lever_defaults(with_rule)["closure"] == 80
    # an existing rule keeps its junior thresholds
    kept = scenario_with_levers(sim.load_scenario(DEMO, [f"{RULE}.junior=300"]), {"closure": 40})
    assert kept.policies.consolidation.rule.min_pupils.junior == 300
    assert kept.policies.consolidation.rule.min_pupils.primary == 40


def test_beds_min_grade_buses_town_pull_births(base):
    scn = scenario_with_levers(
        base, {"beds": 75, "min_grade": 3, "buses": True, "town_pull": -1.5, "births": -0.025}
    )
    boarding = scn.policies.boarding
    assert boarding is not None and boarding.beds_for_need is False
    [entry] = boarding.expansion
    assert entry.beds == 75 and entry.year == base.start_year and entry.select.tiers == ["township"]
    assert scn.boarding.min_grade == 3
    assert scn.policies.busing is not None
    assert scn.migration.town_constant == -1.5
    assert scn.demography.births_trend_per_year == -0.025
    # buses off removes a busing block the scenario has; beds 0 adds nothing
    off = scenario_with_levers(scn, {"buses": False, "beds": 0})
    assert off.policies.busing is None and off.policies.boarding == boarding


def test_subsidy_lever_follows_the_schema(base):
    key = "policies.teachers.rural_subsidy_yuan_per_month"
    assert lever_available("subsidy") == has_key(key)
    out = lever_overrides({"subsidy": 400}, base)
    if lever_available("subsidy"):
        assert out[key] == 400
        teachers = scenario_with_levers(base, {"subsidy": 400}).policies.teachers
        assert teachers.rural_subsidy_yuan_per_month == 400
        for other, value in SUBSIDY_ONLY.items():  # only the subsidy is switched on
            if hasattr(teachers, other):
                assert getattr(teachers, other) == value
        assert lever_overrides({"subsidy": 0}, base) == {}
    else:
        assert out == {}  # guarded: the slider shows disabled with a note


def test_schema_has():
    assert has_key("migration.town_constant")
    assert has_key("policies.consolidation.rule.min_pupils.primary")
    assert not has_key("migration.no_such_key")
    assert not has_key("migration.town_constant.deeper")


def test_every_lever_but_the_guarded_one_is_available():
    missing = [lever.key for lever in LEVERS if not lever_available(lever.key)]
    assert set(missing) <= {"subsidy"}, missing


def test_command_line_gives_the_same_scenario(base):
    values = {
        **lever_defaults(base),
        "closure": 60,
        "beds": 50,
        "buses": True,
        "births": -0.02,
        "town_pull": -2.5,
        "min_grade": 5,
    }
    command, removed = command_line(DEMO, ["years=8"], values, base)
    assert removed == []
    args = shlex.split(command)
    assert args[:3] == ["edusim", "run", DEMO]
    sets = [args[i + 1] for i, a in enumerate(args) if a == "--set"]
    assert sets[0] == "years=8"
    expected = scenario_with_levers(load_base(DEMO, ("years=8",)), values)
    assert sim.load_scenario(DEMO, sets) == expected
    # unchanged levers add nothing
    assert command_line(DEMO, [], lever_defaults(base), base)[0] == f"edusim run {DEMO}"


def test_toml_value():
    """The command line's values are TOML that reads back as the value (keys.toml_value)."""
    assert toml_value(True) == "true"
    nested = [{"a": 1, "b": {"c": ["x"]}}]
    assert tomllib.loads(f"v = {toml_value(nested)}")["v"] == nested
    with pytest.raises(TypeError):
        toml_value(None)


def test_lever_labels_change_with_the_language(base):
    values = lever_defaults(base)
    for lever in LEVERS:
        en = lever_label(lever.key, values[lever.key], "en")
        zh = lever_label(lever.key, values[lever.key], "zh")
        assert en and zh and en != zh, lever.key
        assert i18n.t(lever.label, "en") and i18n.t(lever.label, "zh")
    assert "60" in lever_label("closure", 60, "en") and "60" in lever_label("closure", 60, "zh")
    assert lever_label("births", -0.025, "en").endswith("-2.5%")


def test_lever_ranges_hold_the_defaults(base):
    values = lever_defaults(base)
    for lever in LEVERS:
        if lever.kind != "bool":
            value = values[lever.key] * lever.scale
            assert lever.min <= value <= lever.max, lever.key
            steps = (value - lever.min) / lever.step
            assert np.isclose(steps, round(steps)), lever.key


# ---- the overrides of each lever, on their own -------------------------------------------------


def test_closure_on_a_scenario_without_a_rule_sets_four_thresholds_in_order(base):
    assert list(lever_overrides({"closure": 30}, base).items()) == [
        (f"{RULE}.teaching_point", 30),
        (f"{RULE}.primary", 30),
        (f"{RULE}.junior", 0),
        (f"{RULE}.nine_year", 0),
    ]
    assert lever_overrides({"closure": 0}, base) == {}  # nothing to remove


def test_closure_on_a_scenario_with_a_rule(with_policies):
    assert lever_overrides({"closure": 30}, with_policies) == {
        f"{RULE}.teaching_point": 30,
        f"{RULE}.primary": 30,
    }
    assert lever_overrides({"closure": 0}, with_policies) == {"policies.consolidation.rule": None}


def test_beds_append_to_the_boarding_policy_s_expansions(with_policies):
    out = lever_overrides({"beds": 25}, with_policies)
    assert list(out) == ["policies.boarding.expansion"]  # an existing policy keeps beds_for_need
    first, added = out["policies.boarding.expansion"]
    assert first["beds"] == 10 and first["select"]["tiers"] == ["village"]
    township = {"tiers": ["township"]}
    assert added == {"year": with_policies.start_year, "select": township, "beds": 25}
    assert lever_overrides({"beds": 0}, with_policies) == {}


def test_min_grade_follows_a_boarding_policy_that_sets_its_own(base, with_policies):
    assert lever_overrides({"min_grade": 6}, base) == {"boarding.min_grade": 6}
    assert lever_overrides({"min_grade": 6}, with_policies) == {
        "boarding.min_grade": 6,
        "policies.boarding.min_grade": 6,
    }
    assert scenario_with_levers(with_policies, {"min_grade": 6}).policies.boarding.min_grade == 6


def test_buses_change_only_what_differs(base, with_policies):
    assert lever_overrides({"buses": True}, base) == {"policies.busing": {}}
    assert lever_overrides({"buses": False}, base) == {}
    assert lever_overrides({"buses": True}, with_policies) == {}
    assert lever_overrides({"buses": False}, with_policies) == {"policies.busing": None}


def test_town_pull_and_births_are_floats(base):
    out = lever_overrides({"town_pull": -2, "births": 0}, base)
    assert out == {"migration.town_constant": -2.0, "demography.births_trend_per_year": 0.0}
    assert all(isinstance(v, float) for v in out.values())


def test_overrides_come_in_lever_order(base):
    everything = {
        "births": 0.01,
        "town_pull": -1.0,
        "buses": True,
        "min_grade": 5,
        "beds": 25,
        "closure": 40,
    }
    assert list(lever_overrides(everything, base)) == [
        f"{RULE}.teaching_point",
        f"{RULE}.primary",
        f"{RULE}.junior",
        f"{RULE}.nine_year",
        "policies.boarding.beds_for_need",
        "policies.boarding.expansion",
        "boarding.min_grade",
        "policies.busing",
        "migration.town_constant",
        "demography.births_trend_per_year",
    ]


def test_a_wrong_lever_value_is_a_scenario_error(base):
    with pytest.raises(ScenarioError):
        scenario_with_levers(base, {"min_grade": 42})


def test_command_line_names_the_blocks_it_cannot_remove(with_policies):
    values = {**lever_defaults(with_policies), "closure": 0, "buses": False}
    command, removed = command_line(None, [], values, with_policies)
    assert removed == ["policies.consolidation.rule", "policies.busing"]
    assert shlex.split(command) == ["edusim", "run", with_policies.name]


def test_labels_of_the_closure_lever_at_zero_and_of_the_subsidy():
    assert lever_label("closure", 0, "en") == i18n.t("lever_closure_off", "en")
    assert "1,000" in lever_label("subsidy", 1000, "en")
    assert lever_label("town_pull", -3, "en").endswith("-3.0")
    with pytest.raises(KeyError):
        lever_label("no_such_lever", 1, "en")
