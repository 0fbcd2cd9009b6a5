"""How edusim scales, against the per-agent Mesa peer and the essential-work limit.

Run with ``pytest -m bench tests/bench/test_bench_scale.py -s``; the figures go to the README.

- ``test_county_at_scale``: the ``baseline`` county scaled to 200,000 - 10,000,000 residents
  (≈20,000 - 960,000 pupils), each size twice in a process of its own
  (``tests/bench/scale_run.py``): once timed (µs per pupil-year for the steps and for the
  whole run, build included, and the maximum resident set size), once under tracemalloc (the
  peak of traced memory). Memory is reported per pupil of the first year.
- ``test_per_agent_mesa_peer``: the same yearly choice as one Mesa agent per pupil
  (``mesa_peer.py``), at 20,000 and 100,000 pupils.
- ``test_essential_work_limit``: a year's essential work in plain NumPy (``kernel.py``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from kernel import Kernel  # noqa: E402
from mesa_peer import PeerModel  # noqa: E402

pytestmark = pytest.mark.bench

SIZES = [200_000, 1_000_000, 2_000_000, 5_000_000, 10_000_000]
YEARS = 15


def _scaled_run(residents: int, trace: bool) -> dict:
    args = [sys.executable, str(HERE / "scale_run.py"), str(residents)] + (["--trace"] * trace)
    done = subprocess.run(args, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("residents", SIZES, ids=[f"{r // 1000}k_residents" for r in SIZES])
def test_county_at_scale(benchmark, residents):
    timed = benchmark.pedantic(_scaled_run, args=(residents, False), rounds=1, iterations=1)
    traced = _scaled_run(residents, True)
    py, pupils = timed["pupil_years"], timed["pupils"]
    info = {
        "pupils_first_year": pupils,
        "candidates_per_pupil": timed["candidates"],
        "build_s": round(timed["build_s"], 2),
        "steps_us_per_pupil_year": round(timed["steps_s"] / py * 1e6, 3),
        "whole_us_per_pupil_year": round((timed["build_s"] + timed["steps_s"]) / py * 1e6, 3),
        "traced_peak_kb_per_pupil": round(traced["traced_peak_bytes"] / pupils / 1024, 3),
        "max_rss_kb_per_pupil": round(timed["max_rss_bytes"] / pupils / 1024, 3),
    }
    benchmark.extra_info.update(info)
    print(f"\n{residents:,} residents: " + ", ".join(f"{k} {v}" for k, v in info.items()))
    assert traced["pupils"] == pupils  # tracing changes no result


def _per_pupil_year(run, pupils: int) -> tuple[float, float]:
    started = time.perf_counter()
    run()
    seconds = time.perf_counter() - started
    return seconds, seconds / (pupils * YEARS) * 1e6


@pytest.mark.parametrize("pupils", [20_000, 100_000], ids=["20k_pupils", "100k_pupils"])
def test_per_agent_mesa_peer(benchmark, pupils):
    def run():
        model = PeerModel(pupils)
        for _ in range(YEARS):
            model.step()
        return model

    model = benchmark.pedantic(run, rounds=1, iterations=1)
    seconds = benchmark.stats.stats.mean
    benchmark.extra_info["us_per_pupil_year"] = round(seconds / (pupils * YEARS) * 1e6, 3)
    print(f"\nMesa peer, {pupils:,} pupils: {benchmark.extra_info['us_per_pupil_year']} µs "
          "per pupil-year (build included)")
    assert model.pupils() > 0.9 * pupils


@pytest.mark.parametrize("pupils", [20_000, 100_000], ids=["20k_pupils", "100k_pupils"])
def test_essential_work_limit(benchmark, pupils):
    kernel = Kernel(pupils)

    def run():
        return [kernel.year() for _ in range(YEARS)]

    years = benchmark.pedantic(run, rounds=3, iterations=1)
    seconds = benchmark.stats.stats.min
    benchmark.extra_info["us_per_pupil_year"] = round(seconds / (pupils * YEARS) * 1e6, 3)
    print(f"\nlimit kernel, {pupils:,} pupils: {benchmark.extra_info['us_per_pupil_year']} µs "
          "per pupil-year")
    assert years[-1].sum() > 0.9 * pupils
