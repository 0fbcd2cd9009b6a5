"""Issue 12: a scenario's ``name`` is a slug, so the default output folder stays in outputs/.

``name = "/some/absolute/path"`` or ``"../x"`` used to write (or delete) outside outputs/.
"""

from __future__ import annotations

import pytest

from sim import load_scenario
from sim.errors import ScenarioError
from sim.scenario.schema import MAX_NAME_LENGTH, Scenario


@pytest.mark.parametrize(
    "name",
    [
        "../x",
        "/some/absolute/path",
        "a/b",
        "a\\b",
        ".hidden",
        "..",
        ".",
        "",
        "-dash-first",
        "my run",
        "x" * (MAX_NAME_LENGTH + 1),
        "县城",
        "name\n",
        "tab\t",
    ],
)
def test_names_that_are_not_slugs_are_refused_saying_what_is_allowed(name):
    with pytest.raises(ScenarioError) as info:
        load_scenario("small_county", {"name": name})
    message = str(info.value)
    assert "key 'name'" in message
    assert "letters a-z and A-Z, digits, '_', '-' and '.'" in message
    assert f"1 to {MAX_NAME_LENGTH} characters" in message


@pytest.mark.parametrize(
    "name", ["baseline", "baseline_2030", "v1.2-test", "_x", "A" * MAX_NAME_LENGTH]
)
def test_slugs_are_accepted(name):
    assert load_scenario("small_county", {"name": name}).name == name


def test_the_schema_documents_the_pattern():
    prop = Scenario.model_json_schema()["properties"]["name"]
    assert prop["pattern"].startswith("^") and prop["pattern"].endswith("$")
    assert prop["maxLength"] == MAX_NAME_LENGTH
    assert "slug" in prop["description"]


def test_run_with_an_escaping_name_writes_nothing(invoke, tmp_path):
    result = invoke("run", "small_county", "--years", "1", "--set", "name=../escaped")
    assert result.exit_code == 2, result.output
    assert "key 'name'" in result.stderr
    assert list(tmp_path.iterdir()) == [] and not (tmp_path.parent / "escaped-seed0").exists()
