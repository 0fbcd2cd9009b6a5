"""sim.folders: one implementation of writing an output folder whole, for runs and experiments."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from sim import RunResult
from sim.errors import EdusimError
from sim.folders import (
    COMPARISON,
    RUN,
    folder_kind,
    is_running,
    recover_killed_writes,
    refuse_working_folder,
    staged_write,
)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def _tiny_run() -> RunResult:
    county = pd.DataFrame({"replicate": [0], "year": [2024]})
    manifest = {"scenario": {"name": "tiny"}, "scenario_name": "tiny", "seed": 0, "replicates": 1}
    return RunResult(county, pd.DataFrame({"school_id": [1]}), pd.DataFrame({"kind": []}), manifest)


@pytest.mark.parametrize("pid", [2**70, -1, 0])
def test_a_pid_no_process_can_have_is_not_running(pid):
    assert is_running(pid) is False


def test_this_process_and_a_dead_one(tmp_path):
    assert is_running(os.getpid()) and not is_running(_dead_pid())


def test_a_huge_pid_in_a_leftovers_name_does_not_stop_the_recovery(tmp_path):
    half = tmp_path / f".r.edusim-new-{2**70}-abc123"
    half.mkdir()
    assert recover_killed_writes(tmp_path / "r") == 1 and not half.exists()


def test_a_run_save_keeps_the_foreign_files_of_a_killed_compares_folder(tmp_path):
    """The divergence this module removed: a run's recovery deleted any folder moved aside."""
    dead = _dead_pid()
    aside = tmp_path / f".r.edusim-old-{dead}-abc123"
    aside.mkdir()
    (aside / "manifest.json").write_text(json.dumps({"kind": "edusim-compare"}))
    (aside / "summary.csv").write_text("old")
    (aside / "thesis.tex").write_text("mine")
    (tmp_path / "r").mkdir()  # the killed replace had already renamed the new folder in
    assert folder_kind(aside) is COMPARISON
    with pytest.raises(EdusimError):  # r is empty, so the run would be written ...
        with staged_write(tmp_path / "r", RUN, lambda: None):
            raise EdusimError("stop")  # ... but the recovery ran first
    assert not (aside / "summary.csv").exists()  # the comparison's own entry went
    assert (tmp_path / "r" / "thesis.tex").read_text() == "mine"  # the user's file stayed


def test_moving_back_never_overwrites_what_the_new_folder_holds(tmp_path):
    dead = _dead_pid()
    aside = tmp_path / f".r.edusim-old-{dead}-abc123"
    aside.mkdir()
    (aside / "county.parquet").write_bytes(b"old run")
    (aside / "notes.txt").write_text("old notes")
    new = tmp_path / "r"
    new.mkdir()
    (new / "notes.txt").write_text("new notes")
    recover_killed_writes(new)
    assert (new / "notes.txt").read_text() == "new notes"
    assert _snapshot(aside) == {"notes.txt": b"old notes"}  # kept aside, never removed


def test_a_run_save_replaces_through_the_shared_staging(tmp_path):
    out = _tiny_run().save(tmp_path / "run")
    (out / ".DS_Store").write_bytes(b"litter")
    _tiny_run().save(out, force=True)
    assert (out / ".DS_Store").read_bytes() == b"litter"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_the_working_folder_message_names_the_writer(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(EdusimError, match=r"^\.: is the folder you are working in.*a run writes"):
        refuse_working_folder(Path("."), RUN, option="")
    with pytest.raises(EdusimError, match=r"^--out \.: .*; compare writes a folder"):
        refuse_working_folder(Path("."), COMPARISON)
