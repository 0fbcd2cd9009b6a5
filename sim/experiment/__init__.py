"""Experiments: replicates, compare, sweep designs, executors, storage, analysis.

The stages follow SALib's pipeline, each a module usable on its own:

- :mod:`~sim.experiment.design`: which parameter values to run (grid, Latin hypercube, Sobol);
- :mod:`~sim.experiment.executors`: where they run (this process, a process pool, Dask);
- :mod:`~sim.experiment.storage`: one file set per run, written atomically (resumable);
- :mod:`~sim.experiment.analysis`: per-run table, Sobol indices, hollow risk;

with :mod:`~sim.experiment.sweep` tying them together, :mod:`~sim.experiment.compare` for
scenario comparisons with common random numbers and :mod:`~sim.experiment.replicates` for
seeds and intervals. :mod:`~sim.experiment.tasks` defines one run and the model evaluation.
:mod:`~sim.experiment.folders` says which output folder a verb may write (never one it did
not write) and writes comparison and calibration folders whole; :mod:`~sim.experiment.locks`
keeps two processes from computing for one folder.
"""

from sim.experiment.analysis import Analysis, analyze, write_analysis
from sim.experiment.compare import Comparison, compare, write_comparison
from sim.experiment.errors import ExperimentError
from sim.experiment.replicates import mean_interval, replicate_seeds, summarise
from sim.experiment.sweep import (
    SweepPlan,
    SweepProgress,
    SweepSummary,
    execute_sweep,
    plan_sweep,
    run_sweep,
)
from sim.experiment.tasks import Task, evaluate_model

__all__ = [
    "Analysis",
    "Comparison",
    "ExperimentError",
    "SweepPlan",
    "SweepProgress",
    "SweepSummary",
    "Task",
    "analyze",
    "compare",
    "evaluate_model",
    "execute_sweep",
    "mean_interval",
    "plan_sweep",
    "replicate_seeds",
    "run_sweep",
    "summarise",
    "write_analysis",
    "write_comparison",
]
