"""A small facts file for the validation tests: small_county, facts after 2024."""

from __future__ import annotations

import pytest

from sim.experiment.executors import InlineExecutor
from sim.experiment.validation import plan_validation, run_validation

FACTS = '''
name = "small_facts"
fitted_through = 2024
[[facts]]
name = "retention"
metric = "retention_rate"
year = 2026
observed = 0.95
tolerance = 0.03
tolerance_why = "a test."
source = "invented for the test"
mapping = "retention_rate."
[[facts]]
name = "town share"
metric = "county_town_pupil_share"
year = 2025
observed = 0.4
tolerance = 0.05
tolerance_why = "a test."
source = "invented for the test"
mapping = "county_town_pupil_share."
[[facts]]
name = "not comparable"
year = 2025
observed = 0.8
tolerance = 0.1
tolerance_why = "not scored."
source = "invented for the test"
mapping = "no series measures it."
comparable = false
'''


@pytest.fixture
def facts_file(tmp_path):
    """Write the small facts file and return its path."""
    path = tmp_path / "small_facts.toml"
    path.write_text(FACTS, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_result(tmp_path_factory):
    """A validation of small_county (3 years, 2 replicates) against the small facts file."""
    path = tmp_path_factory.mktemp("facts") / "small_facts.toml"
    path.write_text(FACTS, encoding="utf-8")
    plan = plan_validation("small_county", path, overrides=["years=3"], replicates=2, seed=3)
    return run_validation(plan, InlineExecutor())
