"""The validation verb: the folder and the page written, the table printed, exit status 2 and
nothing written on bad input."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import sim.cli  # noqa: F401  (registers every verb)
from sim.cli.app import app
from tests.experiment.validation.conftest import FACTS

QUICK = ["--set", "years=3", "-r", "2", "--seed", "1", "--workers", "0"]


@pytest.fixture
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "facts.toml").write_text(FACTS, encoding="utf-8")
    return tmp_path


def invoke(*args):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_validation_writes_the_folder_and_the_docs_page_and_prints_the_score(in_tmp):
    result = invoke("validation", "small_county", "--facts", "facts.toml", *QUICK,
                    "--out", "v", "--docs", "docs/validation.md")
    assert result.exit_code == 0, result.output
    assert {p.name for p in (in_tmp / "v").iterdir()} == {
        "validation.csv", "validation.md", "validation.json", "validation.png"}
    assert (in_tmp / "docs" / "images" / "validation.png").is_file()
    page = (in_tmp / "docs" / "validation.md").read_text()
    assert "](images/validation.png)" in page and "## What the model gets wrong" in page
    assert "comparable facts" in result.output and "wrote v and docs/validation.md" in result.output


@pytest.mark.parametrize("args, words", [
    (["--facts", "missing.toml"], "--facts missing.toml: no such file"),
    (["--facts", "facts.toml", "-r", "0"], "--replicates 0: must be a whole number"),
    (["--facts", "facts.toml", "--seed", "-1"], "--seed -1"),
    (["--facts", "facts.toml", "--set", "colour=red"], "colour"),
    (["--facts", "facts.toml", "--set", "years=1"], "outside the run"),
    (["--facts", "facts.toml", "--docs", "notes.md"], "is not a report edusim validation"),
])
def test_bad_input_is_exit_2_with_one_message_and_nothing_written(in_tmp, args, words):
    (in_tmp / "notes.md").write_text("mine\n")
    before = sorted(p.name for p in in_tmp.iterdir())
    result = invoke("validation", "small_county", *args, "--workers", "0", "--out", "v")
    assert result.exit_code == 2, result.output
    assert words in result.output
    assert sorted(p.name for p in in_tmp.iterdir()) == before
    assert (in_tmp / "notes.md").read_text() == "mine\n"


def test_an_earlier_validation_is_replaced_only_with_force(in_tmp):
    assert invoke("validation", "small_county", "--facts", "facts.toml", *QUICK,
                  "--out", "v").exit_code == 0
    again = invoke("validation", "small_county", "--facts", "facts.toml", *QUICK, "--out", "v")
    assert again.exit_code == 2 and "--force" in again.output
    forced = invoke("validation", "small_county", "--facts", "facts.toml", *QUICK, "--out", "v",
                    "--force")
    assert forced.exit_code == 0, forced.output


def test_the_default_replicates_are_the_library_default():
    from sim.cli.validation import DEFAULT_REPLICATES
    from sim.experiment.validation import DEFAULT_REPLICATES as LIBRARY

    assert DEFAULT_REPLICATES == LIBRARY
