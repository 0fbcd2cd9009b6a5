"""Dotted scenario keys: read, set, look up in the schema; scenarios and values written as TOML that
reads back to the same data."""

from __future__ import annotations

import math
import tomllib
import typing

import numpy as np
import pytest

import sim
from sim.errors import ScenarioError
from sim.scenario import bundled_names
from sim.scenario.keys import (
    field_type,
    get_dotted,
    has_key,
    is_record,
    is_series,
    keys_at,
    merged,
    merges,
    set_dotted,
    to_toml,
    toml_value,
)
from sim.scenario.policies import BusingConfig

# ---- get and set ------------------------------------------------------------------------------


def test_get_dotted_reads_values_and_blocks():
    data = sim.load_scenario("small_county").model_dump(mode="json")
    assert get_dotted(data, "county.residents") == 30_000
    assert get_dotted(data, "schools.class_cap") == data["schools"]["class_cap"]
    assert get_dotted({"a": {"b": None}}, "a.b") is None


@pytest.mark.parametrize(
    "key, words",
    [
        ("county.nope", ["key 'county.nope'", "block 'county' has no key 'nope'"]),
        ("nope", ["key 'nope'", "the scenario has no key 'nope'"]),
        ("county.residents.deeper", ["'county.residents' is a value (30000)", "not a block"]),
        (
            "policies.busing.serve",
            ["'policies.busing' is a value (None)"],
        ),  # a block the scenario leaves out
    ],
)
def test_get_dotted_names_the_key_it_cannot_read(key, words):
    data = sim.load_scenario("small_county").model_dump(mode="json")
    with pytest.raises(ScenarioError) as err:
        get_dotted(data, key)
    for word in words:
        assert word in str(err.value)


def test_set_dotted_creates_blocks_on_the_way_and_replaces_values():
    data = {"a": {"b": 1}, "off": None}
    set_dotted(data, "a.b", 2)
    set_dotted(data, "a.c.d", [1])
    set_dotted(data, "off.x", True)  # an absent (None) block becomes a block
    set_dotted(data, "top", "t")
    assert data == {"a": {"b": 2, "c": {"d": [1]}}, "off": {"x": True}, "top": "t"}


def test_set_dotted_refuses_to_go_below_a_value():
    with pytest.raises(
        ScenarioError, match=r"key 'a\.b\.c': 'a\.b' is a value \(1\), not a block of keys"
    ):
        set_dotted({"a": {"b": 1}}, "a.b.c", 2)


# ---- the schema -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "key, expected",
    [
        ("seed", int),
        ("migration.town_constant", float),
        ("policies.consolidation.rule.min_pupils.primary", int),  # through optional policy blocks
        ("policies.busing", BusingConfig),
        ("roads.ride_speed_kmh.county", float),  # an entry of a dict field
        ("policies.consolidation.start_year", int),  # int | None -> int
    ],
)
def test_field_type_walks_blocks_optional_blocks_and_dicts(key, expected):
    assert field_type(key) is expected


def test_field_type_keeps_lists_and_literals():
    assert typing.get_origin(field_type("families.children_per_family")) is list
    assert "mountain" in str(field_type("county.terrain"))


@pytest.mark.parametrize(
    "key",
    ["nope", "migration.no_such_key", "migration.town_constant.deeper", "policies.busing.nope"],
)
def test_unknown_keys_have_no_type(key):
    assert field_type(key) is None and not has_key(key)


def test_has_key():
    assert has_key("migration.town_constant")
    assert has_key("policies.consolidation.rule.min_pupils.primary")
    assert has_key("policies.teachers")


def test_keys_at_lists_a_block_and_reaches_plan_entries_by_their_tag():
    assert keys_at(())[:3] == list(sim.Scenario.model_fields)[:3]
    assert "residents" in keys_at(("county",))
    assert "receiving" in keys_at(("policies", "consolidation", "plan", 0, "close"))
    assert keys_at(("county", "residents")) == [] and keys_at(("nope",)) == []


# ---- TOML -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (True, "true"),
        (np.bool_(False), "false"),
        (3, "3"),
        (np.int32(3), "3"),
        (0.5, "0.5"),
        (np.float32(0.5), "0.5"),
        (1e-05, "1e-05"),
        (float("inf"), "inf"),
        (-math.inf, "-inf"),
        (float("nan"), "nan"),
        ("tab\there", '"tab\\there"'),
        ("县城", '"县城"'),
        ([1, None, "a"], '[1, "a"]'),
        ((1, 2), "[1, 2]"),
        ({}, "{}"),
        ({"a": 1, "b c": [2], "skip": None}, '{ a = 1, "b c" = [2] }'),
    ],
)
def test_toml_value(value, text):
    assert toml_value(value) == text


@pytest.mark.parametrize("value", [None, object(), b"bytes"])
def test_toml_value_refuses_what_toml_cannot_hold(value):
    with pytest.raises(TypeError):
        toml_value(value)


@pytest.mark.parametrize(
    "value",
    [
        0.1,
        -2.5e300,
        7,
        'say "hi"\\',
        'two\nlines with """ and \\',
        [{"a": [1, {"b": "c"}]}],
        {"x": {"y": 1.5}},
    ],
)
def test_toml_values_read_back_as_themselves(value):
    assert tomllib.loads(f"v = {toml_value(value)}")["v"] == value


def drop_none(data):
    if isinstance(data, dict):
        return {k: drop_none(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [drop_none(v) for v in data if v is not None]
    return data


@pytest.mark.parametrize("name", bundled_names())
def test_every_bundled_scenario_reads_back_from_its_toml(name):
    data = sim.load_scenario(name).model_dump(mode="json")
    assert tomllib.loads(to_toml(data)) == drop_none(data)


def test_to_toml_layout_values_then_tables_then_arrays_of_tables():
    text = to_toml({"t": {"x": 1}, "a": 1, "off": None, "rows": [{"k": 1}, {"k": 2}], "e": {}})
    assert (
        text
        == "a = 1\n# off = (not set)\ne = {}\n\n[t]\nx = 1\n\n[[rows]]\nk = 1\n\n[[rows]]\nk = 2\n"
    )
    nested = to_toml({"p": {"q": {"r": 1}, "s": 2}, "odd key": {"z": "w"}})
    assert nested == '\n[p]\ns = 2\n\n[p.q]\nr = 1\n\n["odd key"]\nz = "w"\n'
    assert tomllib.loads(nested) == {"p": {"q": {"r": 1}, "s": 2}, "odd key": {"z": "w"}}


# ---- issue 12: a table merges into a block or a record, replaces a series -------------------


def test_records_and_series_are_told_by_their_entries():
    assert is_record(field_type("roads.ride_speed_kmh"))
    assert is_series(field_type("demography.births_index"))
    assert not is_record(field_type("demography.births_index"))
    assert not is_series(field_type("roads.ride_speed_kmh")) and not is_series(int)
    assert merges("") and merges("county") and merges("roads.ride_speed_kmh")
    assert not merges("demography.births_index") and not merges("years")
    assert not merges("no.such.key")


def test_a_table_merges_into_a_block_or_a_record_and_replaces_a_series():
    data = {
        "county": {"residents": 1, "villages": 2},
        "roads": {"ride_speed_kmh": {"county": 40.0, "village": 20.0}},
        "demography": {"births_index": {"2000": 1.0, "2010": 2.0}},
    }
    set_dotted(data, "county", {"residents": 5})
    set_dotted(data, "roads", {"ride_speed_kmh": {"village": 12.0}})
    set_dotted(data, "demography.births_index", {"2020": 3.0})
    assert data == {
        "county": {"residents": 5, "villages": 2},
        "roads": {"ride_speed_kmh": {"county": 40.0, "village": 12.0}},
        "demography": {"births_index": {"2020": 3.0}},
    }
    nested = merged(data, {"demography": {"births_index": {"1990": 1.0}}})
    assert nested["demography"]["births_index"] == {"1990": 1.0}  # a series inside a block
    assert merged({"a": 1}, 5, "county") == 5
