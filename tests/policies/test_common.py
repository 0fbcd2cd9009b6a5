"""Helpers several policies share: names, codes, school selectors, the cost breakdown."""

from __future__ import annotations

import numpy as np
import pytest

import sim
from sim.behaviour.schools import class_structure, pupils_by_grade
from sim.errors import ScenarioError
from sim.policies.common import (
    check_name,
    level_codes,
    log_cost_breakdown,
    select_schools,
    tier_codes,
)
from sim.scenario.policies import SchoolSelector
from sim.state import (
    COUNTY_TOWN_TIER,
    JUNIOR,
    NINE_YEAR,
    OPEN,
    PRIMARY,
    TEACHING_POINT,
    TOWNSHIP_TIER,
    VILLAGE_TIER,
)

NAMES = ["A", "B", "C", "D", "E", "F"]


def test_a_known_name_or_one_a_plan_builds_passes():
    check_name("C", NAMES, "policies.x.school")
    check_name("New", NAMES, "policies.x.school", also=("New",))


def test_an_unknown_name_names_the_key_and_quotes_a_few_valid_names():
    with pytest.raises(ScenarioError) as err:
        check_name("Z", NAMES, "policies.x.plan[3].school")
    assert str(err.value) == ("policies.x.plan[3].school = 'Z': no school of that name in this "
                              "county; valid names include 'A', 'B', 'C', 'D', 'E', ... "
                              "(6 schools)")
    with pytest.raises(ScenarioError, match=r"no settlement .* include 'A', 'B' \(2 settlements\)"):
        check_name("Z", ["A", "B"], "k", "settlement")


def test_level_and_tier_names_map_to_the_state_codes():
    assert level_codes(["teaching_point", "primary", "junior", "nine_year"]) == [
        TEACHING_POINT, PRIMARY, JUNIOR, NINE_YEAR]
    assert tier_codes(["county_town", "village", "township"]) == [
        COUNTY_TOWN_TIER, VILLAGE_TIER, TOWNSHIP_TIER]
    with pytest.raises(ValueError):
        tier_codes(["city"])


@pytest.fixture(scope="module")
def model():
    m = sim.EducationModel(sim.load_scenario("small_county", ["years=1"]), seed=0)
    m.step()
    return m


def test_a_selector_picks_open_schools_of_its_levels_and_tiers_by_size(model):
    m = model
    s, pupils = m.schools, pupils_by_grade(model).sum(axis=1)
    smallest = select_schools(m, SchoolSelector(levels=["primary"], tiers=["village"]))
    assert smallest and all(s.level[i] == PRIMARY and s.tier[i] == VILLAGE_TIER
                            and s.status[i] == OPEN for i in smallest)
    assert [pupils[i] for i in smallest] == sorted(pupils[i] for i in smallest)
    largest = select_schools(m, SchoolSelector(levels=["primary"], tiers=["village"],
                                               order="largest", count=2))
    assert [pupils[i] for i in largest] == sorted((pupils[i] for i in smallest), reverse=True)[:2]
    assert smallest[0] not in select_schools(
        m, SchoolSelector(levels=["primary"], tiers=["village"]), exclude={smallest[0]})


def test_the_cost_breakdown_is_logged_once_a_year(model):
    m = model
    classes = class_structure(m)
    m.counts.cost_breakdown_logged = False
    before = len(m.events)
    log_cost_breakdown(m, classes)
    log_cost_breakdown(m, classes)
    logged = [e for e in m.events[before:] if e[1] == "cost_breakdown"]
    assert len(logged) == 1
    items = dict(part.rsplit(" ", 1) for part in logged[0][3].removesuffix(" yuan").split("; "))
    total = float(items.pop("total").replace(",", ""))
    assert total == pytest.approx(sum(float(v.replace(",", "")) for v in items.values()), abs=8)
    assert set(items) == {"salaries", "per_pupil", "per_school", "per_class", "boarders",
                          "construction", "buses", "boarding_extra"}
    assert np.isfinite(total) and total > 0
