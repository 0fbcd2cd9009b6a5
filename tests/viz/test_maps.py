"""County map: a real PNG whose pixels follow the data (pupils, hollow flags, closures, buses)."""

from __future__ import annotations

import copy
import io

import numpy as np
import pandas as pd
import pytest
from matplotlib.image import imread

from sim.viz.maps import MAP_MARGIN, map_extent, plot_county_map, school_positions
from sim.viz.style import png_bytes


def pixels(png: bytes) -> np.ndarray:
    return imread(io.BytesIO(png), format="png")


def assert_real_png(png: bytes) -> np.ndarray:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    img = pixels(png)
    assert img.shape[0] > 200 and img.shape[1] > 200
    assert img[..., :3].std() > 0.05, "the figure is (nearly) one colour"
    return img


def with_schools(result, schools: pd.DataFrame):
    other = copy.copy(result)
    other.schools = schools
    return other


def last_year_rows(schools: pd.DataFrame, school_id: int) -> pd.Series:
    last = schools["year"].max()
    return (
        (schools["year"] == last)
        & (schools["school_id"] == school_id)
        & (schools["replicate"] == schools["replicate"].min())
    )


def test_map_is_a_real_picture_and_deterministic(small_run):
    first = png_bytes(plot_county_map(small_run))
    assert_real_png(first)
    assert png_bytes(plot_county_map(small_run)) == first


def test_map_changes_when_a_school_empties(small_run):
    base = pixels(png_bytes(plot_county_map(small_run)))
    schools = small_run.schools.copy()
    big = int(
        schools.loc[schools["year"] == schools["year"].max()]
        .sort_values("pupils")["school_id"]
        .iloc[-1]
    )
    schools.loc[last_year_rows(schools, big), "pupils"] = 0
    changed = pixels(png_bytes(plot_county_map(with_schools(small_run, schools))))
    assert base.shape == changed.shape
    assert np.abs(base - changed).sum() > 0


def test_map_changes_when_hollow_flag_flips(small_run):
    base = pixels(png_bytes(plot_county_map(small_run)))
    schools = small_run.schools.copy()
    sid = int(schools["school_id"].iloc[0])
    rows = last_year_rows(schools, sid)
    schools.loc[rows, "hollow"] = ~schools.loc[rows, "hollow"]
    changed = pixels(png_bytes(plot_county_map(with_schools(small_run, schools))))
    diff = np.abs(base - changed).sum(axis=-1) > 0
    # only the right-hand (last-year) panel changes
    assert diff.any()
    assert not diff[:, : diff.shape[1] // 3].any()


def test_map_draws_closed_schools_and_bus_routes(small_run):
    schools = small_run.schools.copy()
    schools["status"] = schools["status"].astype(str)
    rows = last_year_rows(schools, 3)
    schools.loc[rows, ["status", "pupils", "hollow"]] = ["closed", 0, False]
    closed = with_schools(small_run, schools)
    a = png_bytes(plot_county_map(closed))
    assert a != png_bytes(plot_county_map(small_run))
    world = dict(small_run.world)
    villages = world["settlements"].sort_values("id")["id"].to_numpy()[:4]
    world["bus_routes"] = pd.DataFrame(
        {"route": [0, 0, 0, 0], "order": [0, 1, 2, 3], "settlement": villages}
    )
    bus = copy.copy(closed)
    bus.world = world
    assert png_bytes(plot_county_map(bus)) != a


def test_map_years_choose_the_panels(small_run):
    years = sorted(small_run.schools["year"].unique())
    one = plot_county_map(small_run, years=[years[0]])
    two = plot_county_map(small_run)
    assert len(one.axes) == 1 and len(two.axes) == 2
    assert one.get_size_inches()[0] < two.get_size_inches()[0]


def test_schools_of_one_settlement_do_not_overlap(small_run):
    pos = school_positions(small_run.world)
    schools = small_run.world["schools"].set_index("id")
    shared = schools.groupby("settlement").filter(lambda g: len(g) > 1)
    assert len(shared), "small_county has a settlement with several schools"
    xy = pos.loc[shared.index]
    assert not xy.duplicated().any()
    assert len(pos) == len(schools)


def test_map_extent_holds_every_settlement_and_school_with_the_margin():
    world = {
        "settlements": pd.DataFrame(
            {"id": [0, 1], "x_km": [0.0, 40.0], "y_km": [0.0, 10.0], "population": [100, 100]}
        ),
        "schools": pd.DataFrame({"id": [0, 1, 2], "settlement": [0, 0, 1]}),
    }
    pos = school_positions(world)
    (x0, x1), (y0, y1) = map_extent(world)
    xs = np.concatenate([[0.0, 40.0], pos["x_km"]])
    ys = np.concatenate([[0.0, 10.0], pos["y_km"]])
    pad = MAP_MARGIN * max(np.ptp(xs), np.ptp(ys))  # the larger extent (x) sets the margin
    assert (x0, x1) == pytest.approx((xs.min() - pad, xs.max() + pad))
    assert (y0, y1) == pytest.approx((ys.min() - pad, ys.max() + pad))
    (wx0, wx1), _ = map_extent(world, margin=2 * MAP_MARGIN)
    assert wx0 == pytest.approx(x0 - pad) and wx1 == pytest.approx(x1 + pad)


def test_map_extent_of_a_single_point_is_at_least_the_margin_of_a_kilometre():
    world = {
        "settlements": pd.DataFrame({"id": [0], "x_km": [5.0], "y_km": [5.0], "population": [1]}),
        "schools": pd.DataFrame({"id": [0], "settlement": [0]}),
    }
    (x0, x1), (y0, y1) = map_extent(world, margin=0.5)
    assert (x0, x1, y0, y1) == pytest.approx((4.5, 5.5, 4.5, 5.5))
