"""Parameter sweeps: plan (design), execute (executors), store (one file set per run).

>>> plan = plan_sweep("small_county", ["choice.beta_time=0.02:0.1"], design="lhs",
...                   samples=8, replicates=2, overrides=["years=3"], out="outputs/s1")
>>> summary = execute_sweep(plan, workers=2)              # doctest: +SKIP
>>> pandas.read_parquet("outputs/s1/runs/county")         # doctest: +SKIP

:func:`plan_sweep` validates everything (scenario, vary specs, design, output directory)
and writes nothing; :func:`execute_sweep` writes ``sweep.json`` and ``design.parquet``, then
each run's files as soon as the run finishes (layout in :mod:`sim.experiment.storage`). A
run already on disk is never run again, so a killed sweep is resumed by calling it again
with ``resume=True`` (``edusim sweep ... --resume``); failed runs are retried then.

Replicate r of every design point runs with ``sim.seeds.replicate_rng(root_seed, r)``
(common random numbers), so two points differ by their parameters, not by their luck.
The parent process keeps only counters: at most 2 × workers tasks are in flight and each
result is written and dropped as it arrives, so memory stays flat for any number of runs.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

import pandas as pd

from sim.experiment.design import (
    DEFAULT_SAMPLES,
    SECOND_ORDER,
    VarySpec,
    check_design,
    check_vary,
    design_points,
    parse_vary,
    runs_table,
)
from sim.experiment.errors import ExperimentError
from sim.experiment.executors import Executor, make_executor
from sim.experiment.folders import (
    SWEEP,
    folder_kind,
    listing,
    refuse_working_folder,
    visible_entries,
)
from sim.experiment.locks import FolderLock, check_free, lock_inside
from sim.experiment.replicates import check_seed
from sim.experiment.storage import SweepStore
from sim.experiment.tasks import (
    Evaluation,
    Task,
    as_tables,
    evaluate_model,
    resolve_scenario,
    scenario_with,
)
from sim.outputs import check_writable_out
from sim.scenario import Scenario
from sim.version import package_version

#: SweepSummary.failures lists at most this many run ids (all are in failed/).
MAX_LISTED_FAILURES = 100
#: sweep.json keys that must match for --resume to reuse a directory.
RESUME_KEYS = (
    "scenario",
    "vary",
    "design",
    "samples",
    "replicates",
    "seed",
    "second_order",
    "version",
    "counties",
    "scenarios",
)


@dataclass
class SweepPlan:
    """A validated sweep, ready to execute.

    Attributes
    ----------
    out
        The sweep directory.
    spec
        The contents of ``sweep.json``.
    specs
        The varied keys.
    runs
        The design table: one row per run (``run_id, point, <keys>, replicate, seed``).
    resume
        True when the directory already holds this sweep (finished runs are skipped).
    """

    out: Path
    spec: dict[str, Any]
    specs: list[VarySpec]
    runs: pd.DataFrame
    resume: bool = False

    @property
    def keys(self) -> list[str]:
        """The varied keys, in column order."""
        return [s.key for s in self.specs]


@dataclass
class SweepProgress:
    """Counters passed to a progress callback after every run (and once at the start).

    Attributes
    ----------
    total
        Runs in the design.
    skipped
        Runs already finished before this call (resume).
    done
        Runs finished by this call, successfully.
    failed
        Runs failed in this call.
    elapsed_s
        Seconds since execution started.
    busy_s
        Wall seconds the workers spent evaluating runs, summed (``busy_s / (workers ×
        elapsed_s)`` is the workers' utilisation: near 1 when the parent keeps them fed).
    last_error
        The one-line error of the last failed run, if the last run failed.
    """

    total: int
    skipped: int = 0
    done: int = 0
    failed: int = 0
    elapsed_s: float = 0.0
    busy_s: float = 0.0
    last_error: str | None = None

    @property
    def completed(self) -> int:
        """Runs accounted for: skipped + done + failed."""
        return self.skipped + self.done + self.failed


@dataclass
class SweepSummary:
    """What an execution did.

    Counts, wall seconds, worker seconds (``busy_s``), the directory, and the run ids that
    failed.
    """

    out: Path
    total: int
    skipped: int
    done: int
    failed: int
    seconds: float
    failures: list[str] = field(default_factory=list)
    busy_s: float = 0.0


def plan_sweep(
    scenario: str | Path | Scenario | None,
    vary: Sequence[str | VarySpec],
    *,
    overrides: Iterable[str] | Mapping[str, Any] | None = None,
    design: str = "lhs",
    samples: int | None = None,
    replicates: int = 1,
    seed: int | None = None,
    out: Path | str | None = None,
    resume: bool = False,
) -> SweepPlan:
    """Validate a sweep and build its design; nothing is written.

    Parameters
    ----------
    scenario
        Bundled name, TOML file, run manifest, :class:`Scenario`, or None (embedded default).
    vary
        ``KEY=LOW:HIGH`` / ``KEY=a,b,c`` texts (see :mod:`sim.experiment.design`).
    overrides
        ``--set`` overrides applied to the scenario before varying.
    design
        ``grid``, ``lhs``, ``sobol`` or ``morris``.
    samples
        N (see :mod:`sim.experiment.design`); default 3 (grid), 32 (lhs), 16 (sobol), 10
        (morris).
    replicates
        Runs per design point; replicate r of every point uses root seed ``seed`` and
        replicate number r (common random numbers).
    seed
        Root seed (default: the scenario's ``seed``).
    out
        Sweep directory (default ``outputs/sweep-<scenario name>``).
    resume
        Reuse a non-empty directory holding the same sweep.

    Raises
    ------
    ScenarioError, ExperimentError
        Bad scenario, vary spec, design, sample count, replicates or seed; a directory that is
        a file or cannot be written, holds anything but a sweep, holds a sweep without
        ``resume`` or a different sweep, or is in use by another sweep.
    """
    base_scenario = resolve_scenario(scenario, overrides)
    base = base_scenario.model_dump(mode="json")
    specs = check_vary(
        [v if isinstance(v, VarySpec) else parse_vary(v) for v in vary],
        base,
        lambda ov: scenario_with(base, ov),
    )
    samples = DEFAULT_SAMPLES.get(design, 1) if samples is None else samples
    check_design(design, samples, len(specs))
    if replicates < 1:
        raise ExperimentError(f"--replicates {replicates}: must be at least 1")
    root_seed = base_scenario.seed if seed is None else check_seed(seed)
    runs = runs_table(design_points(specs, design, samples, root_seed), replicates, root_seed)
    out_path = Path(out) if out is not None else Path("outputs") / f"sweep-{base_scenario.name}"
    spec = {
        "kind": "edusim-sweep",
        "scenario": base,
        "source": str(scenario) if not isinstance(scenario, Scenario) else base_scenario.name,
        "overrides": _overrides_list(overrides),
        "vary": [s.text for s in specs],
        "keys": [s.key for s in specs],
        "integer_keys": [s.key for s in specs if s.is_range and s.integer],
        "notes": [s.note for s in specs if s.note],
        "design": design,
        "samples": samples,
        "second_order": SECOND_ORDER,
        "replicates": replicates,
        "seed": root_seed,
        "points": int(runs["point"].nunique()),
        "runs": len(runs),
        "version": package_version(),
    }
    reuse = check_sweep_folder(out_path, spec, runs, resume)
    return SweepPlan(out=out_path, spec=spec, specs=specs, runs=runs, resume=reuse)


def check_sweep_folder(
    out: Path, spec: Mapping[str, Any], runs: pd.DataFrame, resume: bool
) -> bool:
    """Check the sweep folder before anything runs; True when it holds this sweep (resume).

    Raises
    ------
    ExperimentError, EdusimError
        The folder is a file or cannot be written, is the working folder, holds anything but
        this sweep, holds it without ``resume``, or is in use by another process.
    """
    check_writable_out(out)
    check_writable_out(out.parent, option=f"--out {out}: its parent")
    check_free(lock_inside(out), out)
    store = SweepStore(out)
    if store.is_empty():
        return False
    refuse_working_folder(out, SWEEP)
    if not store.spec_path.is_file():
        found = folder_kind(out)
        what = f"an edusim {found.name} folder" if found is not None else "not empty"
        raise ExperimentError(
            f"--out {out}: is {what} ({listing(out, visible_entries(out))}) and holds no sweep; "
            "a sweep writes only into a new or empty folder, or continues the sweep stored there "
            "with --resume: choose another --out"
        )
    if not resume:
        raise ExperimentError(
            f"--out {out}: holds a sweep already; add --resume to continue the sweep stored "
            "there, or choose another --out"
        )
    _check_same(store, spec, runs)
    return True


def execute_sweep(
    plan: SweepPlan,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Executor | None = None,
    evaluate: Evaluation = evaluate_model,
    progress: Callable[[SweepProgress], None] | None = None,
    max_in_flight: int | None = None,
    notify: Callable[[str], None] | None = None,
) -> SweepSummary:
    """Run every unfinished run of a plan, writing each as it finishes.

    The sweep folder is locked meanwhile (:mod:`sim.experiment.locks`): another process
    executing a sweep in it stops at once with an error naming this one.

    Parameters
    ----------
    plan
        From :func:`plan_sweep`.
    workers, scheduler
        Executor options (see :func:`sim.experiment.executors.make_executor`), used when no
        ``executor`` is given.
    executor
        An executor (entered here if it is not open yet, and closed at the end).
    evaluate
        ``evaluate(task) -> DataFrame | dict[str, DataFrame]`` (default: the model).
    progress
        Called with a :class:`SweepProgress` at the start and after every run.
    max_in_flight
        Tasks submitted at once (default 2 × workers).
    notify
        Called with a message when the lock left by a killed sweep is taken over.

    Returns
    -------
    SweepSummary
        Counts; ``failures`` lists the first run ids that failed in this call (at most
        :data:`MAX_LISTED_FAILURES`; every failure is in ``failed/``).

    Raises
    ------
    ExperimentError
        The Dask scheduler cannot be reached or dask is not installed (nothing written); the
        folder is in use by another process, or changed since it was planned.
    """
    store = SweepStore(plan.out)
    executor = executor if executor is not None else make_executor(workers, scheduler)
    with executor, FolderLock(lock_inside(plan.out), plan.out, "sweep") as lock:
        # connected first (nothing written when Dask is unreachable), then the folder is ours
        if lock.took_over and notify:
            notify(lock.took_over)
        _check_unchanged(store, plan)
        store.clean_temporary()
        if not plan.resume or not store.spec_path.is_file():
            store.write_spec(plan.spec)
        if not plan.resume or not store.design_path.is_file():
            store.write_design(plan.runs)
        state, failures, start = _run_all(store, plan, executor, evaluate, progress, max_in_flight)
    seconds = time.perf_counter() - start
    return SweepSummary(
        plan.out,
        state.total,
        state.skipped,
        state.done,
        state.failed,
        seconds,
        failures,
        state.busy_s,
    )


def _run_all(
    store: SweepStore,
    plan: SweepPlan,
    executor: Executor,
    evaluate: Evaluation,
    progress: Callable[[SweepProgress], None] | None,
    max_in_flight: int | None,
) -> tuple[SweepProgress, list[str], float]:
    """Run the unfinished runs, writing each; return the counters, failed ids, start time."""
    finished = store.finished()
    todo = plan.runs[~plan.runs["run_id"].isin(finished)]
    state = SweepProgress(total=len(plan.runs), skipped=len(plan.runs) - len(todo))
    failures: list[str] = []
    start = time.perf_counter()
    if progress:
        progress(state)
    for outcome in executor.map(evaluate, _tasks(todo, plan), max_in_flight):
        error, trace = outcome.error, outcome.traceback
        if error is None:
            try:
                tables = as_tables(outcome.value)
            except TypeError as exc:
                error, trace = f"TypeError: {exc}", ""
            else:
                store.write_run(outcome.task, tables)
        outcome.value = None
        state.busy_s += outcome.seconds
        if error is None:
            state.done += 1
            state.last_error = None
        else:
            store.write_failure(outcome.task, error, trace)
            state.failed += 1
            state.last_error = f"{outcome.task.run_id}: {error}"
            if len(failures) < MAX_LISTED_FAILURES:
                failures.append(outcome.task.run_id)
        state.elapsed_s = time.perf_counter() - start
        if progress:
            progress(state)
    return state, failures, start


def _check_unchanged(store: SweepStore, plan: SweepPlan) -> None:
    """Check, holding the lock, that the folder is as planned (no sweep started meanwhile)."""
    if plan.resume:
        _check_same(store, plan.spec, plan.runs)
    elif not store.is_empty():
        raise ExperimentError(
            f"--out {plan.out}: was empty when the sweep was planned and holds "
            f"{listing(plan.out, visible_entries(plan.out))} now; rerun with --resume to "
            "continue the sweep stored there, or choose another --out"
        )


def run_sweep(
    scenario: str | Path | Scenario | None,
    vary: Sequence[str | VarySpec],
    **options: Any,
) -> SweepSummary:
    """:func:`plan_sweep` then :func:`execute_sweep` (options are split between the two)."""
    exec_keys = {
        "workers", "scheduler", "executor", "evaluate", "progress", "max_in_flight", "notify"
    }
    plan = plan_sweep(scenario, vary, **{k: v for k, v in options.items() if k not in exec_keys})
    return execute_sweep(plan, **{k: v for k, v in options.items() if k in exec_keys})


def _tasks(todo: pd.DataFrame, plan: SweepPlan) -> Iterator[Task]:
    keys = plan.keys
    # A region (sim.experiment.region) gives each point its own scenario.
    per_point = plan.spec.get("scenarios")
    for row in todo.itertuples(index=False):
        values = dict(zip(todo.columns, row))
        point = int(values["point"])
        yield Task(
            run_id=str(values["run_id"]),
            point=point,
            replicate=int(values["replicate"]),
            seed=int(values["seed"]),
            params={k: _python(values[k]) for k in keys},
            scenario=plan.spec["scenario"] if per_point is None else per_point[point],
        )


def _python(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else value


def _overrides_list(overrides: Iterable[str] | Mapping[str, Any] | None) -> list[str]:
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [f"{k}={v!r}" for k, v in overrides.items()]
    return list(overrides)


def _check_same(store: SweepStore, spec: Mapping[str, Any], runs: pd.DataFrame) -> None:
    if not store.spec_path.is_file():
        raise ExperimentError(
            f"--out {store.root}: the directory is not empty and holds no sweep "
            f"({store.spec_path.name} missing); choose another --out"
        )
    old = store.read_spec()
    diffs = []
    for key in RESUME_KEYS:
        if key == "scenario":
            changed = _dict_diff(old.get("scenario", {}), spec["scenario"])
            if changed:
                shown = ", ".join(changed[:5]) + (
                    f" and {len(changed) - 5} more" if len(changed) > 5 else ""
                )
                diffs.append(f"scenario keys {shown}")
        elif key == "scenarios":  # a region's counties
            if old.get(key) != spec.get(key):
                diffs.append("the counties' scenarios")
        elif old.get(key) != spec.get(key):
            diffs.append(f"{key}: stored {old.get(key)!r}, now {spec.get(key)!r}")
    if diffs:
        raise ExperimentError(
            f"--resume {store.root}: the stored sweep was made with different arguments: "
            + "; ".join(diffs)
            + ". Rerun with the same arguments, or choose another --out"
        )
    if store.design_path.is_file():
        stored = store.read_design()
        if not stored.reset_index(drop=True).equals(runs.reset_index(drop=True)):
            raise ExperimentError(
                f"--resume {store.root}: the stored design.parquet differs from the design these "
                "arguments give (another SALib version?); choose another --out"
            )


def _dict_diff(old: Any, new: Any, prefix: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        out = []
        for key in sorted(set(old) | set(new), key=str):
            out += _dict_diff(old.get(key), new.get(key), f"{prefix}{key}.")
        return out
    return [] if old == new else [prefix.rstrip(".")]
