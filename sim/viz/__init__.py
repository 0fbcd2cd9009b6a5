"""Figures and reports of runs, comparisons and sweeps (matplotlib on Agg; HTML report).

Each ``plot_*`` function returns a :class:`matplotlib.figure.Figure`; the ``write_*``
functions of :mod:`sim.viz.figures` save the standard set into ``<out>/figures/``, and
:func:`sim.viz.report.write_report` makes one self-contained HTML file of a run or comparison.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "write_run_figures": "sim.viz.figures",
    "write_compare_figures": "sim.viz.figures",
    "write_sweep_figures": "sim.viz.figures",
    "write_report": "sim.viz.report",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:  # lazy: importing sim.viz does not load matplotlib
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'sim.viz' has no attribute {name!r}")
