"""docs/validation.md is what `edusim validation` prints for the fitted national county (slow)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim.cli  # noqa: F401  (registers every verb)
from sim.cli.app import app

ROOT = Path(__file__).resolve().parents[1]
#: The command that generated the committed page (docs/calibration.md, README).
COMMAND = ["validation", "calibration/fitted/china_2000_2010.toml", "--facts",
           "calibration/validation/china_2011_2023.toml", "--replicates", "10", "--seed", "0",
           "--workers", "2"]


@pytest.mark.slow
def test_the_committed_validation_page_matches_a_fresh_run(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    page = tmp_path / "validation.md"
    result = CliRunner().invoke(app, [*COMMAND, "--out", str(tmp_path / "v"), "--docs",
                                      str(page)])
    assert result.exit_code == 0, result.output
    committed = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert page.read_text(encoding="utf-8") == committed, (
        "docs/validation.md is stale: regenerate it with `edusim "
        + " ".join(COMMAND) + " --docs docs/validation.md`")
