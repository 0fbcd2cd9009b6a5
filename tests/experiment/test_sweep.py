"""Sweeps: layout, one file set per run, resume (also after SIGKILL), failures, executors, Dask."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiment.errors import ExperimentError
from sim.experiment.executors import InlineExecutor, LocalExecutor
from sim.experiment.locks import FolderLock, lock_inside
from sim.experiment.storage import SweepStore
from sim.experiment.sweep import execute_sweep, plan_sweep, run_sweep
from sim.experiment.tasks import Task
from sim.seeds import replicate_rng

VARY = ["choice.beta_time=0.02:0.1", "boarding.min_grade=3,5"]
QUICK = ["years=2"]


def toy(task: Task) -> dict[str, pd.DataFrame]:
    """A cheap, real evaluation: a pure function of the parameters and the replicate's generator."""
    rng = replicate_rng(task.seed, task.replicate)
    beta = task.params.get("choice.beta_time", 0.0)
    grade = task.params.get("boarding.min_grade", 0)
    noise = rng.normal(size=3)
    county = pd.DataFrame(
        {
            "replicate": task.replicate,
            "year": [2024, 2025, 2026],
            "out": 100 * beta + grade + noise,
            "dropouts": rng.integers(0, 9, 3),
        }
    )
    schools = pd.DataFrame(
        {
            "replicate": task.replicate,
            "year": 2024,
            "school_id": [1, 2],
            "hollow": [beta > 0.06, False],
        }
    )
    return {"county": county, "schools": schools}


def toy_failing(task: Task) -> pd.DataFrame:
    """Fails on odd design points."""
    if task.point % 2:
        raise ValueError(f"odd point {task.point}")
    return toy(task)["county"]


def toy_dying(task: Task) -> pd.DataFrame:
    """Kills its worker process on design point 3."""
    if task.point == 3:
        os._exit(17)
    time.sleep(0.05)
    return toy(task)["county"]


def plan(out, **kw):
    options = dict(overrides=QUICK, design="lhs", samples=6, replicates=2, seed=5, out=out)
    options.update(kw)
    return plan_sweep("small_county", VARY, **options)


def read_runs(out: Path) -> pd.DataFrame:
    return (
        pd.read_parquet(out / "runs" / "county")
        .sort_values(["run_id", "year"])
        .reset_index(drop=True)
    )


def test_layout_and_each_run_once(tmp_path):
    out = tmp_path / "s"
    summary = execute_sweep(plan(out), workers=0, evaluate=toy)
    assert (summary.total, summary.done, summary.failed, summary.skipped) == (12, 12, 0, 0)
    spec = json.loads((out / "sweep.json").read_text())
    assert spec["design"] == "lhs" and spec["replicates"] == 2 and spec["seed"] == 5
    assert spec["vary"] == VARY and spec["scenario"]["years"] == 2 and spec["version"]
    design = pd.read_parquet(out / "design.parquet")
    assert list(design.columns) == [
        "run_id",
        "point",
        *[v.split("=")[0] for v in VARY],
        "replicate",
        "seed",
    ]
    runs = read_runs(out)
    assert sorted(runs["run_id"].unique()) == sorted(design["run_id"])
    assert len(runs) == 12 * 3
    assert list(runs.columns[:6]) == [
        "run_id",
        "point",
        "replicate",
        "seed",
        "choice.beta_time",
        "boarding.min_grade",
    ]
    merged = runs.merge(design, on="run_id", suffixes=("", "_d"))
    assert (merged["choice.beta_time"] == merged["choice.beta_time_d"]).all()
    schools = pd.read_parquet(out / "runs" / "schools")
    assert set(schools["run_id"]) == set(design["run_id"]) and "point" in schools
    assert not list(out.rglob("*.tmp"))


def test_common_random_numbers_across_points(tmp_path):
    out = tmp_path / "s"
    execute_sweep(plan(out), workers=0, evaluate=toy)
    runs = read_runs(out)
    noise = runs["out"] - 100 * runs["choice.beta_time"] - runs["boarding.min_grade"]
    spread = noise.groupby([runs["replicate"], runs["year"]]).agg(lambda x: x.max() - x.min())
    assert (spread < 1e-9).all()  # replicate r of every point drew the same numbers
    assert noise.groupby(runs["replicate"]).mean().nunique() == 2  # and replicates differ


def test_pool_equals_in_process(tmp_path):
    execute_sweep(plan(tmp_path / "a"), workers=0, evaluate=toy)
    execute_sweep(plan(tmp_path / "b"), workers=2, evaluate=toy)
    pd.testing.assert_frame_equal(read_runs(tmp_path / "a"), read_runs(tmp_path / "b"))


def test_non_empty_directory_needs_resume(tmp_path):
    out = tmp_path / "s"
    execute_sweep(plan(out), workers=0, evaluate=toy)
    with pytest.raises(ExperimentError, match="--resume"):
        plan(out)
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ExperimentError, match="--resume"):
        plan(tmp_path / "other")
    with pytest.raises(ExperimentError, match="holds no sweep"):
        plan(tmp_path / "other", resume=True)


def test_resume_with_different_arguments_names_the_difference(tmp_path):
    out = tmp_path / "s"
    execute_sweep(plan(out), workers=0, evaluate=toy)
    with pytest.raises(ExperimentError, match=r"samples: stored 6, now 8"):
        plan(out, samples=8, resume=True)
    with pytest.raises(ExperimentError, match=r"scenario keys years"):
        plan(out, overrides=["years=3"], resume=True)
    with pytest.raises(ExperimentError, match=r"seed: stored 5, now 6"):
        plan(out, seed=6, resume=True)


def test_resume_skips_finished_runs_and_never_duplicates(tmp_path):
    out = tmp_path / "s"
    first = plan(out)
    store = SweepStore(out)

    # an interrupted sweep: stopped after five runs, plus a stray temporary file
    def stop_after_five(state):
        if state.done == 5:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        execute_sweep(first, workers=0, evaluate=toy, progress=stop_after_five)
    (out / "runs" / "county" / ".p0009-r00.parquet.abc.tmp").write_bytes(b"half a file")
    assert len(store.finished()) == 5
    resumed = execute_sweep(plan(out, resume=True), workers=2, evaluate=toy)
    assert (resumed.skipped, resumed.done) == (5, 7)
    assert not list(out.rglob("*.tmp"))
    execute_sweep(plan(tmp_path / "whole"), workers=0, evaluate=toy)
    pd.testing.assert_frame_equal(read_runs(out), read_runs(tmp_path / "whole"))
    again = execute_sweep(plan(out, resume=True), workers=0, evaluate=toy)
    assert (again.skipped, again.done) == (12, 0)
    assert store.finished() == set(first.runs["run_id"])


def test_failed_runs_are_recorded_and_retried_on_resume(tmp_path):
    out = tmp_path / "s"
    summary = execute_sweep(plan(out), workers=2, evaluate=toy_failing)
    assert summary.failed == 6 and summary.done == 6
    store = SweepStore(out)
    assert len(store.failed()) == 6 and not store.failed() & store.finished()
    record = json.loads(store.failure_path(sorted(store.failed())[0]).read_text())
    assert "ValueError: odd point" in record["error"] and "Traceback" in record["traceback"]
    assert set(record["params"]) == {"choice.beta_time", "boarding.min_grade"}
    retried = execute_sweep(plan(out, resume=True), workers=0, evaluate=toy)
    assert (retried.skipped, retried.done, retried.failed) == (6, 6, 0)
    assert not store.failed() and len(store.finished()) == 12


def test_a_dying_worker_fails_its_runs_and_the_sweep_goes_on(tmp_path):
    out = tmp_path / "s"
    summary = execute_sweep(plan(out), workers=2, evaluate=toy_dying)
    assert summary.done + summary.failed == 12
    assert summary.done >= 4  # point 3's two runs fail, with at most the runs the pool held
    store = SweepStore(out)
    assert {"p0003-r00", "p0003-r01"} <= store.failed()
    errors = store.read_failures()["error"]
    assert errors.str.contains("worker process died").all()


def test_evaluation_must_return_tables(tmp_path):
    summary = execute_sweep(plan(tmp_path / "s"), workers=0, evaluate=lambda task: 42)
    assert summary.failed == 12
    assert "county" in SweepStore(tmp_path / "s").read_failures()["error"].iloc[0]


def test_in_flight_tasks_are_bounded():
    submitted = []

    def tasks():
        for i in range(40):
            submitted.append(i)
            yield Task(
                run_id=f"t{i}", point=i, replicate=0, seed=0, params={"choice.beta_time": 0.05}
            )

    received = 0
    most = 0
    with LocalExecutor(2) as executor:
        for outcome in executor.map(toy, tasks(), max_in_flight=3):
            most = max(most, len(submitted) - received)
            received += 1
            assert outcome.ok
    assert received == 40 and most <= 3


def test_progress_callback_counts(tmp_path):
    seen = []
    execute_sweep(
        plan(tmp_path / "s"),
        workers=0,
        evaluate=toy_failing,
        progress=lambda p: seen.append((p.done, p.failed, p.total)),
    )
    assert seen[0] == (0, 0, 12) and seen[-1] == (6, 6, 12) and len(seen) == 13


def test_inline_executor_is_in_order():
    tasks = [Task(run_id=f"t{i}", point=i, replicate=0, seed=0) for i in range(3)]
    assert [o.task.run_id for o in InlineExecutor().map(toy, tasks)] == ["t0", "t1", "t2"]


def test_dask_local_cluster_gives_the_same_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        dasked = execute_sweep(
            plan(tmp_path / "dask"), scheduler=cluster.scheduler_address, evaluate=toy
        )
    assert dasked.done == 12
    execute_sweep(plan(tmp_path / "local"), workers=2, evaluate=toy)
    pd.testing.assert_frame_equal(read_runs(tmp_path / "dask"), read_runs(tmp_path / "local"))


def test_missing_dask_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(ExperimentError, match=r"edusim\[cluster\]"):
        execute_sweep(plan(tmp_path / "s"), scheduler="tcp://127.0.0.1:1", evaluate=toy)
    assert not (tmp_path / "s").exists()  # nothing written


def test_run_sweep_with_the_model(tmp_path):
    out = tmp_path / "model"
    summary = run_sweep(
        "small_county",
        ["choice.beta_time=0.02:0.1"],
        overrides=QUICK,
        design="grid",
        samples=2,
        replicates=2,
        out=out,
        workers=0,
    )
    assert summary.done == 4 and summary.failed == 0
    runs = read_runs(out)
    assert {"hollow_share", "hard_access_share", "pupils"} <= set(runs.columns)
    assert set(runs["choice.beta_time"]) == {0.02, 0.1}
    schools = pd.read_parquet(out / "runs" / "schools")
    assert {"run_id", "point", "school_id", "hollow"} <= set(schools.columns)


# -- resume after SIGKILL, through the command line ---------------------------------------
CLI = [sys.executable, "-c", "import sim.cli.experiment; from sim.cli import main; main()"]
KILL_VARY = ["choice.beta_time=0.02:0.1", "boarding.min_grade=3,5"]
KILL_ARGS = [
    "sweep",
    "small_county",
    "--set",
    "years=2",
    "--vary",
    KILL_VARY[0],
    "--vary",
    KILL_VARY[1],
    "--design",
    "lhs",
    "--samples",
    "20",
    "--replicates",
    "2",
    "--seed",
    "11",
]


def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path):
    killed, whole = tmp_path / "killed", tmp_path / "whole"
    proc = subprocess.Popen(
        [*CLI, *KILL_ARGS, "--workers", "1", "--out", str(killed)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    county = killed / "runs" / "county"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if county.is_dir() and len(list(county.glob("*.parquet"))) >= 6:
                break
            time.sleep(0.01)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # the sweep and its worker processes
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    done_before = len(list(county.glob("*.parquet")))
    assert 6 <= done_before < 40

    refused = subprocess.run(
        [*CLI, *KILL_ARGS, "--out", str(killed)], capture_output=True, text=True
    )
    assert refused.returncode == 2 and "--resume" in refused.stderr

    resumed = subprocess.run(
        [*CLI, *KILL_ARGS, "--workers", "2", "--out", str(killed), "--resume"],
        capture_output=True,
        text=True,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"{done_before} already finished" in resumed.stdout.replace("\n", " ")
    run_sweep(
        "small_county",
        KILL_VARY,
        overrides=["years=2"],
        design="lhs",
        samples=20,
        replicates=2,
        seed=11,
        out=whole,
        workers=2,
    )

    design = pd.read_parquet(killed / "design.parquet")
    files = sorted(p.stem for p in county.glob("*.parquet"))
    assert files == sorted(design["run_id"]) and len(files) == 40  # every run exactly once
    a, b = read_runs(killed), read_runs(whole)
    assert a.groupby("run_id").size().eq(2).all()  # two years per run, no duplicate rows
    pd.testing.assert_frame_equal(a, b)
    assert not list(killed.rglob("*.tmp"))
    assert np.isfinite(a["hollow_share"]).all()


# ---- issue 12: one sweep computes for a folder at a time -----------------------------------


def test_execute_sweep_refuses_a_folder_locked_by_another_sweep(tmp_path):
    out = tmp_path / "s"
    planned = plan(out)
    with FolderLock(lock_inside(out), out, "sweep"):
        with pytest.raises(ExperimentError, match=f"in use by edusim sweep \\(pid {os.getpid()}"):
            execute_sweep(planned, workers=0, evaluate=toy)
    assert not (out / "runs").exists() and not (out / "sweep.json").exists()


def test_a_sweep_started_meanwhile_in_the_planned_folder_is_not_joined(tmp_path):
    out = tmp_path / "s"
    first, second = plan(out), plan(out, replicates=3)
    execute_sweep(first, workers=0, evaluate=toy)
    with pytest.raises(ExperimentError, match="was empty when the sweep was planned"):
        execute_sweep(second, workers=0, evaluate=toy)
    assert json.loads((out / "sweep.json").read_text())["replicates"] == 2


def test_a_stale_lock_is_taken_over_and_reported(tmp_path):
    out = tmp_path / "s"
    out.mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (out / ".edusim-lock").write_text(json.dumps({"verb": "sweep", "pid": dead.pid}))
    messages = []
    summary = execute_sweep(plan(out), workers=0, evaluate=toy, notify=messages.append)
    assert summary.done == 12 and f"pid {dead.pid}" in messages[0]
    assert not (out / ".edusim-lock").exists()
