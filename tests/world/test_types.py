"""The World record (sim.world.types): counts, readable frames, tier and grade defaults."""

from __future__ import annotations

import numpy as np
import pytest

from sim.scenario.schema import LEVELS, ROAD_CLASSES, SETTLEMENT_KINDS, TIERS
from sim.world.synthetic import empty_school_columns
from sim.world.types import DEFAULT_GRADES, TIER_OF_KIND, World


def world(schools: bool = True) -> World:
    """A county town, a township seat and a village, two roads and (optionally) two schools."""
    kind = [SETTLEMENT_KINDS.index(k) for k in ("county_town", "town", "village")]
    school_columns = dict(
        school_name=np.array(["Town Primary", "Seat Junior"], dtype=object),
        school_settlement=np.array([0, 1], np.int32),
        school_level=np.array([LEVELS.index("primary"), LEVELS.index("junior")], np.int8),
        school_tier=TIER_OF_KIND[[kind[0], kind[1]]],
        school_grade_min=np.array([1, 7], np.int8),
        school_grade_max=np.array([6, 9], np.int8),
        school_classrooms=np.array([24, 12], np.int16),
        school_beds=np.array([0, 200], np.int32),
    ) if schools else empty_school_columns()
    return World(
        terrain="hill",
        settlement_name=np.array(["Chengguan", "Xiangzhen", "Cun"], dtype=object),
        settlement_kind=np.array(kind, np.int8),
        settlement_township=np.array([0, 1, 1], np.int16),
        x_km=np.array([0.0, 8.0, 9.5], np.float32),
        y_km=np.array([0.0, 1.0, 3.0], np.float32),
        population=np.array([60000, 4000, 700], np.int32),
        road_src=np.array([0, 1], np.int32),
        road_dst=np.array([1, 2], np.int32),
        road_km=np.array([11.3, 3.5], np.float32),
        road_class=np.array([ROAD_CLASSES.index("county"), ROAD_CLASSES.index("village")], np.int8),
        **school_columns,
    )


def test_counts():
    w = world()
    assert (w.n_settlements, w.n_roads, w.n_schools, w.n_townships) == (3, 2, 2, 2)
    assert world(schools=False).n_schools == 0


def test_a_world_with_no_settlements_has_no_townships():
    w = world(schools=False)
    empty = World(**{**w.__dict__, "settlement_name": np.empty(0, dtype=object),
                     "settlement_township": np.empty(0, np.int16)})
    assert empty.n_settlements == 0 and empty.n_townships == 0


def test_the_world_is_frozen():
    with pytest.raises(AttributeError):
        world().terrain = "plain"


def test_frames_spell_out_codes_and_use_row_ids():
    frames = world().to_frames()
    assert set(frames) == {"settlements", "roads", "schools"}
    s, r, sc = frames["settlements"], frames["roads"], frames["schools"]
    assert s["id"].tolist() == [0, 1, 2]
    assert s["kind"].tolist() == ["county_town", "town", "village"]
    assert s["population"].tolist() == [60000, 4000, 700]
    assert r["road_class"].tolist() == ["county", "village"]
    assert r["src_name"].tolist() == ["Chengguan", "Xiangzhen"]
    assert r["dst_name"].tolist() == ["Xiangzhen", "Cun"]
    assert r["km"].tolist() == pytest.approx([11.3, 3.5])
    assert sc["level"].tolist() == ["primary", "junior"]
    assert sc["tier"].tolist() == ["county_town", "township"]
    assert sc["settlement_name"].tolist() == ["Chengguan", "Xiangzhen"]
    assert sc["boarding_beds"].tolist() == [0, 200]
    assert list(sc.columns) == ["id", "name", "settlement", "settlement_name", "level", "tier",
                                "grade_min", "grade_max", "classrooms", "boarding_beds"]


def test_frames_of_a_world_without_schools():
    frames = world(schools=False).to_frames()
    assert frames["schools"].empty and len(frames["settlements"]) == 3


def test_tier_follows_the_settlement_kind():
    tier = {kind: TIERS[TIER_OF_KIND[SETTLEMENT_KINDS.index(kind)]] for kind in SETTLEMENT_KINDS}
    assert tier == {"county_town": "county_town", "town": "township", "village": "village"}


def test_default_grades_per_level():
    assert set(DEFAULT_GRADES) == set(LEVELS)
    assert DEFAULT_GRADES["primary"] == (1, 6) and DEFAULT_GRADES["junior"] == (7, 9)
    assert DEFAULT_GRADES["nine_year"] == (1, 9)
    assert all(1 <= lo <= hi <= 9 for lo, hi in DEFAULT_GRADES.values())
