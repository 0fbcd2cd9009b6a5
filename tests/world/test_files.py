"""Real counties from CSV: the tiny fixture county loads; each broken folder names its fault."""

from pathlib import Path

import numpy as np
import pytest

from sim.errors import CountyDataError
from sim.scenario.schema import LEVELS, ROAD_CLASSES, SETTLEMENT_KINDS, TIERS, Scenario
from sim.world import build_world, travel_times
from sim.world.files import load_county

DATA = Path(__file__).parents[1] / "data"
TINY = DATA / "tiny_county"


@pytest.fixture(scope="module")
def tiny():
    return load_county(TINY, Scenario())


def test_tiny_county_settlements(tiny):
    assert tiny.n_settlements == 8
    kinds = [SETTLEMENT_KINDS[k] for k in tiny.settlement_kind]
    assert kinds == ["county_town", "town", "town"] + ["village"] * 5
    assert tiny.settlement_name[0] == "Xincheng"
    assert tiny.population.dtype == np.int32 and tiny.population.sum() == 78_200
    # townships by first appearance: Chengguan 0, Shahe 1, Longqu 2
    assert tiny.settlement_township.tolist() == [0, 1, 2, 0, 1, 1, 2, 2]
    assert tiny.x_km.dtype == np.float32


def test_projection_distances_are_sane(tiny):
    # Xincheng (100.45, 38.93) to Longqu (100.62, 38.86): great-circle distance 16.64 km
    d = np.hypot(tiny.x_km[2] - tiny.x_km[0], tiny.y_km[2] - tiny.y_km[0])
    assert d == pytest.approx(16.64, rel=0.01)
    # east is +x, north is +y
    assert tiny.x_km[2] > tiny.x_km[0] and tiny.y_km[2] < tiny.y_km[0]


def test_tiny_county_schools(tiny):
    levels = [LEVELS[v] for v in tiny.school_level]
    assert levels == [
        "primary",
        "junior",
        "primary",
        "junior",
        "nine_year",
        "primary",
        "primary",
        "teaching_point",
    ]
    assert tiny.school_settlement.tolist() == [0, 0, 1, 1, 2, 3, 4, 6]
    assert [TIERS[t] for t in tiny.school_tier[[0, 2, 5]]] == ["county_town", "township", "village"]
    # empty grades take the level's defaults; explicit ones are kept
    assert tiny.school_grade_min.tolist() == [1, 7, 1, 7, 1, 1, 1, 1]
    assert tiny.school_grade_max.tolist() == [6, 9, 6, 9, 9, 6, 6, 2]
    assert tiny.school_beds.tolist() == [100, 600, 40, 150, 200, 0, 0, 0]
    assert tiny.school_classrooms.tolist() == [36, 30, 12, 9, 18, 6, 6, 2]


def test_tiny_county_roads(tiny):
    assert tiny.n_roads == 9
    assert ROAD_CLASSES[tiny.road_class[0]] == "county"
    assert tiny.road_km[1] == pytest.approx(17.5)  # given length
    straight = np.hypot(tiny.x_km[1] - tiny.x_km[0], tiny.y_km[1] - tiny.y_km[0])
    assert tiny.road_km[0] == pytest.approx(straight * 1.4, rel=1e-5)  # hill detour
    assert np.isfinite(travel_times(tiny, Scenario().roads).minutes).all()


def test_without_roads_csv_roads_are_built(tmp_path):
    for name in ("settlements.csv", "schools.csv"):
        (tmp_path / name).write_bytes((TINY / name).read_bytes())
    world = load_county(tmp_path, Scenario())
    assert world.n_roads >= world.n_settlements - 1
    assert np.isfinite(travel_times(world, Scenario().roads).km).all()
    assert (world.road_class == ROAD_CLASSES.index("county")).any()


def test_build_world_resolves_relative_folder():
    scenario = Scenario.model_validate({"county": {"file": "tiny_county"}})
    world = build_world(scenario, np.random.default_rng(0), base_dir=DATA)
    assert world.n_settlements == 8


def test_blank_lines_and_gb18030(tmp_path):
    text = (TINY / "settlements.csv").read_text().replace("Xincheng", "新城")
    lines = text.splitlines()
    lines.insert(3, "")  # a blank line still counts as a line
    lines[6] = lines[6].replace("1100", "many")  # Xiba, now on line 7
    (tmp_path / "settlements.csv").write_bytes("\n".join(lines).encode("gb18030"))
    (tmp_path / "schools.csv").write_bytes((TINY / "schools.csv").read_bytes())
    with pytest.raises(
        CountyDataError, match=r"line 7 .*column 'population': 'many' is not a number"
    ):
        load_county(tmp_path, Scenario())


def test_missing_folder(tmp_path):
    with pytest.raises(CountyDataError, match="county folder not found"):
        load_county(tmp_path / "nowhere", Scenario())


# case folder -> (file, line, column) the message must name; None where there is no line/column
BAD = {
    "missing_settlements_file": ("settlements.csv", None, None),
    "missing_schools_file": ("schools.csv", None, None),
    "missing_population_column": ("settlements.csv", 1, "population"),
    "empty_name": ("settlements.csv", 5, "name"),
    "unknown_settlement_kind": ("settlements.csv", 6, "kind"),
    "not_a_number": ("settlements.csv", 4, "lon"),
    "lat_out_of_range": ("settlements.csv", 7, "lat"),
    "negative_population": ("settlements.csv", 9, "population"),
    "duplicate_settlement_id": ("settlements.csv", 8, "id"),
    "no_county_town": ("settlements.csv", None, "kind"),
    "two_county_towns": ("settlements.csv", 3, "kind"),
    "unknown_school_level": ("schools.csv", 6, "level"),
    "school_unknown_settlement": ("schools.csv", 8, "settlement"),
    "negative_classrooms": ("schools.csv", 4, "classrooms"),
    "duplicate_school_id": ("schools.csv", 5, "id"),
    "grade_range_invalid": ("schools.csv", 9, "grade_min"),
    "grade_level_mismatch": ("schools.csv", 3, "grade_min"),
    "unknown_road_class": ("roads.csv", 4, "road_class"),
    "roads_unknown_settlement": ("roads.csv", 7, "to"),
    "road_to_itself": ("roads.csv", 5, "to"),
    "negative_road_length": ("roads.csv", 3, "length_km"),
    "disconnected_roads": ("roads.csv", None, None),
    # issue 12: integers are range-checked before they are cast; a repeated header is named
    "population_too_large": ("settlements.csv", 6, "population"),
    "beds_too_large": ("schools.csv", 5, "boarding_beds"),
    "duplicate_header": ("schools.csv", 1, "grade_min"),
}


def test_every_bad_folder_has_a_case():
    assert {p.name for p in (DATA / "bad_county").iterdir()} == set(BAD)


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_county(case):
    file, line, column = BAD[case]
    with pytest.raises(CountyDataError) as info:
        load_county(DATA / "bad_county" / case, Scenario())
    message = str(info.value)
    assert file in message
    if line is not None:
        assert f"line {line} " in message
    if column is not None:
        assert f"column '{column}'" in message


def test_bad_values_are_quoted_with_what_is_allowed():
    with pytest.raises(
        CountyDataError, match=r"'middle' is not allowed; use one of teaching_point"
    ):
        load_county(DATA / "bad_county" / "unknown_school_level", Scenario())
    with pytest.raises(CountyDataError, match=r"'138.940' is out of range; expected .* -90 to 90"):
        load_county(DATA / "bad_county" / "lat_out_of_range", Scenario())


def test_disconnected_names_unreachable_settlements():
    with pytest.raises(CountyDataError) as info:
        load_county(DATA / "bad_county" / "disconnected_roads", Scenario())
    message = str(info.value)
    for name in ("Longqu", "Beiyuan", "Hongshui"):
        assert name in message
    assert "Shahe" not in message


def test_population_too_large_names_value_and_range():
    """3e9 residents crashed the cast to int32; now the value and the range are named."""
    with pytest.raises(
        CountyDataError,
        match=r"'3000000000' is out of range; expected residents, "
        r"a whole number from 0 to 10,000,000",
    ):
        load_county(DATA / "bad_county" / "population_too_large", Scenario())


def test_beds_too_large_are_refused_not_wrapped():
    """3e9 beds silently became -2147483648 in the int32 column."""
    with pytest.raises(
        CountyDataError,
        match=r"'3000000000' is out of range; expected a whole "
        r"number of beds from 0 to 20,000",
    ):
        load_county(DATA / "bad_county" / "beds_too_large", Scenario())


def test_duplicate_header_after_case_folding_names_both_spellings():
    with pytest.raises(
        CountyDataError,
        match=r"column 'grade_min': appears twice \(as 'grade_min' "
        r"and 'Grade_Min'\)",
    ):
        load_county(DATA / "bad_county" / "duplicate_header", Scenario())


def test_settlements_adding_up_beyond_a_county_are_refused(tmp_path):
    lines = (TINY / "settlements.csv").read_text().splitlines()
    lines = [lines[0]] + [",".join(row.split(",")[:-1] + ["9000000"]) for row in lines[1:]]
    (tmp_path / "settlements.csv").write_text("\n".join(lines) + "\n")
    (tmp_path / "schools.csv").write_bytes((TINY / "schools.csv").read_bytes())
    with pytest.raises(
        CountyDataError,
        match=r"add up to 72,000,000 residents; a county may have "
        r"at most 10,000,000",
    ):
        load_county(tmp_path, Scenario())


def test_road_length_beyond_float32_is_refused(tmp_path):
    for name in ("settlements.csv", "schools.csv"):
        (tmp_path / name).write_bytes((TINY / name).read_bytes())
    roads = (TINY / "roads.csv").read_text().replace("1,3,county,17.5", "1,3,county,1e39")
    (tmp_path / "roads.csv").write_text(roads)
    with pytest.raises(
        CountyDataError, match=r"line 3 .*column 'length_km': '1e39' is out of range"
    ):
        load_county(tmp_path, Scenario())


def test_empty_header_cells_from_trailing_commas_are_not_duplicates(tmp_path):
    text = (TINY / "settlements.csv").read_text().splitlines()
    (tmp_path / "settlements.csv").write_text("\n".join(row + ",," for row in text) + "\n")
    (tmp_path / "schools.csv").write_bytes((TINY / "schools.csv").read_bytes())
    assert load_county(tmp_path, Scenario()).n_settlements == 8


def test_a_utf8_bom_is_read(tmp_path):
    for name in ("settlements.csv", "schools.csv"):
        (tmp_path / name).write_bytes(b"\xef\xbb\xbf" + (TINY / name).read_bytes())
    assert load_county(tmp_path, Scenario()).n_settlements == 8
