"""Executors: where runs are evaluated (in process, a local process pool, or a Dask cluster).

Every executor has one method, :meth:`map`, which evaluates tasks and yields an
:class:`Outcome` per task *as each finishes* (in completion order). At most
``max_in_flight`` tasks (default 2 × workers) are submitted at any time, so the parent holds
a bounded number of tasks and results however long the sweep; the caller writes each result
and drops it. An exception inside ``evaluate`` is caught in the worker and returned as a
failed outcome with its traceback; a worker process that dies fails the runs it held
(the pool is restarted) and the sweep goes on. A local worker ends as soon as the process
that started the pool ends, however it ends (:func:`exit_with_parent`): killing a sweep
leaves no workers running on.

``evaluate`` must be a picklable top-level callable ``evaluate(task)``; with Dask it must
also be importable on the workers (``sim.experiment.tasks.evaluate_model`` is). Results come
back to the parent, which writes them, so Dask workers need no shared file system (only the
files a scenario names, such as ``county.file``).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import select
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator

from sim.experiment.errors import ExperimentError
from sim.experiment.locks import is_running
from sim.experiment.storage import format_failure
from sim.experiment.tasks import Task

CLUSTER_EXTRA = "edusim[cluster]"
DIED = "worker process died"
#: Exit status of a worker that ends because the process that started it has ended.
ORPHANED_EXIT = 3
#: Seconds between looks at the parent where it cannot be waited for (no ``pidfd_open``).
WATCH_INTERVAL_S = 0.5


def exit_with_parent(parent_pid: int) -> None:
    """End this worker process as soon as the process ``parent_pid`` ends (pool initializer).

    A daemon thread waits on a pidfd of the parent (Linux), or looks every
    :data:`WATCH_INTERVAL_S` whether it still runs and is still this process's parent, and
    then ends the worker at once (``os._exit``): its run is lost with the parent that would
    have written it. Without this, killing a sweep (``kill -9``) left its workers computing,
    each holding hundreds of MB.

    Parameters
    ----------
    parent_pid
        The process that started the pool (``os.getpid()`` there).
    """
    watcher = threading.Thread(
        target=_watch_parent, args=(parent_pid, os.getppid()), name="edusim-parent", daemon=True
    )
    watcher.start()


def _watch_parent(parent_pid: int, first_ppid: int) -> None:
    """Block until ``parent_pid`` ends, then end this process."""
    try:
        pidfd = os.pidfd_open(parent_pid)
    except ProcessLookupError:  # it ended before this worker started
        os._exit(ORPHANED_EXIT)
    except (AttributeError, OSError):  # no pidfd on this system: look now and then
        pidfd = None
    if pidfd is not None:
        select.select([pidfd], [], [])  # readable once the process has ended
        os._exit(ORPHANED_EXIT)
    while os.getppid() == first_ppid and is_running(parent_pid):
        time.sleep(WATCH_INTERVAL_S)
    os._exit(ORPHANED_EXIT)


@dataclass
class Outcome:
    """The result of one task.

    Attributes
    ----------
    task
        The task evaluated.
    value
        What ``evaluate`` returned (None when it failed).
    error
        One-line error (``"ValueError: ..."``), None on success.
    traceback
        Full traceback text of a failure.
    seconds
        Wall time of the evaluation in the worker (s).
    """

    task: Task
    value: Any = None
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the evaluation succeeded."""
        return self.error is None


def call(evaluate: Callable[[Task], Any], task: Task) -> Outcome:
    """Evaluate one task, catching its exception (runs in the worker)."""
    start = time.perf_counter()
    try:
        value = evaluate(task)
    except Exception as exc:  # noqa: BLE001 - a failed run is data, not a crash
        error, trace = format_failure(exc)
        return Outcome(task, None, error, trace, time.perf_counter() - start)
    return Outcome(task, value, None, None, time.perf_counter() - start)


def _collect(future: Future, task: Task) -> Outcome:
    """Collect a finished local future (a dead worker or unpicklable result is a failure)."""
    try:
        return future.result()
    except BrokenProcessPool as exc:
        return Outcome(task, error=f"{DIED}: {exc}", traceback="")
    except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be pickled
        error, trace = format_failure(exc)
        return Outcome(task, error=error, traceback=trace)


class InlineExecutor:
    """Evaluate in the calling process, one task at a time (``workers=0``: debugging, notebooks)."""

    workers = 1

    def __enter__(self) -> "InlineExecutor":
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def map(
        self,
        evaluate: Callable[[Task], Any],
        tasks: Iterable[Task],
        max_in_flight: int | None = None,
    ) -> Iterator[Outcome]:
        """Yield the outcome of each task in order."""
        for task in tasks:
            yield call(evaluate, task)


class LocalExecutor:
    """A local pool of worker processes (``concurrent.futures.ProcessPoolExecutor``).

    Parameters
    ----------
    workers
        Worker processes (default ``os.cpu_count()``).

    Workers are started by the ``forkserver`` method where available (``spawn`` elsewhere):
    safe with the threads of a progress bar, and each worker imports only what it needs.
    """

    def __init__(self, workers: int | None = None) -> None:
        if workers is not None and workers < 1:
            raise ExperimentError(
                f"--workers {workers}: must be at least 1 (0 runs in this process)"
            )
        self.workers = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "LocalExecutor":
        if self._pool is None:  # entering an open executor again is a no-op
            self._pool = self._new_pool()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def map(
        self,
        evaluate: Callable[[Task], Any],
        tasks: Iterable[Task],
        max_in_flight: int | None = None,
    ) -> Iterator[Outcome]:
        """Yield an outcome per task as each finishes, keeping at most ``max_in_flight`` submitted.

        When a worker process dies, every run the pool held fails ("worker process died"; the
        culprit cannot be told apart) and a fresh pool takes the remaining tasks.
        """
        if self._pool is None:
            self._pool = self._new_pool()
        limit = max_in_flight or 2 * self.workers
        source = iter(tasks)
        pending: dict[Future, Task] = {}
        try:
            while True:
                while len(pending) < limit:
                    task = next(source, None)
                    if task is None:
                        break
                    try:
                        future = self._pool.submit(call, evaluate, task)
                    except BrokenProcessPool:  # a worker died since the last check
                        self._restart()
                        future = self._pool.submit(call, evaluate, task)
                    pending[future] = task
                if not pending:
                    return
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                broken = False
                for future in done:
                    outcome = _collect(future, pending.pop(future))
                    broken = broken or outcome.error is not None and outcome.error.startswith(DIED)
                    yield outcome
                if broken:
                    for future, task in list(pending.items()):
                        future.cancel()
                        yield Outcome(
                            task, error=f"{DIED} while this run was queued or running", traceback=""
                        )
                    pending.clear()
                    self._restart()
        finally:
            for future in pending:
                future.cancel()

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        # One BLAS/OpenMP thread per worker: the pool already uses every core, and nested
        # threads only contend (workers inherit the environment when the server starts).
        for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
            os.environ.setdefault(variable, "1")
        methods = multiprocessing.get_all_start_methods()
        method = "forkserver" if "forkserver" in methods else "spawn"
        context = multiprocessing.get_context(method)
        if method == "forkserver":
            # Preloading makes forked workers start warm (a module that is missing is skipped)
            # and passes sys.path to the server.
            context.set_forkserver_preload(
                ["sim.experiment.tasks", "sim.experiment.executors", "sim.runner"]
            )
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=exit_with_parent,
            initargs=(os.getpid(),),
        )


class DaskExecutor:
    """A Dask cluster (``dask.distributed``): tasks are submitted to the scheduler at ``address``.

    Parameters
    ----------
    address
        Scheduler address, e.g. ``tcp://10.0.0.5:8786``.

    Raises
    ------
    ExperimentError
        ``dask.distributed`` is not installed (names the ``edusim[cluster]`` extra), or the
        scheduler cannot be reached.
    """

    def __init__(self, address: str, timeout_s: float = 20.0) -> None:
        if not re.fullmatch(r"(tcp|tls|inproc|ucx|ws|wss)://[^\s:/]+(:\d{1,5})?/?", address or ""):
            raise ExperimentError(
                f"--scheduler {address!r}: expected a Dask scheduler address such as tcp://host:8786"
            )
        self.address = address
        self.timeout_s = timeout_s
        self._client: Any = None
        self.workers = 1

    def __enter__(self) -> "DaskExecutor":
        if self._client is not None:  # entering an open executor again is a no-op
            return self
        try:
            from distributed import Client
        except ImportError:
            raise ExperimentError(
                "--scheduler needs dask.distributed, which is not installed: "
                f"pip install '{CLUSTER_EXTRA}'"
            ) from None
        try:
            self._client = Client(self.address, timeout=self.timeout_s, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ExperimentError(
                f"--scheduler {self.address}: cannot reach the Dask scheduler: {exc}"
            ) from None
        self.workers = max(1, sum(self._client.nthreads().values()))
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def map(
        self,
        evaluate: Callable[[Task], Any],
        tasks: Iterable[Task],
        max_in_flight: int | None = None,
    ) -> Iterator[Outcome]:
        """Yield an outcome per task as each finishes, at most ``max_in_flight`` submitted."""
        from distributed import as_completed

        if self._client is None:
            raise RuntimeError("use DaskExecutor as a context manager")
        limit = max_in_flight or 2 * self.workers
        source = iter(tasks)
        running = as_completed(loop=self._client.loop)
        owner: dict[str, Task] = {}

        def submit() -> bool:
            task = next(source, None)
            if task is None:
                return False
            future = self._client.submit(call, evaluate, task, pure=False)
            owner[future.key] = task
            running.add(future)
            return True

        for _ in range(limit):
            if not submit():
                break
        try:
            for future in running:
                task = owner.pop(future.key)
                try:
                    outcome = future.result()
                except Exception as exc:  # noqa: BLE001 - e.g. KilledWorker
                    error, trace = format_failure(exc)
                    outcome = Outcome(task, error=error, traceback=trace)
                future.release()
                yield outcome
                submit()
        finally:
            for future in list(running.futures):
                future.cancel()


Executor = InlineExecutor | LocalExecutor | DaskExecutor


def make_executor(workers: int | None = None, scheduler: str | None = None) -> Executor:
    """Make the executor for the CLI options.

    Dask when ``scheduler`` is given (an empty or blank address is an error, never a silent
    local run), else a local pool of ``workers`` processes (default: one per CPU), or the
    calling process when ``workers`` is 0.

    Parameters
    ----------
    workers
        Local worker processes (None: one per CPU; 0: this process).
    scheduler
        Dask scheduler address, e.g. ``tcp://host:8786``.

    Returns
    -------
    Executor
        The executor (not entered yet).

    Raises
    ------
    ExperimentError
        A malformed scheduler address or a negative number of workers.
    """
    if scheduler is not None:
        return DaskExecutor(scheduler)
    if workers == 0:
        return InlineExecutor()
    return LocalExecutor(workers)
