"""One scaled county run in a process of its own; prints its measurements as JSON.

``python tests/bench/scale_run.py RESIDENTS [--trace]``: the ``baseline`` county scaled to
RESIDENTS (townships, villages and area in proportion, within the schema's bounds), built and
run for its 15 years. Its own process, so that the maximum resident set size is this run's.
With ``--trace`` the peak of Python-traced memory (tracemalloc) is measured too; tracing slows
the run, so the times of a traced run are not reported.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc

BASE_RESIDENTS = 200_000


def scaled(residents: int) -> dict:
    """Overrides of ``baseline`` for a county of ``residents`` (the default one scaled)."""
    f = residents / BASE_RESIDENTS
    return {"county.residents": residents, "county.townships": min(200, max(1, round(12 * f))),
            "county.villages": min(5000, round(150 * f)), "county.area_km2": 2000.0 * f}


def measure(residents: int, trace: bool) -> dict:
    """Build and run the scaled county; return its sizes, times and memory."""
    import sim
    from sim.model import EducationModel

    scenario = sim.load_scenario("baseline", scaled(residents))
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    model = EducationModel(scenario)
    built = time.perf_counter()
    for _ in range(scenario.years):
        model.step()
    finished = time.perf_counter()
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    pupils = int(model.county_rows[0]["pupils"])
    pupil_years = int(sum(row["pupils"] for row in model.county_rows))
    return {
        "residents": residents, "pupils": pupils, "pupil_years": pupil_years,
        "candidates": int(model.candidates.schools.shape[2]),
        "build_s": built - started, "steps_s": finished - built,
        "max_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "traced_peak_bytes": peak,
    }


if __name__ == "__main__":
    print(json.dumps(measure(int(sys.argv[1]), "--trace" in sys.argv[2:])))
