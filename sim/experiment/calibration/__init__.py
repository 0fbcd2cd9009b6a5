"""Calibration: the simulated method of moments against a targets file (DESIGN §10).

The stages, each a module usable on its own:

- :mod:`~sim.experiment.calibration.targets`: reading and checking a targets file (the
  moments to match, the parameters to fit with their bounds);
- :mod:`~sim.experiment.calibration.objective`: one model run's series, the simulated moments
  (common random numbers across candidates) and the distance J to the observed ones;
- :mod:`~sim.experiment.calibration.search`: the problem (:func:`plan_calibration`) and
  differential evolution through the experiment executors (:func:`run_calibration`);
- :mod:`~sim.experiment.calibration.output`: the fitted overlay, fit table, projection,
  evaluations and manifest (:func:`write_calibration`; data only: ``sim.viz.calibration``
  draws the fit figure).
"""

from sim.experiment.calibration.intervals import NEAR_OPTIMAL_MARGIN, parameter_table
from sim.experiment.calibration.objective import (
    PENALTY,
    evaluate_calibration_run,
    fit_table,
    moment_values,
    objective,
    relative_errors,
)
from sim.experiment.calibration.output import (
    check_calibration_out,
    default_out,
    overlay_text,
    result_parameters,
    write_calibration,
)
from sim.experiment.calibration.search import (
    DEFAULT_BUDGET,
    DEFAULT_REPLICATES,
    DEFAULT_REPORT_REPLICATES,
    Calibration,
    CalibrationResult,
    calibrate,
    de_settings,
    plan_calibration,
    rerun_command,
    run_calibration,
)
from sim.experiment.calibration.targets import (
    DERIVED,
    SERIES,
    Moment,
    Parameter,
    ParamSpec,
    Targets,
    check_targets,
    load_targets,
)

__all__ = [
    "DEFAULT_BUDGET", "DEFAULT_REPLICATES", "DEFAULT_REPORT_REPLICATES", "DERIVED", "PENALTY",
    "SERIES", "Calibration", "CalibrationResult", "Moment", "ParamSpec", "Parameter", "Targets",
    "calibrate", "check_calibration_out", "check_targets", "de_settings", "default_out",
    "evaluate_calibration_run",
    "fit_table", "load_targets", "moment_values", "objective", "overlay_text",
    "plan_calibration", "rerun_command", "result_parameters", "run_calibration",
    "write_calibration", "NEAR_OPTIMAL_MARGIN", "parameter_table", "relative_errors",
]
