"""``edusim report``: a report of a run folder, and exit 2 for a folder that is not there."""

from __future__ import annotations

import shutil

import pytest


@pytest.fixture
def run_dir(small_run_dir, tmp_path):
    return shutil.copytree(small_run_dir, tmp_path / "run")


def test_cli_report(invoke, run_dir, tmp_path):
    result = invoke("report", str(run_dir))
    assert result.exit_code == 0, result.output
    assert "report.html" in result.stdout
    bad = invoke("report", str(tmp_path / "missing"))
    assert bad.exit_code == 2
    assert "no such directory" in bad.stderr
