"""The whole model: invariants after every step, determinism per seed, Mesa bookkeeping."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.agents import Family, School, Teacher
from sim.state import ENROLLED

YEARS = 5


@pytest.fixture(scope="module")
def scenario():
    return sim.load_scenario("small_county", [f"years={YEARS}"])


def test_invariants_hold_after_every_step_of_a_multi_year_run(scenario):
    model = sim.EducationModel(scenario, seed=3)
    model.check()  # after building and the initial placement
    for i in range(YEARS):
        model.step()
        model.check()
        assert model.year == scenario.start_year + i
        assert model.steps == i + 1
        assert len(model.county_rows) == i + 1 and len(model.school_panels) == i + 1


def test_run_with_check_asserts_after_every_step_for_every_replicate(scenario):
    result = sim.run(scenario, seed=4, replicates=2, check=True)
    assert len(result.county) == 2 * YEARS


def test_check_catches_a_broken_table(scenario):
    """model.check() is only worth running if it fails on a broken state."""
    model = sim.EducationModel(scenario, seed=3)
    model.step()
    enrolled = np.flatnonzero(model.children.status == ENROLLED)
    model.children.school[enrolled[0]] = -1
    with pytest.raises(AssertionError):
        model.check()


def test_the_county_changes_over_the_years(scenario):
    """Children age, enter and leave: the rolls are not frozen."""
    result = sim.run(scenario, seed=3)
    assert result.county["year"].tolist() == list(
        range(scenario.start_year, scenario.start_year + YEARS)
    )
    assert result.county["pupils"].nunique() > 1
    assert (result.county["pupils"] > 0).all()


def test_agents_cover_the_tables(scenario):
    model = sim.EducationModel(scenario, seed=3)
    model.step()
    by_type = model.agents_by_type
    assert len(by_type[School]) == model.schools.n
    assert len(by_type[Family]) == model.families.n
    assert len(by_type[Teacher]) == model.teachers.n
    assert sorted(a.row for a in by_type[School]) == list(range(model.schools.n))
    assert sorted(a.row for a in by_type[Family]) == list(range(model.families.n))


def test_two_models_do_not_share_state(scenario):
    a = sim.EducationModel(scenario, seed=3)
    b = sim.EducationModel(scenario, seed=3)
    a.schools.boarding_beds[0] += 7
    assert b.schools.boarding_beds[0] == a.schools.boarding_beds[0] - 7
    school_b = next(iter(b.agents_by_type[School]))
    assert school_b.model is b


# ---- determinism ---------------------------------------------------------------------------


def _county_csv(scenario, seed: int, out: Path) -> bytes:
    result = sim.run(scenario, seed=seed)
    return (result.save(out) / "county.csv").read_bytes()


def test_same_seed_gives_byte_identical_county_csv(scenario, tmp_path):
    first = _county_csv(scenario, 8, tmp_path / "a")
    second = _county_csv(scenario, 8, tmp_path / "b")
    assert first == second


def test_same_seed_gives_identical_school_panel_and_events(scenario):
    a, b = sim.run(scenario, seed=8), sim.run(scenario, seed=8)
    assert a.schools.equals(b.schools)
    assert a.events.equals(b.events)


def test_different_seed_gives_a_different_county_csv(scenario, tmp_path):
    assert _county_csv(scenario, 8, tmp_path / "a") != _county_csv(scenario, 9, tmp_path / "b")


def test_seed_argument_overrides_the_scenario_seed(scenario):
    a = sim.run(scenario.model_copy(update={"seed": 8}))
    b = sim.run(scenario, seed=8)
    assert a.county.equals(b.county)


def test_replicates_differ_but_replicate_zero_equals_a_single_run(scenario):
    two = sim.run(scenario, seed=8, replicates=2)
    one = sim.run(scenario, seed=8)
    rep = two.county.groupby("replicate")
    r0 = rep.get_group(0).drop(columns="replicate").reset_index(drop=True)
    r1 = rep.get_group(1).drop(columns="replicate").reset_index(drop=True)
    assert r0.equals(one.county.drop(columns="replicate"))
    assert not r0.equals(r1)


def test_identical_across_processes_and_hash_seeds(tmp_path):
    """Byte-identical output must not depend on the process (e.g. set/dict order of strings)."""
    outputs = []
    for hash_seed in ("1", "2"):
        out = tmp_path / f"h{hash_seed}"
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "sim.cli",
                "run",
                "small_county",
                "--years",
                "2",
                "--seed",
                "6",
                "--out",
                str(out),
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        outputs.append((out / "county.csv").read_bytes())
    assert outputs[0] == outputs[1]


def test_checking_does_not_change_the_run(scenario):
    """check=True only reads the tables: it must not draw random numbers or alter results."""
    plain = sim.run(scenario, seed=8)
    checked = sim.run(scenario, seed=8, check=True)
    assert plain.county.equals(checked.county)
    assert plain.schools.equals(checked.schools)


def test_repetition_keeps_every_grade_within_its_seats():
    scenario = sim.load_scenario(
        "small_county", ["demography.repetition_rate=0.1", "years=5", "schools.capacity_slack=0.8"]
    )
    result = sim.run(scenario, seed=1, replicates=2, check=True)
    assert result.county["pupils"].gt(0).all()


def test_a_plan_that_closes_every_school_runs_and_reports_honestly():
    """Issue 12, extreme states: no crash; no pupil is a 'dropout' for want of any school; the
    cost per pupil of a county without pupils is missing, not the whole cost over one pupil."""
    scenario = sim.load_scenario("small_county", {
        "years": 2,
        "policies.consolidation": {
            "start_year": 2024, "plan_safeguards": False,
            "plan": [{"action": "close", "year": 2025,
                      "select": {"tiers": ["village", "township", "county_town"]}}],
        },
    })
    county = sim.run(scenario, seed=1).county.set_index("year")
    last = county.loc[2025]
    assert last["schools_open"] == 0 and last["pupils"] == 0
    assert last["dropouts"] == 0 and last["pupils_without_place"] > 0
    assert np.isnan(last["cost_per_pupil"]) and last["hard_access_share"] == 1.0
