"""Fixtures of the experiment tests: an unwritable folder, a guard that nothing is run."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from sim.experiment.executors import InlineExecutor


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
