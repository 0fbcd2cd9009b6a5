"""Folder locks (issue 12, concurrency): one experiment computes for one folder at a time."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

import sim.cli  # noqa: F401  (registers every verb)
from sim.cli.app import app
from sim.experiment.errors import ExperimentError
from sim.experiment.locks import (
    FolderLock,
    check_free,
    describe_holder,
    is_lock_file,
    lock_beside,
    lock_inside,
)

runner = CliRunner()
SWEEP = ["sweep", "small_county", "--set", "years=1", "--vary", "choice.beta_time=0.02:0.1",
         "--design", "grid", "--samples", "2", "--workers", "0"]
#: Seconds a helper process waits for the test to signal it.
HOLD_S = 60


def _holder(lock: Path, folder: Path, verb: str = "sweep") -> subprocess.Popen:
    """Start another process that takes the lock and holds it until its stdin closes."""
    code = textwrap.dedent(
        f"""
        import sys
        from sim.experiment.locks import FolderLock
        with FolderLock({str(lock)!r}, {str(folder)!r}, {verb!r}):
            print("held", flush=True)
            sys.stdin.read()
        """
    )
    child = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout.readline().strip() == "held"
    return child


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_a_second_lock_on_one_folder_names_the_holder(tmp_path):
    path = lock_inside(tmp_path / "sw")
    with FolderLock(path, tmp_path / "sw", "sweep"):
        record = json.loads(path.read_text())
        assert record["pid"] == os.getpid() and record["host"] == socket.gethostname()
        with pytest.raises(ExperimentError) as info:
            FolderLock(path, tmp_path / "sw", "sweep").acquire()
        message = str(info.value)
        assert f"pid {os.getpid()}" in message and socket.gethostname() in message
        assert record["started"] in message and "edusim sweep" in message
        with pytest.raises(ExperimentError, match="in use by"):
            check_free(path, tmp_path / "sw")
    assert not path.exists()  # released: removed
    check_free(path, tmp_path / "sw")


def test_a_lock_held_by_another_process_is_refused_and_freed_when_it_is_killed(tmp_path):
    folder = tmp_path / "cmp"
    path = lock_beside(folder)
    child = _holder(path, folder, "compare")
    try:
        with pytest.raises(ExperimentError) as info:
            FolderLock(path, folder, "compare").acquire()
        assert f"pid {child.pid}" in str(info.value) and "edusim compare" in str(info.value)
    finally:
        child.kill()
        child.wait()
    with FolderLock(path, folder, "compare") as lock:  # the kernel released the dead one's lock
        assert f"pid {child.pid}" in lock.took_over and "no longer running" in lock.took_over


def test_a_stale_lock_is_taken_over_with_a_message(tmp_path):
    path = lock_inside(tmp_path)
    stale = {"verb": "sweep", "pid": _dead_pid(), "host": "h1", "started": "2025-01-01T00:00"}
    path.write_text(json.dumps(stale))
    with FolderLock(path, tmp_path, "sweep") as lock:
        assert lock.took_over == (
            f"{tmp_path}: took over the lock left by {describe_holder(stale)}, which is no "
            "longer running"
        )
        assert json.loads(path.read_text())["pid"] == os.getpid()


def test_folders_made_for_a_lock_are_removed_when_nothing_was_written(tmp_path):
    folder = tmp_path / "outputs" / "compare-a"
    with FolderLock(lock_beside(folder), folder, "compare"):
        assert (tmp_path / "outputs").is_dir()
    assert not (tmp_path / "outputs").exists()
    with FolderLock(lock_beside(folder), folder, "compare"):
        folder.mkdir()
    assert folder.is_dir()  # written meanwhile: kept


def test_lock_file_names():
    assert lock_inside("a/sw") == Path("a/sw/.edusim-lock")
    assert lock_beside("a/cmp").name == ".cmp.edusim-lock"
    assert is_lock_file(".edusim-lock") and is_lock_file(".cmp.edusim-lock")
    assert not is_lock_file("cmp.edusim-lock") and not is_lock_file("summary.csv")


# ---- the verbs --------------------------------------------------------------------------


def test_a_second_sweep_or_resume_on_a_locked_folder_exits_2_naming_the_holder(
    tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, [*SWEEP, "--out", "sw"]).exit_code == 0
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "sw").rglob("*")}
    child = _holder(lock_inside(tmp_path / "sw"), tmp_path / "sw", "sweep")
    try:
        for extra in (["--resume"], []):
            result = runner.invoke(app, [*SWEEP, "--out", "sw", *extra])
            assert result.exit_code == 2, result.output
            assert f"pid {child.pid}" in result.stderr and "started" in result.stderr
    finally:
        child.stdin.close()
        child.wait(HOLD_S)
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / "sw").rglob("*")}
    assert after == before  # nothing computed or written by the refused commands


def test_compare_and_calibrate_on_a_locked_folder_exit_2_before_any_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    targets = Path(__file__).parents[1] / "data" / "targets" / "small_ok.toml"
    commands = {
        "cmp": ["compare", "small_county", "--set", "years=1", "-r", "1", "--workers", "0"],
        "cal": ["calibrate", "small_county", "--targets", str(targets), "--budget", "20",
                "--workers", "0", "--no-write-overlay"],
    }
    for name, command in commands.items():
        child = _holder(lock_beside(tmp_path / name), tmp_path / name, command[0])
        try:
            started = time.perf_counter()
            result = runner.invoke(app, [*command, "--out", name])
            assert result.exit_code == 2, result.output
            assert f"pid {child.pid}" in result.stderr
            assert not (tmp_path / name).exists()
        finally:
            child.stdin.close()
            child.wait(HOLD_S)
        assert time.perf_counter() - started < HOLD_S


def test_a_killed_sweeps_lock_is_taken_over_by_resume(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(app, [*SWEEP, "--out", "sw"]).exit_code == 0
    (tmp_path / "sw" / ".edusim-lock").write_text(
        json.dumps({"verb": "sweep", "pid": _dead_pid(), "host": "h", "started": "then"})
    )
    result = runner.invoke(app, [*SWEEP, "--out", "sw", "--resume"])
    assert result.exit_code == 0, result.output
    assert "took over the lock" in result.stderr
    assert not (tmp_path / "sw" / ".edusim-lock").exists()
