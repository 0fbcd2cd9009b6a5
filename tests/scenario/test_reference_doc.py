"""docs/parameters.md is the generated parameter table, kept current."""

from __future__ import annotations

from pathlib import Path

from sim.scenario.reference import parameter_rows, parameter_table_markdown, policy_rows
from sim.scenario.schema import Scenario

DOC = Path(__file__).resolve().parents[2] / "docs" / "parameters.md"


def test_parameters_doc_holds_the_current_table():
    assert parameter_table_markdown() in DOC.read_text(encoding="utf-8"), (
        "docs/parameters.md is stale: regenerate it with `edusim schema --markdown`")


def test_every_parameter_has_a_description():
    missing = [key for key, _, description in parameter_rows() if not description]
    assert missing == []


def test_table_covers_every_block_of_the_scenario():
    keys = {key.split(".")[0] for key, _, _ in parameter_rows()}
    assert any(key.startswith("policies.consolidation.") for key, _, _ in policy_rows())
    assert set(Scenario.model_fields) <= keys
