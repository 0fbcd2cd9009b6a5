"""Loading scenarios: bundled names, files, ``extends`` chains, deep merge, ``--set`` overrides,
and error messages that name the key (DESIGN §7)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim import Scenario, load_scenario
from sim.errors import ScenarioError
from sim.scenario import bundled_names, describe_bundled, validate

# ---- bundled and default ----------------------------------------------------------------


def test_no_scenario_is_the_embedded_default():
    assert load_scenario() == Scenario()
    assert load_scenario(None).name == "default"


def test_bundled_names_include_baseline_and_small_county():
    names = bundled_names()
    assert {"baseline", "small_county"} <= set(names)
    assert names == sorted(names)


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_scenario_loads_and_is_named_after_its_file(name):
    scenario = load_scenario(name)
    assert scenario.name == name
    assert scenario.description.strip()


def test_small_county_extends_baseline_and_shrinks_the_county():
    small = load_scenario("small_county")
    base = load_scenario("baseline")
    assert (small.county.residents, small.county.townships, small.county.villages) == (
        30_000,
        4,
        24,
    )
    assert small.county.area_km2 == 600.0
    # Everything not overridden comes from baseline, including siblings inside [county].
    assert small.county.terrain == base.county.terrain
    assert small.county.county_town_share == base.county.county_town_share
    assert small.choice == base.choice and small.schools == base.schools


def test_describe_bundled_gives_first_line_of_each_description():
    rows = dict(describe_bundled())
    assert set(rows) == set(bundled_names())
    for name, line in rows.items():
        assert line == load_scenario(name).description.strip().splitlines()[0]
        assert "\n" not in line and line


def test_unknown_name_lists_the_bundled_scenarios():
    with pytest.raises(ScenarioError) as err:
        load_scenario("no_such_county")
    message = str(err.value)
    assert "no_such_county" in message
    for name in bundled_names():
        assert name in message


# ---- extends ----------------------------------------------------------------------------


def test_extends_by_bundled_name(scenarios_dir):
    child = load_scenario(scenarios_dir / "child_of_small.toml")
    small = load_scenario("small_county")
    assert child.name == "child_of_small"
    assert child.years == 2
    # The child overrides one nested key; its siblings in [county] are kept from the parents.
    assert child.county.villages == 12
    assert child.county.residents == small.county.residents == 30_000
    assert child.county.townships == small.county.townships
    assert child.county.area_km2 == small.county.area_km2


def test_extends_by_relative_path_resolves_from_the_file_not_the_cwd(
    scenarios_dir, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # a working directory where "../parent_nested.toml" means nothing
    child = load_scenario(str((scenarios_dir / "sub" / "child_by_path.toml").resolve()))
    assert child.name == "child_by_path"
    # Three levels: child_by_path -> parent_nested -> small_county -> baseline.
    assert child.years == 2
    assert child.county.residents == 30_000
    assert child.choice.beta_time == pytest.approx(0.07)


def test_deep_merge_keeps_siblings_of_an_overridden_nested_key(scenarios_dir):
    child = load_scenario(scenarios_dir / "sub" / "child_by_path.toml")
    parent = load_scenario(scenarios_dir / "parent_nested.toml")
    assert parent.choice.beta_boarding.primary == 1.0
    assert child.choice.beta_boarding.primary == 2.0  # overridden two levels down
    assert child.choice.beta_boarding.junior == 0.9  # sibling kept from the parent
    assert child.choice.beta_time == parent.choice.beta_time  # sibling block key kept
    assert child.choice.candidates == parent.choice.candidates


def test_relative_county_file_is_taken_from_the_folder_of_the_file_that_names_it(
    scenarios_dir, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    expected = (scenarios_dir.parent / "tiny_county").resolve()
    parent = load_scenario(scenarios_dir / "parent_nested.toml")
    assert Path(parent.county.file) == expected
    # Inherited by a child in another folder: still relative to the parent's folder.
    child = load_scenario(scenarios_dir / "sub" / "child_by_path.toml")
    assert Path(child.county.file) == expected


@pytest.mark.parametrize("first", ["extends_loop_a.toml", "extends_loop_b.toml"])
def test_extends_loop_is_an_error_naming_the_files(scenarios_dir, first):
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenarios_dir / first)
    message = str(err.value)
    assert "extends" in message and "loop" in message
    assert "extends_loop_a.toml" in message and "extends_loop_b.toml" in message


def test_extends_itself_is_a_loop(scenarios_dir):
    with pytest.raises(ScenarioError, match="extends loops"):
        load_scenario(scenarios_dir / "extends_self.toml")


def test_extends_pointing_nowhere_names_the_target_and_the_file(scenarios_dir):
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenarios_dir / "extends_missing.toml")
    message = str(err.value)
    assert "no_such_scenario" in message
    assert "extends_missing.toml" in message
    assert "extend" in message


def test_extends_that_is_not_text_names_the_key(scenarios_dir):
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenarios_dir / "extends_not_text.toml")
    assert "'extends'" in str(err.value) and "3" in str(err.value)


def test_extends_by_name_with_a_same_named_folder_beside_the_file(scenarios_dir, tmp_path):
    shutil.copy(scenarios_dir / "child_of_small.toml", tmp_path / "child.toml")
    (tmp_path / "small_county").mkdir()  # e.g. the user's real-county CSV folder
    child = load_scenario(tmp_path / "child.toml")
    assert child.county.residents == 30_000


# ---- bad files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fixture, names",
    [
        ("unknown_key.toml", ["county.vilages", "villages"]),  # the key and the allowed keys
        ("wrong_type.toml", ["years", "'many'"]),
        ("negative_capacity.toml", ["schools.class_cap.primary", "-45"]),
        ("not_toml.toml", ["not_toml.toml", "TOML"]),
    ],
)
def test_bad_file_error_names_the_key_and_the_value(scenarios_dir, fixture, names):
    with pytest.raises(ScenarioError) as err:
        load_scenario(scenarios_dir / fixture)
    for part in names:
        assert part in str(err.value)


def test_several_problems_are_reported_together(tmp_path):
    path = tmp_path / "two.toml"
    path.write_text('years = "x"\n[county]\nbogus = 1\n', encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    assert "2 problems" in message
    assert "years" in message and "county.bogus" in message


def test_binary_file_is_not_toml(tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ScenarioError, match="binary.toml"):
        load_scenario(path)


# ---- --set overrides ----------------------------------------------------------------------


def test_override_values_are_coerced_from_toml():
    scenario = load_scenario(
        "small_county",
        [
            "years=3",
            "choice.include_county_town=false",
            "families.children_per_family=[0.6, 0.4]",
            "choice.beta_time=0.05",
            "description=my run",  # not TOML: taken as text
        ],
    )
    assert scenario.years == 3 and isinstance(scenario.years, int)
    assert scenario.choice.include_county_town is False
    assert scenario.families.children_per_family == [0.6, 0.4]
    assert scenario.choice.beta_time == 0.05
    assert scenario.description == "my run"


def test_override_a_nested_key_keeps_its_siblings():
    scenario = load_scenario("small_county", ["county.villages=10"])
    assert scenario.county.villages == 10
    assert scenario.county.residents == 30_000 and scenario.county.townships == 4


@pytest.mark.parametrize(
    "override, block, key, value",
    [
        ("schools.class_cap.primary=40", "schools.class_cap", "primary", 40),
        ("hollow.min_pupils.primary=30", "hollow.min_pupils", "primary", 30),
        ("boarding.max_commute_min.junior=80", "boarding.max_commute_min", "junior", 80),
    ],
)
def test_override_one_stage_of_a_per_stage_block(override, block, key, value):
    scenario = load_scenario("small_county", [override])
    default = Scenario()
    got, want = scenario, default
    for part in block.split("."):
        got, want = getattr(got, part), getattr(want, part)
    assert getattr(got, key) == value
    for other in type(want).model_fields:
        if other != key:
            assert getattr(got, other) == getattr(want, other)


def test_file_overriding_one_stage_keeps_the_other(tmp_path):
    path = tmp_path / "one_stage.toml"
    path.write_text(
        'extends = "small_county"\n[schools.class_cap]\nprimary = 40\n', encoding="utf-8"
    )
    scenario = load_scenario(path)
    assert scenario.schools.class_cap.primary == 40
    assert scenario.schools.class_cap.junior == Scenario().schools.class_cap.junior


def test_overrides_apply_after_the_file_and_the_last_one_wins(scenarios_dir):
    scenario = load_scenario(
        scenarios_dir / "child_of_small.toml", ["county.villages=5", "county.villages=7"]
    )
    assert scenario.county.villages == 7
    assert scenario.county.townships == 4


def test_overrides_may_be_a_mapping():
    scenario = load_scenario("small_county", {"years": 4, "choice.beta_stay": 1.5})
    assert scenario.years == 4 and scenario.choice.beta_stay == 1.5


def test_override_can_fix_a_bad_file(scenarios_dir):
    scenario = load_scenario(scenarios_dir / "wrong_type.toml", ["years=2"])
    assert scenario.years == 2


def test_unknown_override_key_lists_the_allowed_keys():
    with pytest.raises(ScenarioError) as err:
        load_scenario("small_county", ["choice.beta_tiem=0.1"])
    message = str(err.value)
    assert "choice.beta_tiem" in message
    for allowed in ("beta_time", "beta_quality", "candidates", "include_county_town"):
        assert allowed in message


def test_unknown_top_level_override_lists_the_blocks():
    with pytest.raises(ScenarioError) as err:
        load_scenario(None, ["polices.x=1"])
    message = str(err.value)
    assert "polices" in message
    for block in ("county", "choice", "boarding", "hollow", "years"):
        assert block in message


@pytest.mark.parametrize(
    "override, names",
    [
        ("years=many", ["years", "many"]),
        ("years=0", ["years", "0"]),
        ("schools.class_cap.primary=-1", ["schools.class_cap.primary", "-1"]),
        ("choice.include_county_town=[1, 2]", ["choice.include_county_town"]),
        ("years.count=3", ["years"]),  # a value, not a block
    ],
)
def test_bad_override_names_the_key(override, names):
    with pytest.raises(ScenarioError) as err:
        load_scenario("small_county", [override])
    for part in names:
        assert part in str(err.value)


@pytest.mark.parametrize("override", ["years", "=3", "choice..beta_time=1", ".years=1"])
def test_malformed_override_is_an_error(override):
    with pytest.raises(ScenarioError, match="dotted.key=value"):
        load_scenario(None, [override])


def test_validate_turns_a_mapping_into_a_scenario():
    assert validate({"years": 2}).years == 2
    with pytest.raises(ScenarioError, match="county.bogus"):
        validate({"county": {"bogus": 1}})


# ---- issue 12: partial dict overrides, merged tables, a byte order mark ----------------------

RIDE_DEFAULTS = Scenario().roads.ride_speed_kmh


def test_partial_dict_override_keeps_the_other_entries(invoke):
    scenario = load_scenario("small_county", ["roads.ride_speed_kmh.county=50"])
    assert scenario.roads.ride_speed_kmh == {**RIDE_DEFAULTS, "county": 50.0}
    result = invoke("validate", "small_county", "--set", "roads.ride_speed_kmh.county=50")
    assert result.exit_code == 0, result.output


def test_partial_dict_in_a_toml_table_keeps_the_other_entries(scenarios_dir):
    scenario = load_scenario(scenarios_dir / "partial_record_table.toml")
    assert scenario.roads.ride_speed_kmh == {**RIDE_DEFAULTS, "county": 50.0}


def test_partial_dict_given_as_an_inline_table_keeps_the_other_entries():
    scenario = load_scenario("small_county", ["roads.ride_speed_kmh={village=12}"])
    assert scenario.roads.ride_speed_kmh == {**RIDE_DEFAULTS, "village": 12.0}


def test_inline_table_override_merges_into_the_parents_table():
    scenario = load_scenario("small_county", ["county={residents=5000}"])
    assert scenario.county.residents == 5000
    # the parent's (small_county's) siblings, not the defaults, are kept
    assert (scenario.county.townships, scenario.county.villages) == (4, 24)
    assert scenario.county.area_km2 == 600.0


def test_series_entry_override_keeps_the_other_entries():
    default = Scenario().demography.births_index
    scenario = load_scenario("small_county", ["demography.births_index.2030=5"])
    assert scenario.demography.births_index == {**default, 2030: 5.0}
    china = load_scenario("china_2001_2020")
    changed = load_scenario("china_2001_2020", ["demography.births_index.1990=1"])
    assert changed.demography.births_index == {**china.demography.births_index, 1990: 1.0}


def test_series_given_as_a_table_replaces_the_one_before_it(scenarios_dir):
    replaced = load_scenario("china_2001_2020", ["demography.births_index={2000=1.0}"])
    assert replaced.demography.births_index == {2000: 1.0}
    child = load_scenario(scenarios_dir / "series_table_in_child.toml")
    assert child.demography.births_index == {2000: 1.0}
    flat = load_scenario("small_county", {"demography.births_index": {2000: 1.0}})
    assert flat.demography.births_index == {2000: 1.0}


def test_utf8_bom_in_a_toml_file_is_accepted(scenarios_dir, invoke):
    assert (scenarios_dir / "bom_utf8.toml").read_bytes().startswith(b"\xef\xbb\xbf")
    scenario = load_scenario(scenarios_dir / "bom_utf8.toml")
    assert scenario.name == "bom_utf8" and scenario.years == 2
    result = invoke("validate", scenarios_dir / "bom_utf8.toml")
    assert result.exit_code == 0, result.output
