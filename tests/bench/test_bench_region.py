"""Throughput of a region run on 1 and 2 workers: parallel efficiency and parent memory.

Run with ``pytest -m bench tests/bench/test_bench_region.py -s``. The region is the first
16 counties of the bundled ``example_province`` (about 750,000 pupils), so that both runs
fit the bench step's time; the whole province takes the same time per county.
"""

from __future__ import annotations

import resource
import time

import pytest

from sim.experiment.region import plan_region, region_path, run_region

pytestmark = pytest.mark.bench

COUNTIES = 16


def _subset(tmp_path) -> str:
    """The bundled file cut after its first COUNTIES ``[[counties]]`` entries."""
    text = region_path("example_province").read_text(encoding="utf-8")
    blocks = text.split("[[counties]]")
    path = tmp_path / "subset.toml"
    path.write_text("[[counties]]".join(blocks[: COUNTIES + 1]), encoding="utf-8")
    return str(path)


def test_region_throughput_one_and_two_workers(benchmark, tmp_path):
    path = _subset(tmp_path)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def timed(workers: int) -> float:
        plan = plan_region(path, out=tmp_path / f"w{workers}")
        started = time.perf_counter()
        summary = run_region(plan, workers=workers)
        assert summary.done == COUNTIES and summary.failed == 0
        return time.perf_counter() - started

    one = timed(1)
    two = benchmark.pedantic(timed, args=(2,), rounds=1, iterations=1)
    efficiency = one / (2 * two)
    growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    benchmark.extra_info.update(counties=COUNTIES, one_worker_s=round(one, 1),
                                two_workers_s=round(two, 1), efficiency=round(efficiency, 2),
                                counties_per_minute_two_workers=round(COUNTIES / two * 60, 1),
                                parent_max_rss_growth_mb=round(growth_mb, 1))
    print(f"\nregion of {COUNTIES} counties: 1 worker {one:.1f} s, 2 workers {two:.1f} s, "
          f"parallel efficiency {efficiency:.2f}, parent max RSS grew {growth_mb:.0f} MB")
