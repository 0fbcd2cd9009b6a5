"""``edusim scenarios``, ``edusim validate`` and ``edusim schema``."""

from __future__ import annotations

import json

import pytest

from sim import Scenario, load_scenario
from sim.scenario import bundled_names


def _flat(text: str) -> str:
    """Rich wraps table cells at the console width; compare with whitespace collapsed."""
    return " ".join(text.split())


def test_scenarios_lists_every_bundled_scenario_with_its_description(invoke):
    result = invoke("scenarios")
    assert result.exit_code == 0, result.output
    flat = _flat(result.stdout)
    for name in bundled_names():
        first_line = load_scenario(name).description.strip().splitlines()[0]
        assert f"{name} {_flat(first_line)}" in flat, name
    assert "example_province (region, edusim run example_province)" in flat


def test_validate_a_good_file_exits_0(invoke, scenarios_dir):
    result = invoke("validate", scenarios_dir / "child_of_small.toml")
    assert result.exit_code == 0, result.output
    assert "ok" in result.stdout and "child_of_small" in result.stdout


@pytest.mark.parametrize("name", bundled_names())
def test_validate_a_bundled_name_exits_0(invoke, name):
    result = invoke("validate", name)
    assert result.exit_code == 0, result.output
    assert name in result.stdout


def test_validate_with_a_good_override_exits_0(invoke, scenarios_dir):
    result = invoke("validate", scenarios_dir / "wrong_type.toml", "--set", "years=4")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "fixture, names",
    [
        ("unknown_key.toml", ["county.vilages", "villages"]),
        ("wrong_type.toml", ["years", "many"]),
        ("negative_capacity.toml", ["schools.class_cap.primary", "-45"]),
        ("not_toml.toml", ["not_toml.toml", "TOML"]),
        ("extends_loop_a.toml", ["extends", "loop"]),
        ("extends_missing.toml", ["no_such_scenario"]),
    ],
)
def test_validate_a_bad_file_exits_2_and_names_the_key(
    invoke, tmp_path, scenarios_dir, fixture, names
):
    result = invoke("validate", scenarios_dir / fixture)
    assert result.exit_code == 2, result.output
    for part in names:
        assert part in result.stderr, (part, result.stderr)
    assert "ok:" not in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_validate_a_bad_override_exits_2(invoke):
    result = invoke("validate", "small_county", "--set", "choice.beta_tiem=1")
    assert result.exit_code == 2
    assert "choice.beta_tiem" in result.stderr and "beta_time" in result.stderr


def test_validate_a_missing_file_exits_2(invoke, tmp_path):
    result = invoke("validate", tmp_path / "nope.toml")
    assert result.exit_code == 2
    assert "nope.toml" in result.stderr


def test_schema_prints_a_json_schema_with_every_top_level_block(invoke):
    result = invoke("schema")
    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    assert schema == json.loads(json.dumps(Scenario.model_json_schema()))
    assert set(schema["properties"]) == set(Scenario.model_fields)
    for block in ("county", "choice", "boarding", "hollow", "teachers", "costs", "years", "seed"):
        assert block in schema["properties"]
    # Descriptions keep their Chinese terms (not \\u-escaped) for human readers.
    assert "空心校" in result.stdout or "县管校聘" in result.stdout or "复式班" in result.stdout


def test_schema_out_writes_the_same_schema_to_a_file(invoke, tmp_path):
    result = invoke("schema", "--out", "sub/schema.json")
    assert result.exit_code == 0, result.output
    written = json.loads((tmp_path / "sub" / "schema.json").read_text(encoding="utf-8"))
    assert written == json.loads(invoke("schema").stdout)


def test_schema_out_never_overwrites_a_file_it_did_not_write(invoke, tmp_path):
    mine = tmp_path / "mine.json"
    mine.write_text("my notes\n")
    refused = invoke("schema", "--out", str(mine))
    assert refused.exit_code == 2 and "--force" in refused.stderr
    assert mine.read_text() == "my notes\n"
    assert invoke("schema", "--out", str(mine), "--force").exit_code == 0
    assert mine.read_text().startswith("{")
    assert invoke("schema", "--out", str(mine)).exit_code == 0  # the same schema again: fine
