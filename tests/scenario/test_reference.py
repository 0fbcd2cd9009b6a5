"""docs/parameters.md is the generated parameter table, kept current, with every number's range."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.scenario.reference import parameter_rows, parameter_table_markdown, policy_rows, range_at
from sim.scenario.schema import Scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "parameters.md"


def test_parameters_doc_holds_the_current_table():
    assert parameter_table_markdown() in DOC.read_text(encoding="utf-8"), (
        "docs/parameters.md is stale: regenerate it with `edusim schema --markdown`"
    )


def test_every_parameter_has_a_description():
    missing = [row.key for row in parameter_rows() + policy_rows() if not row.description]
    assert missing == []


def test_table_covers_every_block_of_the_scenario():
    keys = {row.key.split(".")[0] for row in parameter_rows()}
    assert any(row.key.startswith("policies.consolidation.") for row in policy_rows())
    assert set(Scenario.model_fields) <= keys


def test_table_reaches_optional_blocks_and_plan_entries():
    keys = {row.key for row in policy_rows()}
    assert "policies.consolidation.rule.consecutive_years" in keys
    assert "policies.consolidation.plan[action=build].classrooms" in keys
    assert "policies.boarding.expansion[].beds" in keys
    assert len(keys) == len(policy_rows()), "a key is listed twice"


@pytest.mark.parametrize(
    ("key", "allowed"),
    [
        ("years", "1 to 100"),
        ("county.residents", "above 0, at most 10,000,000"),
        ("schools.class_cap", "1 to 120"),
        ("county.county_town_share", "above 0, below 1"),
        ("demography.births_index", "above 0, at most 1,000,000,000"),
        ("start_year", "1990 to 2100"),  # years are written without a thousands separator
        ("name", ""),  # text has no range
    ],
)
def test_the_table_states_each_range(key, allowed):
    row = next(r for r in parameter_rows() if r.key == key)
    assert row.range == allowed
    assert f"| `{key}` | `{row.default}` | {allowed} |" in DOC.read_text(encoding="utf-8")


def test_every_number_in_the_table_has_a_range():
    rows = parameter_rows() + policy_rows()
    numeric = [r for r in rows if r.default.lstrip("-").replace(".", "", 1).isdigit()]
    assert len(numeric) > 100
    assert [r.key for r in numeric if not r.range] == []


@pytest.mark.parametrize(
    ("loc", "allowed"),
    [
        (("years",), "1 to 100"),
        (("schools", "class_cap", "primary"), "1 to 120"),
        (("demography", "births_index", "2024"), "above 0, at most 1,000,000,000"),
        (("families", "children_per_family", 0), "0 to 1"),
        (("policies", "consolidation", "plan", 0, "close", "year"), "1900 to 2200"),
        (("policies", "boarding", "expansion", 0, "beds"), "1 to 20,000"),
        (("name",), ""),
        (("no_such_key",), ""),
        (("policies", "consolidation", "plan", 0, "no_such_action", "year"), ""),
    ],
)
def test_range_at_an_error_location(loc, allowed):
    assert range_at(loc) == allowed
