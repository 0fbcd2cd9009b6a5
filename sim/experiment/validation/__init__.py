"""Out-of-sample validation: hold the fitted model and a null model against later facts.

``facts`` reads and checks a facts file (observations after the calibration period, each with
a tolerance, its mapping to one county and its source); ``null`` defines the reference without
behaviour; ``scoring`` scores each fact; ``report`` writes the Markdown report and the
documentation page; ``run`` checks, runs both models and writes the folder
(``edusim validation``).
"""

from sim.experiment.validation.facts import Fact, FactsFile, check_facts, load_facts
from sim.experiment.validation.null import NULL_MODEL, null_overrides
from sim.experiment.validation.report import (
    DOCS_MARKER,
    FIGURE_NAME,
    calibration_sections,
    check_docs_out,
    docs_figure_path,
    validation_markdown,
    write_docs,
)
from sim.experiment.validation.run import (
    DEFAULT_REPLICATES,
    Validation,
    ValidationResult,
    check_validation_out,
    plan_validation,
    run_validation,
    write_validation,
)
from sim.experiment.validation.scoring import (
    TABLE_COLUMNS,
    fact_values,
    summary,
    validation_table,
)

__all__ = [
    "DEFAULT_REPLICATES", "DOCS_MARKER", "FIGURE_NAME", "NULL_MODEL", "TABLE_COLUMNS", "Fact",
    "FactsFile", "Validation", "ValidationResult", "calibration_sections", "check_docs_out",
    "check_facts", "check_validation_out", "docs_figure_path", "fact_values", "load_facts",
    "null_overrides", "plan_validation", "run_validation", "summary", "validation_markdown",
    "validation_table", "write_docs", "write_validation",
]
