"""``edusim run``: the default, bundled names, files, ``--set``; every bad input exits 2, names the
key and writes nothing (DESIGN §7, §9)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from sim.metrics import COUNTY_COLUMNS
from sim.results import FILES


def _county(out: Path) -> pd.DataFrame:
    return pd.read_csv(out / "county.csv")


def _manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


def test_run_without_a_scenario_runs_the_embedded_default(invoke, tmp_path):
    result = invoke("run", "--years", "1")
    assert result.exit_code == 0, result.output
    out = tmp_path / "outputs" / "default-seed0"
    for name in FILES:
        assert (out / name).is_file(), name
    county = _county(out)
    assert len(county) == 1 and county["pupils"].iloc[0] > 0
    manifest = _manifest(out)
    assert manifest["scenario"]["name"] == "default"
    assert manifest["scenario"]["county"]["residents"] == 200_000
    assert "wrote" in result.stdout


def test_run_a_bundled_scenario_by_name(invoke, tmp_path):
    result = invoke("run", "small_county", "--years", "2")
    assert result.exit_code == 0, result.output
    out = tmp_path / "outputs" / "small_county-seed0"
    county = _county(out)
    assert list(county.columns) == ["replicate", *COUNTY_COLUMNS]
    assert county["year"].tolist() == [2024, 2025]
    assert _manifest(out)["scenario"]["county"]["residents"] == 30_000
    # The summary table names the headline metrics and both years.
    for word in ("pupils", "hollow_share", "2024", "2025"):
        assert word in result.stdout


def test_run_a_scenario_file(invoke, tmp_path, scenarios_dir):
    result = invoke("run", scenarios_dir / "child_of_small.toml", "--out", "child")
    assert result.exit_code == 0, result.output
    manifest = _manifest(tmp_path / "child")
    assert manifest["scenario"]["name"] == "child_of_small"
    assert manifest["scenario"]["county"]["villages"] == 12
    assert manifest["years"] == 2 and len(_county(tmp_path / "child")) == 2


def test_run_with_set_overrides(invoke, tmp_path):
    result = invoke(
        "run",
        "small_county",
        "--set",
        "years=2",
        "--set",
        "choice.include_county_town=false",
        "--set",
        "choice.beta_time=0.05",
        "--out",
        "o",
    )
    assert result.exit_code == 0, result.output
    scenario = _manifest(tmp_path / "o")["scenario"]
    assert scenario["years"] == 2
    assert scenario["choice"]["include_county_town"] is False
    assert scenario["choice"]["beta_time"] == 0.05
    assert len(_county(tmp_path / "o")) == 2


def test_years_option_wins_over_set(invoke, tmp_path):
    result = invoke("run", "small_county", "--set", "years=3", "--years", "1", "--out", "o")
    assert result.exit_code == 0, result.output
    assert len(_county(tmp_path / "o")) == 1


def test_seed_names_the_default_output_folder_and_is_recorded(invoke, tmp_path):
    result = invoke("run", "small_county", "--years", "1", "--seed", "5")
    assert result.exit_code == 0, result.output
    out = tmp_path / "outputs" / "small_county-seed5"
    assert _manifest(out)["seed"] == 5
    assert not (tmp_path / "outputs" / "small_county-seed0").exists()


def test_seed_set_in_the_scenario_is_used_when_no_seed_option(invoke, tmp_path):
    result = invoke("run", "small_county", "--years", "1", "--set", "seed=4")
    assert result.exit_code == 0, result.output
    out = tmp_path / "outputs" / "small_county-seed4"
    assert _manifest(out)["seed"] == 4
    again = invoke("run", "small_county", "--years", "1", "--seed", "4", "--out", "explicit")
    assert again.exit_code == 0
    assert (out / "county.csv").read_bytes() == (tmp_path / "explicit" / "county.csv").read_bytes()


def test_replicates_are_rows_of_one_table(invoke, tmp_path):
    result = invoke("run", "small_county", "--years", "2", "--replicates", "2", "--out", "o")
    assert result.exit_code == 0, result.output
    county = _county(tmp_path / "o")
    assert sorted(county[["replicate", "year"]].itertuples(index=False, name=None)) == [
        (0, 2024),
        (0, 2025),
        (1, 2024),
        (1, 2025),
    ]
    schools = pd.read_parquet(tmp_path / "o" / "schools.parquet")
    assert set(schools["replicate"]) == {0, 1}
    assert _manifest(tmp_path / "o")["replicates"] == 2


# ---- bad input: exit 2, the key named, nothing written ----------------------------------------

BAD_FILES = [
    ("unknown_key.toml", ["county.vilages", "villages"]),
    ("wrong_type.toml", ["years", "many"]),
    ("negative_capacity.toml", ["schools.class_cap.primary", "-45"]),
    ("not_toml.toml", ["not_toml.toml", "TOML"]),
    ("extends_loop_a.toml", ["extends", "loop", "extends_loop_b.toml"]),
    ("extends_self.toml", ["extends", "loop"]),
    ("extends_missing.toml", ["no_such_scenario", "extend"]),
    ("extends_not_text.toml", ["extends"]),
]


def _assert_nothing_written(tmp_path: Path) -> None:
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "outputs").exists()
    assert [p.name for p in tmp_path.iterdir()] == []


@pytest.mark.parametrize("fixture, names", BAD_FILES, ids=[f for f, _ in BAD_FILES])
def test_bad_scenario_file_exits_2_names_the_key_and_writes_nothing(
    invoke, tmp_path, scenarios_dir, fixture, names
):
    result = invoke("run", scenarios_dir / fixture, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "error" in result.stderr
    for part in names:
        assert part in result.stderr, (part, result.stderr)
    assert "Traceback" not in result.output
    _assert_nothing_written(tmp_path)


@pytest.mark.parametrize("fixture, names", BAD_FILES[:3], ids=[f for f, _ in BAD_FILES[:3]])
def test_bad_scenario_file_writes_nothing_to_the_default_outputs(
    invoke, tmp_path, scenarios_dir, fixture, names
):
    result = invoke("run", scenarios_dir / fixture)
    assert result.exit_code == 2
    _assert_nothing_written(tmp_path)


BAD_OPTIONS = [
    (["--set", "choice.beta_tiem=0.1"], ["choice.beta_tiem", "beta_time"]),
    (["--set", "yeras=3"], ["yeras", "years"]),
    (["--set", "years=many"], ["years", "many"]),
    (["--set", "years=-2"], ["years", "-2"]),
    (["--set", "schools.max_class_size=-5"], ["schools.max_class_size", "-5"]),
    (["--set", "choice.include_county_town=maybe"], ["choice.include_county_town", "maybe"]),
    (["--set", "years"], ["years", "dotted.key=value"]),
    (["--years", "0"], ["years", "0"]),
    (["--replicates", "0"], ["--replicates", "0"]),
    (["--seed", "-1"], ["--seed", "-1"]),
    (["--seed", str(2**63)], ["--seed", str(2**63), str(2**63 - 1)]),  # seeds are stored as int64
    (["--set", "years=true"], ["years", "not true/false"]),
    (["--set", "county.residents=1e12"], ["county.residents", "1000000000000.0"]),
    (["--set", "name=../x"], ["name", "../x", "letters"]),
]


@pytest.mark.parametrize("args, names", BAD_OPTIONS, ids=[" ".join(a) for a, _ in BAD_OPTIONS])
def test_bad_option_exits_2_names_the_key_and_writes_nothing(invoke, tmp_path, args, names):
    result = invoke("run", "small_county", *args, "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    for part in names:
        assert part in result.stderr, (part, result.stderr)
    _assert_nothing_written(tmp_path)


def test_unknown_scenario_name_exits_2_and_lists_the_bundled_ones(invoke, tmp_path):
    result = invoke("run", "no_such_county", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "no_such_county" in result.stderr
    assert "small_county" in result.stderr and "baseline" in result.stderr
    _assert_nothing_written(tmp_path)


def test_out_that_is_a_file_exits_2_and_leaves_it_alone(invoke, tmp_path):
    target = tmp_path / "taken"
    target.write_text("keep me", encoding="utf-8")
    result = invoke("run", "small_county", "--years", "1", "--out", target)
    assert result.exit_code == 2
    assert "--out" in result.stderr
    assert target.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def test_error_message_shows_bracketed_values_verbatim(invoke, tmp_path):
    result = invoke("run", "small_county", "--set", "years=[x]", "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert "'[x]'" in result.stderr


def test_rerun_from_a_manifest_alone_reproduces_the_run(invoke, tmp_path):
    first = tmp_path / "first"
    assert (
        invoke(
            "run",
            "small_county",
            "--seed",
            "5",
            "--replicates",
            "2",
            "--years",
            "3",
            "--out",
            first,
            "--no-figures",
        ).exit_code
        == 0
    )
    again = tmp_path / "again"
    result = invoke("run", first / "manifest.json", "--out", again, "--no-figures")
    assert result.exit_code == 0, result.output
    assert (again / "county.csv").read_bytes() == (first / "county.csv").read_bytes()
    assert _manifest(again)["seed"] == 5 and _manifest(again)["replicates"] == 2


def _broken_county(tmp_path: Path, data_dir: Path) -> Path:
    import shutil

    folder = tmp_path / "broken_county"
    shutil.copytree(data_dir / "tiny_county", folder)
    schools = folder / "schools.csv"
    schools.write_text(
        schools.read_text(encoding="utf-8").replace(
            "S3,Shahe Central Primary,2,", "S3,Shahe Central Primary,99,"
        ),
        encoding="utf-8",
    )
    scenario = tmp_path / "broken.toml"
    scenario.write_text(
        'name = "broken"\nextends = "small_county"\n[county]\nfile = "broken_county"\n',
        encoding="utf-8",
    )
    return scenario


@pytest.mark.parametrize("verb", ["run", "validate"])
def test_a_broken_county_file_exits_2_naming_file_line_and_column(invoke, tmp_path, verb):
    data_dir = Path(__file__).parents[1] / "data"
    scenario = _broken_county(tmp_path, data_dir)
    result = invoke(verb, scenario)
    assert result.exit_code == 2
    assert (
        "schools.csv" in result.output
        and "line 4" in result.output
        and "settlement" in result.output
    )
    assert "Traceback" not in result.output
    assert not (tmp_path / "outputs").exists()
