"""County metrics and the school panel (DESIGN §8): names, order, ranges and invariants that hold
whatever features are configured."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import sim
from sim.metrics import COUNTY_COLUMNS, EVENT_COLUMNS, SCHOOL_COLUMNS

# DESIGN §8, in its order.
DESIGN_COUNTY = [
    "year",
    "pupils",
    "pupils_primary",
    "pupils_junior",
    "schools_open",
    "schools_open_primary",
    "schools_open_junior",
    "teaching_points",
    "hollow_schools",
    "hollow_share",
    "new_hollow_schools",
    "mean_commute_min",
    "p90_commute_min",
    "share_primary_over_30min",
    "share_junior_over_60min",
    "boarders",
    "young_boarders",
    "bus_riders",
    "dropouts",
    "retention_rate",
    "large_class_share",
    "superlarge_class_share",
    "cv_primary",
    "cv_junior",
    "teachers",
    "teacher_vacancies",
    "rural_teacher_attrition",
    "quality_rural",
    "quality_town",
    "county_town_pupil_share",
    "migrant_children",
    "left_behind_children",
    "idle_buildings",
    "cost_total",
    "cost_per_pupil",
]
DESIGN_SCHOOL = [
    "year",
    "school_id",
    "name",
    "level",
    "tier",
    "status",
    "pupils",
    "capacity",
    "utilisation",
    "classes",
    "multigrade_classes",
    "teachers",
    "pupil_teacher_ratio",
    "quality",
    "boarders",
    "bus_riders",
    "hollow",
]
SHARES = [
    "hollow_share",
    "share_primary_over_30min",
    "share_junior_over_60min",
    "retention_rate",
    "large_class_share",
    "superlarge_class_share",
    "rural_teacher_attrition",
    "county_town_pupil_share",
    "quality_rural",
    "quality_town",
    "hard_access_share",
    "catchment_share",
    "town_residents_in_town_schools",
    "boarders_far_share",
    "township_seat_pupil_share",
]
COUNTS = [
    "pupils",
    "pupils_primary",
    "pupils_junior",
    "schools_open",
    "schools_open_primary",
    "schools_open_junior",
    "teaching_points",
    "hollow_schools",
    "new_hollow_schools",
    "boarders",
    "young_boarders",
    "bus_riders",
    "dropouts",
    "teachers",
    "teacher_vacancies",
    "migrant_children",
    "left_behind_children",
    "idle_buildings",
    "births",
    "returned_dropouts",
    "classes_46_55",
    "classes_56_65",
    "classes_66_plus",
    "pupils_without_place",
]


@pytest.fixture(scope="module")
def county(small_run) -> pd.DataFrame:
    return small_run.county


@pytest.fixture(scope="module")
def panel(small_run) -> pd.DataFrame:
    return small_run.schools


# ---- names and order -------------------------------------------------------------------------


def test_county_columns_are_those_of_the_design_in_order(county):
    assert list(county.columns) == ["replicate", *COUNTY_COLUMNS]
    assert [c for c in COUNTY_COLUMNS if c in DESIGN_COUNTY] == DESIGN_COUNTY
    assert len(set(COUNTY_COLUMNS)) == len(COUNTY_COLUMNS)


def test_school_panel_columns_are_those_of_the_design(panel):
    assert SCHOOL_COLUMNS == DESIGN_SCHOOL
    assert list(panel.columns) == ["replicate", *DESIGN_SCHOOL]


def test_events_columns(small_run):
    assert EVENT_COLUMNS == ["year", "kind", "school_id", "detail"]
    assert list(small_run.events.columns) == ["replicate", *EVENT_COLUMNS]


def test_one_county_row_per_replicate_and_year(county, small_scenario):
    years = list(range(small_scenario.start_year, small_scenario.start_year + small_scenario.years))
    for _, rows in county.groupby("replicate"):
        assert rows["year"].tolist() == years
    assert not county.isna().any().any()


def test_one_panel_row_per_school_and_year(panel):
    counts = panel.groupby(["replicate", "year"]).size()
    assert counts.nunique() == 1
    assert not panel.duplicated(["replicate", "year", "school_id"]).any()
    assert set(panel["level"]) <= {"teaching_point", "primary", "junior", "nine_year"}
    assert set(panel["tier"]) <= {"village", "township", "county_town"}
    assert set(panel["status"]) <= {"planned", "open", "closed"}


# ---- ranges ----------------------------------------------------------------------------------


@pytest.mark.parametrize("column", SHARES)
def test_shares_are_fractions(county, column):
    assert county[column].between(0, 1).all(), county[column].tolist()


@pytest.mark.parametrize("column", COUNTS)
def test_counts_are_non_negative_integers(county, column):
    values = county[column]
    assert (values >= 0).all()
    assert (values == values.round()).all()


def test_times_and_money_are_non_negative(county):
    for column in ["mean_commute_min", "p90_commute_min", "cost_total", "cost_per_pupil"]:
        assert (county[column] >= 0).all(), column
    for column in ["cv_primary", "cv_junior"]:  # missing (NaN) with fewer than two schools
        assert ((county[column] >= 0) | county[column].isna()).all(), column
    assert (county["pupils"] > 0).all() and (county["schools_open"] > 0).all()


# ---- invariants ------------------------------------------------------------------------------


def test_pupils_are_primary_plus_junior(county):
    assert (county["pupils"] == county["pupils_primary"] + county["pupils_junior"]).all()


def test_school_counts_are_consistent(county):
    assert (county["schools_open"] >= county["schools_open_primary"]).all()
    assert (county["schools_open"] >= county["schools_open_junior"]).all()
    # every open school teaches primary or junior grades (nine-year schools count in both)
    assert (
        county["schools_open_primary"] + county["schools_open_junior"] >= county["schools_open"]
    ).all()
    assert (county["teaching_points"] <= county["schools_open_primary"]).all()
    assert (county["hollow_schools"] <= county["schools_open"]).all()
    assert (county["new_hollow_schools"] <= county["hollow_schools"]).all()


def test_hollow_share_is_hollow_schools_over_open_schools(county):
    assert np.allclose(county["hollow_share"], county["hollow_schools"] / county["schools_open"])


def test_superlarge_classes_are_part_of_large_classes(county):
    assert (county["superlarge_class_share"] <= county["large_class_share"]).all()


def test_boarders_and_hard_access_are_bounded_by_pupils(county):
    assert (county["young_boarders"] <= county["boarders"]).all()
    assert (county["boarders"] <= county["pupils"]).all()
    assert (county["bus_riders"] <= county["pupils"]).all()
    assert (county["pupils_hard_access"] <= county["pupils"] + county["dropouts"]).all()
    assert (county["pupils_without_place"] <= county["dropouts"]).all()


def test_no_young_boarders_when_grades_1_to_3_may_not_board(county, small_scenario):
    assert small_scenario.boarding.min_grade == 4 and small_scenario.access.young_grade_max == 3
    assert (county["young_boarders"] == 0).all()


def test_young_boarders_are_counted_when_grade_1_may_board():
    """The metric can see young boarders: let grade 1 board and far-off young pupils do."""
    scenario = sim.load_scenario(
        "small_county", ["years=1", "boarding.min_grade=1", "boarding.threshold_min=10"]
    )
    county = sim.run(scenario, seed=2).county
    assert county["young_boarders"].iloc[0] > 0
    assert county["young_boarders"].iloc[0] <= county["boarders"].iloc[0]


def test_cost_per_pupil_times_pupils_is_the_total_cost(county):
    assert np.allclose(county["cost_per_pupil"] * county["pupils"], county["cost_total"], rtol=1e-9)


def test_teachers_cost_at_least_their_salaries(county, small_scenario):
    salaries = county["teachers"] * small_scenario.costs.teacher_salary_yuan
    assert (county["cost_total"] >= salaries).all()


# ---- county against the school panel ---------------------------------------------------------


def _per_year(panel: pd.DataFrame, column: str, where=None) -> pd.Series:
    rows = panel if where is None else panel[where]
    return rows.groupby(["replicate", "year"], observed=True)[column].sum()


def _county_series(county: pd.DataFrame, column: str) -> pd.Series:
    return county.set_index(["replicate", "year"])[column]


@pytest.mark.parametrize(
    "panel_column, county_column",
    [
        ("pupils", "pupils"),
        ("boarders", "boarders"),
        ("teachers", "teachers"),
        ("hollow", "hollow_schools"),
        ("bus_riders", "bus_riders"),
    ],
)
def test_panel_sums_to_the_county(county, panel, panel_column, county_column):
    summed = _per_year(panel, panel_column).astype(np.int64)
    expected = _county_series(county, county_column).astype(np.int64)
    pd.testing.assert_series_equal(summed, expected, check_names=False, check_index_type=False)


def test_open_schools_in_the_panel_are_the_county_count(county, panel):
    counted = (
        panel.assign(open=panel["status"] == "open").groupby(["replicate", "year"])["open"].sum()
    )
    pd.testing.assert_series_equal(
        counted.astype(np.int64),
        _county_series(county, "schools_open").astype(np.int64),
        check_names=False,
        check_index_type=False,
    )


def test_county_town_pupil_share_from_the_panel(county, panel):
    town = _per_year(panel, "pupils", panel["tier"] == "county_town")
    share = (town / _per_year(panel, "pupils")).reindex(
        _county_series(county, "pupils").index, fill_value=0
    )
    assert np.allclose(share, _county_series(county, "county_town_pupil_share"))


def test_panel_hollow_flag_follows_the_design_definition(panel, small_scenario):
    h = small_scenario.hollow
    minimum = panel["level"].astype(str).map(h.min_pupils.model_dump())
    expected = (panel["status"] == "open") & (
        (panel["utilisation"] < h.max_utilisation) | (panel["pupils"] < minimum)
    )
    assert (panel["hollow"] == expected).all()
    assert panel["hollow"].any() or not expected.any()


def test_panel_rows_are_self_consistent(panel):
    closed = panel["status"] != "open"
    assert (panel.loc[closed, ["pupils", "boarders", "teachers"]] == 0).all().all()
    assert (panel["boarders"] <= panel["pupils"]).all()
    assert (panel["multigrade_classes"] <= panel["classes"]).all()
    with_pupils = panel["pupils"] > 0
    assert (panel.loc[with_pupils & (panel["status"] == "open"), "classes"] > 0).all()
    staffed = panel["teachers"] > 0
    assert np.allclose(
        panel.loc[staffed, "pupil_teacher_ratio"],
        panel.loc[staffed, "pupils"] / panel.loc[staffed, "teachers"],
    )
    assert np.allclose(
        panel["utilisation"] * panel["capacity"], panel["pupils"], rtol=0.02, atol=0.5
    )
    assert panel["quality"].between(0, 1).all()


def test_derived_series_count_rural_schools_and_pupils_from_the_tables(small_model):
    """The calibration's derived series agree with the tables they summarise."""
    from sim.metrics import DERIVED_SERIES, derived_series_row
    from sim.state import CLOSED, COUNTY_TOWN_TIER, ENROLLED, OPEN, PRIMARY, VILLAGE_TIER

    row = derived_series_row(small_model)
    assert list(row) == list(DERIVED_SERIES)
    s, c = small_model.schools, small_model.children
    village_primaries = (s.status == OPEN) & (s.tier == VILLAGE_TIER) & (s.level == PRIMARY)
    assert row["village_primary_schools"] == int(village_primaries.sum())
    assert row["village_primary_schools"] <= row["rural_primary_schools"]
    enrolled = np.flatnonzero(c.status == ENROLLED)
    rural_pupils = int((s.tier[c.school[enrolled]] != COUNTY_TOWN_TIER).sum())
    assert row["rural_pupils_primary"] + row["rural_pupils_junior"] == rural_pupils
    assert 0.0 <= row["urban_town_pupil_share"] <= 1.0
    # Closing every village primary removes them from the count, not from the rural total alone.
    s.status[village_primaries] = CLOSED
    assert derived_series_row(small_model)["village_primary_schools"] == 0


# ---- issue 13: equity (差异系数), class-size bands, enrolment patterns ---------------------------


def test_cv_weights_schools_by_pupils():
    from sim.metrics import stage_cv

    teachers = np.array([5.0, 10.0, 1.0])
    pupils = np.array([100, 100, 1_000])
    mask = np.ones(3, bool)
    ratio = 100 * teachers / pupils
    mean = np.average(ratio, weights=pupils)
    expected = np.sqrt(np.average((ratio - mean) ** 2, weights=pupils)) / mean
    assert stage_cv(teachers, pupils, mask) == pytest.approx(expected)
    # The unweighted CV differs: the big school dominates the weighted one.
    assert abs(expected - ratio.std() / ratio.mean()) > 0.1


def test_cv_is_missing_with_fewer_than_two_eligible_schools():
    from sim.metrics import stage_cv

    assert np.isnan(stage_cv(np.array([5.0, 1.0]), np.array([100, 49]), np.ones(2, bool)))
    assert np.isnan(stage_cv(np.array([5.0]), np.array([100]), np.ones(1, bool)))
    assert not np.isnan(stage_cv(np.array([5.0, 4.0]), np.array([100, 50]), np.ones(2, bool)))


def test_nine_year_schools_are_split_into_primary_and_junior_parts(small_model):
    from sim.behaviour.schools import staffing_need_by_stage, teacher_counts
    from sim.metrics import _stage_parts

    m = small_model
    teachers, _ = teacher_counts(m)
    pupils, part_teachers = _stage_parts(m, m.classes, teachers)
    np.testing.assert_allclose(part_teachers.sum(axis=1), teachers)
    both = (pupils > 0).all(axis=1)
    need = staffing_need_by_stage(m, m.classes)
    assert both.any()
    np.testing.assert_allclose(
        part_teachers[both, 0] * need[both].sum(axis=1), teachers[both] * need[both, 0]
    )


def test_class_size_bands_count_classes_of_each_band():
    from sim.behaviour.schools import ClassStructure
    from sim.metrics import class_size_bands

    one = np.array([1])
    cs = ClassStructure(
        np.zeros((1, 10), int),
        10 * one,
        0 * one,
        10 * one,
        0 * one,
        large_classes=5 * one,
        superlarge_classes=2 * one,
        pupils_over_cap=0 * one,
        big_classes=8 * one,
    )
    assert class_size_bands(cs) == {"classes_46_55": 3, "classes_56_65": 3, "classes_66_plus": 2}


def test_births_are_the_children_born_in_the_year(small_model):
    row = small_model.county_rows[-1]
    assert row["births"] == int((small_model.children.birth_year == small_model.year).sum()) > 0
