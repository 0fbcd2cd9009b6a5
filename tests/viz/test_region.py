"""The region figure: the region's line over each county's, one panel per headline metric."""

from __future__ import annotations

import pandas as pd

from sim.viz.region import PANELS, region_figure


def test_each_panel_draws_the_region_over_every_county():
    years = [2024, 2025, 2026]
    county = pd.DataFrame({"point": [0] * 3 + [1] * 3, "year": years * 2,
                           "pupils": [100, 90, 80, 300, 290, 280],
                           "hollow_share": [0.1, 0.2, 0.3, 0.0, 0.1, 0.1],
                           "hard_access_share": [0.02] * 6,
                           "county_town_pupil_share": [0.3, 0.35, 0.4, 0.5, 0.55, 0.6]})
    region = county.groupby("year", as_index=False).mean(numeric_only=True)
    region["pupils"] = county.groupby("year")["pupils"].sum().to_numpy()
    region["counties"] = 2
    fig = region_figure(region, county, "two")
    axes = fig.axes
    assert [ax.get_title() for ax in axes][0].startswith("Pupils")
    assert len(axes) == len(PANELS)
    assert len(axes[0].lines) == 1  # pupils: the region's sum only (counties are smaller)
    assert all(len(ax.lines) == 3 for ax in axes[1:])  # two counties and the region
    assert list(axes[0].lines[0].get_ydata()) == [400, 380, 360]
    assert "2 counties" in fig.texts[0].get_text()
