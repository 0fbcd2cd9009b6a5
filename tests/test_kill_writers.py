"""Kill tests (issue 12): every writer, killed (SIGKILL) at a random point, loses nothing.

Each writer (``edusim run`` saving a run, ``sweep``, ``compare``, ``calibrate`` with the
smallest budget) is started as a subprocess and killed at a seeded random moment of its
expected duration. Then its output folder is complete, absent, or (a sweep) resumable: the
same command completes it (``--resume`` for a sweep, ``--force`` over a complete folder), with
every run exactly once; and nothing outside the folder changed, besides the documented
leftovers of a killed write beside it (``.<name>.edusim-new-<pid>-*``, ``-old-``, a lock),
which the next write removes. A killed sweep's worker processes end with it.

One kill point per writer runs by default; the ``slow`` tests kill each writer at several
points and compare the completed folders with an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim import RunResult
from sim.results import FILES

OUT = "out"
TARGETS = Path(__file__).parent / "data" / "targets" / "small_ok.toml"
COMMANDS = {
    "run": ["run", "small_county", "--years", "3", "--replicates", "2", "--no-figures"],
    "sweep": ["sweep", "small_county", "--set", "years=2", "--vary", "choice.beta_time=0.02:0.1",
              "--design", "grid", "--samples", "6", "--workers", "1"],
    "compare": ["compare", "small_county", "hollow_school_demo", "--set", "years=2", "-r", "2",
                "--workers", "0"],
    "calibrate": ["calibrate", "small_county", "--targets", str(TARGETS), "--set", "years=3",
                  "--budget", "20", "--report-replicates", "2", "--workers", "0",
                  "--no-write-overlay"],
}
#: Seconds each command takes on the development machine (start-up included): kill points are
#: drawn from [0, this].
EXPECTED_S = {"run": 3.5, "sweep": 6.0, "compare": 6.0, "calibrate": 7.0}
#: The files of a complete folder of each experiment.
COMPARE_ENTRIES = {"county_long.parquet", "county_long.csv", "summary.csv", "summary_wide.csv",
                   "frontier.csv", "manifest.json", "figures"}
CALIBRATE_ENTRIES = {"small_ok.toml", "fit_table.csv", "fit.png", "projection.csv",
                     "evaluations.csv", "parameters.csv", "calibration.json"}
SWEEP_RUNS = 6
#: What a killed write may leave beside the folder (removed by the next write).
LEFTOVER = re.compile(rf"\.{OUT}\.edusim-(new|old)-(?P<pid>\d+)-[a-z0-9_]+|\.{OUT}\.edusim-lock")
#: Seconds a command may take to finish (completing after a kill, or uninterrupted).
COMMAND_TIMEOUT_S = 300
#: Seconds a killed sweep's pool workers may take to end, and its helper processes (the fork
#: server ends when its workers have, once it has finished starting; the resource tracker
#: after it).
WORKERS_GONE_S = 5.0
HELPERS_GONE_S = 30.0
POLL_S = 0.02
#: Characters of a command line shown in a message.
CMDLINE_SHOWN = 120
#: Kill points per writer in the slow tests.
SLOW_KILLS = 4
#: Seed of the kill points.
SEED = 12


def _edusim(*args: str) -> list[str]:
    return [sys.executable, "-m", "sim.cli", *args]


def _snapshot(folder: Path, skip: str | None = None) -> dict[str, str]:
    """Every file and folder below ``folder`` (but ``skip``) with a digest of its content."""
    shot = {}
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if skip is not None and rel.parts[0] == skip:
            continue
        shot[str(rel)] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "/"
    return shot


def _children(pid: int) -> tuple[list[int], list[int]]:
    """The processes ``pid`` started (its helpers) and the ones they started (pool workers)."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    helpers = parents.get(pid, [])
    workers = [w for h in helpers for w in parents.get(h, [])]
    return helpers, workers


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _describe(pids: list[int]) -> str:
    """Name processes by pid and command line."""
    names = []
    for pid in pids:
        try:
            line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            line = "?"
        names.append(f"{pid} ({line[:CMDLINE_SHOWN]})")
    return ", ".join(names)


def _kill_at(
    work: Path, command: list[str], delay: float
) -> tuple[int | None, tuple[list[int], list[int]]]:
    """Run a command in ``work`` and SIGKILL it after ``delay`` s (if still running).

    Returns its exit status when it finished first (else None) and, at the moment of the
    kill, the processes it had started and the ones those had started (:func:`_children`).
    """
    log = (work.parent / "killed.log").open("ab")
    process = subprocess.Popen(_edusim(*command, "--out", OUT), cwd=work, stdout=log, stderr=log)
    deadline = time.monotonic() + delay
    while time.monotonic() < deadline and process.poll() is None:
        time.sleep(POLL_S)
    if process.poll() is not None:
        return process.returncode, ([], [])
    children = _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    return None, children


def _complete(writer: str, out: Path) -> bool:
    """Tell whether ``out`` holds a complete folder of ``writer``; fail on a partial one."""
    if not out.exists():
        return False
    entries = {p.name for p in out.iterdir()}
    if writer == "run":
        assert set(FILES) <= entries and (out / "world").is_dir(), entries
        result = RunResult.load(out)
        assert result.county["replicate"].nunique() == 2
        return True
    if writer == "compare":
        assert entries == COMPARE_ENTRIES, entries
        assert json.loads((out / "manifest.json").read_text())["kind"] == "edusim-compare"
        return True
    if writer == "calibrate":
        assert entries == CALIBRATE_ENTRIES, entries
        assert json.loads((out / "calibration.json").read_text())["kind"] == "edusim-calibration"
        return True
    return _sweep_complete(out)


def _sweep_complete(out: Path) -> bool:
    """A sweep folder is complete when every run is there once; else it must be resumable."""
    files = sorted((out / "runs" / "county").glob("*.parquet")) if out.is_dir() else []
    if len(files) < SWEEP_RUNS:
        return False
    runs = pd.read_parquet(out / "runs" / "county")
    assert runs["run_id"].nunique() == SWEEP_RUNS
    assert not runs.duplicated(["run_id", "year"]).any()
    return True


def _finish(writer: str, work: Path, complete: bool) -> subprocess.CompletedProcess:
    """Complete what the kill left: resume a sweep, write the folder again (forced if whole)."""
    extra = {"sweep": ["--resume"]}.get(writer, ["--force"] if complete else [])
    done = subprocess.run(
        _edusim(*COMMANDS[writer], "--out", OUT, *extra),
        cwd=work, capture_output=True, text=True, timeout=COMMAND_TIMEOUT_S,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _kill_and_check(writer: str, work: Path, delay: float) -> None:
    """Kill ``writer`` after ``delay`` s and check the folder, what is around it, the workers."""
    before = _snapshot(work)
    status, children = _kill_at(work, COMMANDS[writer], delay)
    out = work / OUT
    if status is not None:  # finished before the kill point
        assert status == 0
    left = {k: v for k, v in _snapshot(work, skip=OUT).items() if k not in before}
    for name in {Path(k).parts[0] for k in left}:
        match = LEFTOVER.fullmatch(name)
        assert match is not None, f"{writer} killed after {delay:.2f} s left {name} beside {OUT}"
    assert {k: v for k, v in _snapshot(work, skip=OUT).items() if k in before} == before
    helpers, workers = children
    for pids, seconds in ((workers, WORKERS_GONE_S), (helpers, HELPERS_GONE_S)):
        deadline = time.monotonic() + seconds
        while any(_running(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(POLL_S)
        alive = [pid for pid in pids if _running(pid)]
        assert not alive, f"{writer} killed after {delay:.2f} s: {_describe(alive)} outlived it"
    complete = _complete(writer, out)
    finished = _finish(writer, work, complete)
    assert _complete(writer, out), finished.stdout
    if writer == "sweep":
        numbers = re.search(r"(\d+) runs done, 0 failed, (\d+) already finished", finished.stdout)
        assert numbers is not None and sum(map(int, numbers.groups())) == SWEEP_RUNS
    assert _snapshot(work, skip=OUT) == before, "leftovers beside the folder were not removed"


def _delays(writer: str, count: int) -> list[float]:
    draw = random.Random(f"{SEED}-{writer}")
    return [draw.uniform(0, EXPECTED_S[writer]) for _ in range(count)]


@pytest.fixture
def work(tmp_path) -> Path:
    """A working folder with a file of the user's beside the output folder."""
    folder = tmp_path / "work"
    folder.mkdir()
    (folder / "thesis.tex").write_text("not edusim's")
    return folder


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("writer", list(COMMANDS))
def test_a_writer_killed_at_a_random_point_leaves_a_complete_absent_or_resumable_folder(
    writer, work
):
    (delay,) = _delays(writer, 1)
    _kill_and_check(writer, work, delay)


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs /proc (Linux)")
@pytest.mark.parametrize("writer", list(COMMANDS))
def test_a_writer_killed_at_many_points_gives_what_an_uninterrupted_run_gives(
    writer, tmp_path
):
    reference = tmp_path / "reference"
    reference.mkdir()
    subprocess.run(
        _edusim(*COMMANDS[writer], "--out", OUT), cwd=reference, check=True,
        capture_output=True, timeout=COMMAND_TIMEOUT_S,
    )
    for i, delay in enumerate(_delays(writer, SLOW_KILLS + 1)[1:]):
        work = tmp_path / f"work{i}"
        work.mkdir()
        (work / "thesis.tex").write_text("not edusim's")
        _kill_and_check(writer, work, delay)
        _same_results(writer, reference / OUT, work / OUT)


def _same_results(writer: str, expected: Path, got: Path) -> None:
    """The data of a folder completed after a kill equal those of an uninterrupted run."""
    tables = {
        "run": ["county.parquet", "schools.parquet"],
        "sweep": ["runs/county", "runs/schools"],
        "compare": ["county_long.parquet"],
        "calibrate": [],
    }[writer]
    for table in tables:
        a, b = pd.read_parquet(expected / table), pd.read_parquet(got / table)
        keys = [c for c in ("run_id", "scenario", "replicate", "year", "school_id") if c in a]
        a = a.sort_values(keys).reset_index(drop=True)
        b = b.sort_values(keys).reset_index(drop=True)
        pd.testing.assert_frame_equal(a, b)
    if writer == "calibrate":
        manifests = [json.loads((f / "calibration.json").read_text()) for f in (expected, got)]
        fitted = [m["fitted"] for m in manifests]
        assert fitted[0] == fitted[1]
