"""Shared fixtures: scenario fixture files, a CLI runner, one small multi-replicate run, an
unwritable folder and a guard that a verb runs nothing before checking its output folder."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim
import sim.cli  # noqa: F401  (registers every verb on the app)
from sim.cli.app import app
from sim.experiment.executors import InlineExecutor

SCENARIOS = Path(__file__).parent / "data" / "scenarios"

# The small run every metrics/results test reads: bundled small_county, 3 years, 2 replicates.
SMALL_YEARS = 3
SMALL_REPLICATES = 2
SMALL_SEED = 11


@pytest.fixture(scope="session")
def scenarios_dir() -> Path:
    """tests/data/scenarios: good and bad scenario files, named after their case."""
    return SCENARIOS


@pytest.fixture
def invoke(tmp_path, monkeypatch):
    """Run ``edusim ARGS...`` in a temporary working directory (so ``outputs/`` lands there).

    Returns the click Result; ``result.stdout`` / ``result.stderr`` are separate.
    """
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def _invoke(*args: str):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return _invoke


@pytest.fixture(scope="session")
def small_scenario() -> sim.Scenario:
    return sim.load_scenario("small_county", [f"years={SMALL_YEARS}"])


@pytest.fixture(scope="session")
def small_run(small_scenario) -> sim.RunResult:
    """small_county, 3 years, 2 replicates, seed 11 (well under a second)."""
    return sim.run(small_scenario, seed=SMALL_SEED, replicates=SMALL_REPLICATES)


@pytest.fixture(scope="session")
def small_run_dir(small_run, tmp_path_factory) -> Path:
    """``small_run`` saved once to a run directory. Treat as read-only."""
    return small_run.save(tmp_path_factory.mktemp("runs") / "small")


@pytest.fixture
def small_model(small_scenario) -> sim.EducationModel:
    """A fresh small-county model stepped one year (function scope: tests may mutate it)."""
    model = sim.EducationModel(small_scenario, seed=SMALL_SEED)
    model.step()
    return model


@pytest.fixture
def unwritable(tmp_path) -> Path:
    """A folder nobody may create entries in: read-only by mode, or (as root, whom modes do not
    stop) a place in sysfs."""
    if os.geteuid() != 0:
        folder = tmp_path / "read_only"
        folder.mkdir()
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
        yield folder
        folder.chmod(stat.S_IRWXU)
        return
    folder = Path("/sys")
    try:
        os.rmdir(tempfile.mkdtemp(dir=folder))
    except OSError:
        yield folder
        return
    pytest.skip("no unwritable folder on this machine")


@pytest.fixture
def no_runs(monkeypatch):
    """Fail the test if a verb run with ``--workers 0`` evaluates any run."""

    def refuse(self, evaluate, tasks, max_in_flight=None):
        raise AssertionError("ran before the output folder was checked")

    monkeypatch.setattr(InlineExecutor, "map", refuse)
