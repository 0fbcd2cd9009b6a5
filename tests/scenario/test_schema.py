"""The scenario schema: strict validation, documented defaults, a usable JSON Schema."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel, ValidationError

from sim import Scenario, load_scenario
from sim.scenario import bundled_names

BLOCKS = [
    "county",
    "families",
    "demography",
    "roads",
    "schools",
    "teachers",
    "quality",
    "choice",
    "boarding",
    "hollow",
    "access",
    "costs",
]


def test_unknown_keys_are_rejected_at_every_level():
    with pytest.raises(ValidationError):
        Scenario.model_validate({"yeras": 3})
    with pytest.raises(ValidationError):
        Scenario.model_validate({"choice": {"beta_tiem": 0.1}})
    with pytest.raises(ValidationError):
        Scenario.model_validate(
            {"schools": {"class_cap": {"primary": 45, "junior": 50, "senior": 50}}}
        )


def test_assignment_is_validated():
    scenario = Scenario()
    with pytest.raises(ValidationError):
        scenario.years = 0
    with pytest.raises(ValidationError):
        scenario.county.residents = -5


@pytest.mark.parametrize(
    "data",
    [
        {"schools": {"max_class_size": -1}},
        {"schools": {"class_cap": {"primary": -45, "junior": 50}}},
        {"county": {"residents": 0}},
        {"county": {"county_town_share": 0.7, "township_seat_share": 0.4}},  # leaves no villagers
        {"families": {"children_per_family": [0.5, 0.2]}},  # does not sum to 1
        {"boarding": {"min_grade": 0}},
        {"hollow": {"max_utilisation": 1.5}},
        {"county": {"terrain": "swamp"}},
    ],
)
def test_impossible_values_are_rejected(data):
    with pytest.raises(ValidationError):
        Scenario.model_validate(data)


def test_defaults_follow_the_design_and_the_national_rules():
    s = Scenario()
    assert s.boarding.min_grade == 4  # grades 1-3 do not board
    assert s.access.young_grade_max == 3
    assert (s.teachers.pupil_teacher_ratio.primary, s.teachers.pupil_teacher_ratio.junior) == (
        19,
        13.5,
    )
    assert (s.schools.class_cap.primary, s.schools.class_cap.junior) == (45, 50)
    assert s.hollow.max_utilisation == pytest.approx(1 / 3)
    assert s.years >= 1 and s.start_year >= 1990


@pytest.mark.parametrize("name", [None, *bundled_names()])
def test_json_dump_round_trips(name):
    """A manifest stores ``model_dump(mode="json")``; loading it back must give the same scenario
    (e.g. the integer year keys of births_index survive JSON's string keys)."""
    scenario = load_scenario(name)
    data = json.loads(json.dumps(scenario.model_dump(mode="json")))
    assert Scenario.model_validate(data) == scenario


def test_json_schema_has_every_top_level_block():
    schema = Scenario.model_json_schema()
    assert schema["type"] == "object"
    assert set(schema["properties"]) == set(Scenario.model_fields)
    for block in BLOCKS + ["name", "description", "start_year", "years", "seed"]:
        assert block in schema["properties"]
    assert schema.get("additionalProperties") is False


def _resolve(schema: dict, node: dict) -> dict:
    ref = node.get("$ref")
    if ref is None and "allOf" in node and len(node["allOf"]) == 1:
        ref = node["allOf"][0].get("$ref")
    if ref is None:
        return node
    assert ref.startswith("#/$defs/"), ref
    return schema["$defs"][ref.removeprefix("#/$defs/")]


def _blocks() -> list[str]:
    """Every top-level block (a nested model), at least those of BLOCKS."""
    found = [
        name
        for name, field in Scenario.model_fields.items()
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)
    ]
    assert set(BLOCKS) <= set(found)
    return found


JSON_TYPES = {"object", "array", "string", "number", "integer", "boolean", "null"}


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_json_schema_uses_only_json_schema_types():
    schema = Scenario.model_json_schema()
    for node in _walk(schema):
        kind = node.get("type")
        if isinstance(kind, (str, list)):  # (a property *named* "type" would be a dict here)
            assert set([kind] if isinstance(kind, str) else kind) <= JSON_TYPES, node


def test_json_schema_refs_resolve_and_blocks_forbid_unknown_keys():
    schema = Scenario.model_json_schema()
    for block in _blocks():
        definition = _resolve(schema, schema["properties"][block])
        assert definition["type"] == "object"
        assert definition.get("additionalProperties") is False, block
        assert definition.get("description"), f"block {block} has no description"
    text = json.dumps(schema)
    for ref in {part.split('"')[0] for part in text.split('"$ref": "')[1:]}:
        assert ref.removeprefix("#/$defs/") in schema["$defs"], ref


def _leaf_fields(model: type[BaseModel], prefix: str = ""):
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and prefix == "":
            yield from _leaf_fields(annotation, f"{path}.")
        else:
            yield path, field


def test_every_parameter_is_documented():
    """DESIGN §5: every parameter is in the scenario, with its unit and source in the schema."""

    def documented(field) -> bool:
        kind = field.annotation
        nested_doc = isinstance(kind, type) and issubclass(kind, BaseModel) and kind.__doc__
        return bool(field.description or nested_doc)

    undocumented = [path for path, field in _leaf_fields(Scenario) if not documented(field)]
    assert undocumented == []


def test_json_schema_is_valid_against_the_metaschema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = Scenario.model_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for name in bundled_names():
        validator.validate(load_scenario(name).model_dump(mode="json"))
    assert list(validator.iter_errors({"yeras": 3}))
