"""The standard figure set of a run (comparisons and sweeps: test_frontier.py, test_sweep.py)."""

from __future__ import annotations

from dataclasses import replace

from sim.viz.figures import FIGURES_DIR, write_run_figures


def test_a_run_gets_its_four_figures(small_run, tmp_path):
    paths = write_run_figures(small_run, tmp_path)
    assert sorted(p.name for p in paths) == [
        "county_map.png",
        "school_pupils.png",
        "timeseries.png",
        "tradeoff.png",
    ]
    assert all(p.parent == tmp_path / FIGURES_DIR and p.stat().st_size > 1000 for p in paths)


def test_a_run_without_its_world_skips_only_the_map(small_run, tmp_path):
    paths = write_run_figures(replace(small_run, world={}), tmp_path)
    assert "county_map.png" not in {p.name for p in paths} and len(paths) == 3
