"""Issue 12, numbers: every numeric field is finite, of its own type and within a documented range.

`nan`, `inf`, `1e12` residents, a negative or empty `births_index`, `class_cap = 0` and
`years = true` used to give tracebacks, NaN in the manifest or a run with zero pupils; they are
refused at validation, the message naming the key and the value.
"""

from __future__ import annotations

import math
import typing

import pytest
from pydantic import BaseModel, ValidationError

from sim import Scenario, load_scenario
from sim.errors import ScenarioError
from sim.scenario.schema_base import block_type, is_numeric, numeric_bounds


def _models(root: type[BaseModel] = Scenario) -> list[type[BaseModel]]:
    """Every block reachable from the scenario: nested, optional, list entries, union members."""
    seen: list[type[BaseModel]] = []

    def visit(model: type[BaseModel]) -> None:
        if model in seen:
            return
        seen.append(model)
        for field in model.model_fields.values():
            for kind in _types_in(field.annotation):
                if isinstance(kind, type) and issubclass(kind, BaseModel):
                    visit(kind)

    visit(root)
    return seen


def _types_in(annotation) -> list:
    found = [annotation]
    for arg in typing.get_args(annotation):
        found += _types_in(arg)
    return found


def _numeric_fields():
    return [
        (model, name, field)
        for model in _models()
        for name, field in model.model_fields.items()
        if is_numeric(field)
    ]


def test_the_walk_finds_the_policy_blocks_and_plan_entries():
    names = {m.__name__ for m in _models()}
    assert {
        "PlanBuild",
        "PlanRestore",
        "BedExpansion",
        "ConsolidationRule",
        "BusingConfig",
    } <= names
    assert len(_numeric_fields()) > 150


def test_every_numeric_field_has_a_finite_lower_and_upper_bound():
    unbounded = []
    for model, name, field in _numeric_fields():
        lower, upper = numeric_bounds(field)
        if lower is None or upper is None or not all(math.isfinite(b[0]) for b in (lower, upper)):
            unbounded.append(f"{model.__name__}.{name}")
    assert unbounded == []


def _bad_value_errors(model: type[BaseModel], name: str, bad) -> list[dict]:
    """The errors at field ``name`` (or its items) when it is ``bad`` (others may be missing)."""
    field = model.model_fields[name]
    origin = {typing.get_origin(t) for t in _types_in(field.annotation)}
    value = bad
    if list in origin:
        value = [bad]
    elif dict in origin:  # the default's keys, so that only the values are wrong
        value = {key: bad for key in field.get_default(call_default_factory=True)}
    try:
        model.model_validate({name: value})
    except ValidationError as exc:
        return [e for e in exc.errors() if e["loc"] and e["loc"][0] == name]
    return []


@pytest.mark.parametrize("bad", [True, False], ids=["true", "false"])
def test_no_numeric_field_takes_a_boolean(bad):
    taken = [
        f"{m.__name__}.{n}"
        for m, n, _ in _numeric_fields()
        if not any(e["type"] == "number_not_boolean" for e in _bad_value_errors(m, n, bad))
    ]
    assert taken == []


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf], ids=["nan", "inf", "-inf"])
def test_no_numeric_field_takes_nan_or_infinity(bad):
    taken = [
        f"{m.__name__}.{n}"
        for m, n, _ in _numeric_fields()
        if not any(e["type"] == "finite_number" for e in _bad_value_errors(m, n, bad))
    ]
    assert taken == []


def test_no_true_false_field_takes_a_number_or_text():
    flags = [
        (model, name)
        for model in _models()
        for name, field in model.model_fields.items()
        if field.annotation is bool
    ]
    assert len(flags) >= 10
    for value in (1, 0, "yes", "true"):
        taken = [
            f"{m.__name__}.{n}"
            for m, n in flags
            if not any(e["type"] == "bool_type" for e in _bad_value_errors(m, n, value))
        ]
        assert taken == [], value


@pytest.mark.parametrize(
    ("override", "named"),
    [
        ("choice.beta_time=nan", ["choice.beta_time", "nan", "finite"]),
        ("choice.beta_time=inf", ["choice.beta_time", "inf", "finite"]),
        ("migration.town_constant=-inf", ["migration.town_constant", "-inf", "finite"]),
        ("county.residents=1e12", ["county.residents", "1000000000000.0", "10000000"]),
        (
            "demography.births_index={2024 = -1.0}",
            ["demography.births_index.2024", "-1.0", "greater than 0"],
        ),
        ("demography.births_index={}", ["demography.births_index", "{}", "at least 1 item"]),
        (
            "schools.class_cap.primary=0",
            ["schools.class_cap.primary", "0", "greater than or equal to 1"],
        ),
        ("years=true", ["years", "True", "a number is needed, not true/false"]),
        ("choice.include_county_town=1", ["choice.include_county_town", "1", "boolean"]),
        ("families.children_per_family=[true, false]", ["families.children_per_family.0", "True"]),
        ("seed=9223372036854775808", ["seed", "9223372036854775808", "9223372036854775807"]),
        (
            "roads.ride_speed_kmh.county=-5.0",
            ["roads.ride_speed_kmh.county", "-5.0", "greater than 0"],
        ),
    ],
)
def test_bad_numbers_are_refused_naming_key_value_and_bound(override, named):
    with pytest.raises(ScenarioError) as info:
        load_scenario("small_county", [override])
    message = str(info.value)
    for word in named:
        assert word in message, (word, message)


def test_the_refusals_are_exit_2_of_validate(invoke):
    for override in ("years=true", "county.residents=1e12", "choice.beta_time=nan"):
        result = invoke("validate", "small_county", "--set", override)
        assert result.exit_code == 2, (override, result.output)
        assert "Traceback" not in result.output
        assert override.split("=")[0] in result.stderr


def test_a_whole_float_still_counts_as_an_integer():
    """Sweeps give integer keys floats such as 20.0: still valid (only fractions are refused)."""
    assert load_scenario("small_county", ["years=3.0"]).years == 3
    with pytest.raises(ScenarioError, match="years"):
        load_scenario("small_county", ["years=3.5"])


def test_every_bundled_scenario_is_within_the_ranges():
    from sim.scenario import bundled_names

    for name in bundled_names():
        assert isinstance(load_scenario(name), Scenario)


def test_block_type_finds_blocks():
    assert block_type(Scenario.model_fields["county"].annotation).__name__ == "CountyConfig"
    assert block_type(int) is None
