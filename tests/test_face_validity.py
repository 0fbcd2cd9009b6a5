"""Face validity of the hollow-school feedback loop (issue: migration and hollow schools).

Each claim is averaged over several seeds of the small county; tolerances are wide enough for
sampling noise and narrow enough that a model without the mechanism fails.
"""

from __future__ import annotations

import numpy as np
import pytest

import sim

SEEDS = (0, 1, 2)
STABLE_BIRTHS = {"demography.births_index": {2000: 1.0}, "demography.births_trend_per_year": 0.0}


def runs(overrides: dict, seeds=SEEDS, years: int = 15):
    scenario = sim.load_scenario("small_county", {**overrides, "years": years})
    return [sim.run(scenario, seed=seed) for seed in seeds]


def mean_metric(results, metric: str, last_years: int | None = None) -> float:
    values = []
    for r in results:
        series = r.county[metric]
        values.append(series.iloc[-last_years:].mean() if last_years else series.mean())
    return float(np.mean(values))


def schools_becoming_hollow(result) -> int:
    """Schools not hollow in most of the first 3 years but hollow in most of the last 3."""
    flags = result.schools.pivot(index="school_id", columns="year", values="hollow").astype(float)
    return int(
        (
            (flags.iloc[:, :3].mean(axis=1) <= 1 / 3) & (flags.iloc[:, -3:].mean(axis=1) >= 2 / 3)
        ).sum()
    )


def test_no_migration_and_steady_births_keep_schools_from_going_hollow():
    # Tiny teaching points whose rolls hover near the threshold may flicker in and out of
    # hollow by chance; what must not happen is a drift of schools into hollowness.
    steady = runs({"migration.enabled": False, **STABLE_BIRTHS}, seeds=(0, 1, 2, 3))
    became = np.mean([schools_becoming_hollow(r) for r in steady])
    change = np.mean(
        [r.county["hollow_share"].iloc[-1] - r.county["hollow_share"].iloc[0] for r in steady]
    )
    assert became <= 2.5, f"{became} schools a run went hollow without migration or falling births"
    assert change <= 0.05
    # ... while the same county with halved births does go hollow (the check can fail).
    halved = runs(
        {
            "migration.enabled": False,
            "demography.births_index": {2000: 1.0, 2024: 1.0, 2025: 0.5},
            "demography.births_trend_per_year": 0.0,
        }
    )
    assert np.mean([schools_becoming_hollow(r) for r in halved]) >= became + 3


def test_stronger_town_pull_raises_town_share_and_hollow_share_monotonically():
    town_share, hollow = [], []
    for constant in (-5.0, -4.0, -3.0):
        results = runs({"migration.town_constant": constant, **STABLE_BIRTHS}, years=10)
        town_share.append(mean_metric(results, "county_town_pupil_share", last_years=3))
        hollow.append(mean_metric(results, "hollow_share", last_years=3))
    assert town_share[0] < town_share[1] < town_share[2], town_share
    assert hollow[0] < hollow[1] < hollow[2], hollow


def test_halving_births_raises_hollow_share():
    steady = runs(STABLE_BIRTHS)
    halved = runs(
        {
            "demography.births_index": {2000: 1.0, 2024: 1.0, 2025: 0.5},
            "demography.births_trend_per_year": 0.0,
        }
    )
    assert (
        mean_metric(halved, "hollow_share", last_years=3)
        > mean_metric(steady, "hollow_share", last_years=3) + 0.1
    )


def test_stricter_hukou_barrier_leaves_more_children_behind_and_fewer_in_town():
    open_door = runs({"admission.hukou_barrier": 0.0, **STABLE_BIRTHS}, years=8)
    strict = runs({"admission.hukou_barrier": 0.6, **STABLE_BIRTHS}, years=8)
    assert mean_metric(strict, "left_behind_children") > mean_metric(
        open_door, "left_behind_children"
    )
    assert mean_metric(strict, "migrant_children") < mean_metric(open_door, "migrant_children")


@pytest.mark.parametrize("seed", [0, 1])
def test_every_child_is_accounted_for_every_year(seed):
    """Conservation: each child row is in exactly one status; leaving the county is final;
    enrolled children equal county pupils; children of families that left are out of the county."""
    from sim.model import EducationModel
    from sim.state import CHILD_LEFT, CHILD_STATUS, ENROLLED, FAMILY_LEFT

    model = EducationModel(sim.load_scenario("small_county"), seed=seed)
    left_before = np.zeros(0, dtype=np.int64)
    for _ in range(8):
        born_before = model.children.n
        model.step()
        c = model.children
        counts = np.bincount(c.status, minlength=len(CHILD_STATUS))
        assert counts.sum() == c.n >= born_before
        assert counts[ENROLLED] == model.county_rows[-1]["pupils"]
        assert (c.status[left_before] == CHILD_LEFT).all()
        left_before = np.flatnonzero(c.status == CHILD_LEFT)
        gone_family = model.families.status[c.family] == FAMILY_LEFT
        assert (c.status[gone_family & (c.exit_year == model.year)] == CHILD_LEFT).all()
        model.check()


# ---- issue 13: enrolment institutions (catchment, 大班额, boarding, places, returns) -------------

# A county town built short of classrooms (the generated classrooms, not those fitted to the
# first roll) that families keep moving to (max class size as given).
TOWN_SURGE = {
    "schools.capacity_slack": 0.8,
    "county.initial_roll_headroom": None,
    "migration.town_constant": -3.0,
    "migration.town_pull_growth_per_year": 0.2,
    **STABLE_BIRTHS,
}


def test_catchment_pupils_dominate_and_town_residents_attend_town_schools():
    results = runs({}, years=4)
    assert mean_metric(results, "catchment_share") >= 0.85
    assert mean_metric(results, "town_residents_in_town_schools") >= 0.9
    # Where the family stayed (no migration), even more pupils are at their catchment school.
    stayed = runs({"migration.enabled": False}, years=4)
    assert mean_metric(stayed, "catchment_share") >= mean_metric(results, "catchment_share") - 0.01
    assert mean_metric(stayed, "catchment_share") >= 0.9


def test_the_catchment_share_falls_as_the_taste_shock_grows():
    narrow = runs({"choice.taste_scale": 0.2}, years=3)
    wide = runs({"choice.taste_scale": 1.5}, years=3)
    assert mean_metric(narrow, "catchment_share") > mean_metric(wide, "catchment_share") + 0.05


def test_boarders_are_mostly_pupils_far_from_any_school():
    scenario = sim.load_scenario("baseline", {"years": 2})
    results = [sim.run(scenario, seed=seed) for seed in (0, 1, 2)]
    assert mean_metric(results, "boarders") > 100
    # Most boarders live beyond the boarding threshold of every school teaching their grade;
    # the others chose a boarding school farther than their catchment school.
    assert mean_metric(results, "boarders_far_share") >= 0.6
    # ... and far more than if boarding were free of its own cost (the taste and time terms
    # then send near pupils to boarding schools).
    cheap = sim.load_scenario("baseline", {"years": 2, "choice.beta_boarding": {
        "primary": 0.0, "junior": 0.0}})
    cheap_results = [sim.run(cheap, seed=seed) for seed in (0, 1)]
    assert mean_metric(cheap_results, "boarders_far_share") < mean_metric(
        results, "boarders_far_share") - 0.1
    assert mean_metric(results, "catchment_share") >= 0.85
    assert mean_metric(results, "town_residents_in_town_schools") >= 0.9


def test_a_town_surge_makes_large_classes_and_building_seats_removes_them():
    calm = runs(STABLE_BIRTHS, years=10)
    surge = runs(TOWN_SURGE, years=10)
    built = runs({**TOWN_SURGE, "policies.capacity": {}}, years=10)
    for metric in ("large_class_share", "superlarge_class_share"):
        assert mean_metric(surge, metric, last_years=4) > mean_metric(calm, metric, last_years=4)
        assert mean_metric(built, metric, last_years=4) < mean_metric(surge, metric, last_years=4)
    # Classes of 66+ form at the default maximum class size: catchment pupils come by right.
    assert mean_metric(surge, "classes_66_plus", last_years=4) > 0
    assert mean_metric(surge, "large_class_share", last_years=4) > 0.05


def test_no_pupil_drops_out_for_lack_of_a_seat():
    """Seats bind hard (few classrooms, hard caps): pupils are placed, not dropped out."""
    from sim.model import EducationModel
    from sim.state import DROPPED_OUT, ENROLLED

    tight = {"schools.capacity_slack": 0.5, "county.initial_roll_headroom": None,
             "schools.max_class_size": 40, **STABLE_BIRTHS}
    hard = {**tight, "policies.admission": {"class_caps": "hard"}}
    for seed in (0, 1):
        model = EducationModel(sim.load_scenario("small_county", hard), seed=seed)
        for _ in range(3):
            model.step()
            row = model.county_rows[-1]
            c = model.children
            new_dropouts = int(((c.status == DROPPED_OUT) & (c.exit_year == model.year)).sum())
            assert new_dropouts == row["dropouts"]
            assert (c.school[c.status == ENROLLED] >= 0).all()
    free = runs(STABLE_BIRTHS, years=4)
    squeezed = runs(hard, years=4)
    # Lack of seats shows as pupils without a place (无学上), not as more dropouts.
    assert mean_metric(squeezed, "pupils_without_place") > 20
    assert mean_metric(free, "pupils_without_place") == 0
    assert mean_metric(squeezed, "dropouts") <= mean_metric(free, "dropouts") * 1.3 + 2


def test_hard_caps_make_the_county_place_the_overflow():
    scenario = sim.load_scenario(
        "small_county", {**TOWN_SURGE, "years": 8, "policies.admission": {"class_caps": "hard"}}
    )
    results = [sim.run(scenario, seed=seed) for seed in SEEDS]
    assert any((r.events["kind"] == "overflow_diverted").any() for r in results)
    assert mean_metric(results, "superlarge_class_share", last_years=3) <= 0.01


def test_dropouts_return_and_a_higher_rate_returns_more():
    leaky = {"choice.dropout_utility": {"primary": -3.0, "junior": -2.5}, **STABLE_BIRTHS}
    never = runs({**leaky, "choice.dropout_return_rate": 0.0}, years=6)
    some = runs({**leaky, "choice.dropout_return_rate": 0.3}, years=6)
    assert mean_metric(never, "returned_dropouts") == 0
    assert mean_metric(some, "returned_dropouts") > 1
