"""edusim: agent-based simulation of rural-urban education migration in Chinese counties.

The public API: :func:`load_scenario`, :func:`run`, :class:`EducationModel`, :class:`RunResult`.
"""

from sim.model import EducationModel
from sim.results import RunResult
from sim.runner import run
from sim.scenario import Scenario, load_scenario

__all__ = ["load_scenario", "run", "EducationModel", "RunResult", "Scenario"]
