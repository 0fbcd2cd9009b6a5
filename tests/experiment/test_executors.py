"""Executors (sim.experiment.executors): in process and pool, outcomes, failures recorded."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sim.experiment.errors import ExperimentError
from sim.experiment.executors import (
    DaskExecutor,
    InlineExecutor,
    LocalExecutor,
    Outcome,
    call,
    make_executor,
)
from sim.experiment.tasks import Task


def square(task: Task) -> int:
    return task.point * task.point


def fail_on_odd(task: Task) -> int:
    if task.point % 2:
        raise ValueError(f"odd point {task.point}")
    return task.point


def unpicklable(task: Task):
    return lambda: task.point  # a result that cannot travel back from a worker


def tasks(n: int) -> list[Task]:
    return [Task(run_id=f"p{i:04d}-r00", point=i, replicate=0, seed=7) for i in range(n)]


def test_call_returns_the_value_and_the_time():
    outcome = call(square, tasks(4)[3])
    assert outcome.ok and outcome.value == 9 and outcome.error is None
    assert outcome.task.run_id == "p0003-r00" and outcome.seconds >= 0


def test_call_records_a_failure_instead_of_raising():
    outcome = call(fail_on_odd, tasks(2)[1])
    assert not outcome.ok and outcome.value is None
    assert outcome.error == "ValueError: odd point 1"
    assert "fail_on_odd" in outcome.traceback and "Traceback" in outcome.traceback


def test_outcomes_and_tasks_are_picklable():
    outcome = Outcome(tasks(1)[0], value=3, seconds=0.5)
    again = pickle.loads(pickle.dumps(outcome))
    assert again.task == outcome.task and again.value == 3 and again.ok


def test_inline_executor_runs_every_task_in_order():
    with InlineExecutor() as executor:
        outcomes = list(executor.map(square, tasks(5)))
    assert [o.task.point for o in outcomes] == [0, 1, 2, 3, 4]
    assert [o.value for o in outcomes] == [0, 1, 4, 9, 16]


def test_inline_executor_records_failures_and_goes_on():
    outcomes = list(InlineExecutor().map(fail_on_odd, tasks(4)))
    assert [o.ok for o in outcomes] == [True, False, True, False]
    assert outcomes[3].error == "ValueError: odd point 3"


def test_inline_executor_is_lazy():
    seen = []

    def source():
        for task in tasks(3):
            seen.append(task.point)
            yield task

    outcomes = InlineExecutor().map(square, source())
    assert next(outcomes).value == 0 and seen == [0]


def test_local_pool_gives_the_inline_results_and_records_failures():
    with LocalExecutor(2) as executor:
        squares = list(executor.map(square, tasks(6), max_in_flight=2))
        failing = list(executor.map(fail_on_odd, tasks(4)))
        odd = list(executor.map(unpicklable, tasks(1)))
    inline = list(InlineExecutor().map(square, tasks(6)))
    by_id = {o.task.run_id: o.value for o in squares}
    assert len(squares) == 6 and by_id == {o.task.run_id: o.value for o in inline}
    assert sorted(o.task.run_id for o in failing if not o.ok) == ["p0001-r00", "p0003-r00"]
    errors = {o.error for o in failing if not o.ok}
    assert errors == {"ValueError: odd point 1", "ValueError: odd point 3"}
    assert len(odd) == 1 and not odd[0].ok and odd[0].task.run_id == "p0000-r00"
    assert "pickle" in odd[0].error


def test_local_executor_refuses_no_workers():
    with pytest.raises(ExperimentError, match="at least 1"):
        LocalExecutor(0)
    assert LocalExecutor(3).workers == 3
    assert LocalExecutor().workers >= 1


def test_dask_executor_checks_the_address_at_once():
    with pytest.raises(ExperimentError, match="tcp://host:8786"):
        DaskExecutor("localhost:8786")
    assert DaskExecutor("tcp://10.0.0.5:8786").address == "tcp://10.0.0.5:8786"


def test_make_executor_follows_the_cli_options():
    assert isinstance(make_executor(workers=0), InlineExecutor)
    local = make_executor(workers=2)
    assert isinstance(local, LocalExecutor) and local.workers == 2
    assert isinstance(make_executor(), LocalExecutor)
    assert isinstance(make_executor(workers=0, scheduler="tcp://h:8786"), DaskExecutor)


@pytest.mark.parametrize("address", ["", "  "])
def test_an_empty_scheduler_address_is_an_error_not_a_local_run(address):
    with pytest.raises(ExperimentError, match="--scheduler"):
        make_executor(workers=2, scheduler=address)


# ---- issue 12: workers die with their parent ------------------------------------------------

#: Seconds the killed parent's workers may take to end (the watchdog reacts at once).
WORKERS_GONE_S = 5.0
#: Seconds to wait for the workers to start their (endless) runs.
WORKERS_START_S = 60.0
POLL_S = 0.05

SLEEPER = """
import os
import time
from pathlib import Path


def sleep_and_tell(task):
    Path(os.environ["PID_DIR"], str(os.getpid())).touch()
    time.sleep(600)
"""
PARENT = """
from sim.experiment.executors import LocalExecutor
from sim.experiment.tasks import Task

import sleeper

tasks = [Task(run_id=f"p{i}", point=i, replicate=0, seed=0) for i in range(4)]
with LocalExecutor(2) as pool:
    for outcome in pool.map(sleeper.sleep_and_tell, tasks):
        pass
"""


def _running(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, ended but not reaped, counts as ended)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(POLL_S)
    return condition()


@pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="needs /proc (Linux)")
def test_workers_die_with_their_parent(tmp_path):
    (tmp_path / "sleeper.py").write_text(textwrap.dedent(SLEEPER))
    pids = tmp_path / "pids"
    pids.mkdir()
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PID_DIR": str(pids)}
    parent = subprocess.Popen([sys.executable, "-c", textwrap.dedent(PARENT)], env=env)
    workers: list[int] = []
    try:
        assert _wait_for(lambda: len(list(pids.iterdir())) == 2, WORKERS_START_S)
        workers = [int(p.name) for p in pids.iterdir()]
        assert all(_running(pid) for pid in workers)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        assert _wait_for(lambda: not any(_running(pid) for pid in workers), WORKERS_GONE_S), (
            f"workers {workers} outlived their parent"
        )
    finally:
        parent.kill()
        for pid in workers:  # only if the test failed: do not leave them running
            if _running(pid):
                os.kill(pid, signal.SIGKILL)
