"""Capacity policy: seats to the norms, new schools, the investment screen."""

from __future__ import annotations

import numpy as np

from policies.town import OVERFLOWING_TOWN, late_mean, runs


def test_town_expansion_lowers_large_classes_and_raises_the_town_share():
    plain = runs(OVERFLOWING_TOWN)
    expanded = runs({**OVERFLOWING_TOWN, "policies.capacity": {},
                     "policies.admission": {"hukou_barrier": 0.0}})
    assert late_mean(plain, "large_class_share") > 0.01
    assert late_mean(expanded, "large_class_share") < late_mean(plain, "large_class_share")
    assert (late_mean(expanded, "county_town_pupil_share")
            > late_mean(plain, "county_town_pupil_share"))
    opened = sum((r.events["kind"] == "school_opened").sum()
                 + (r.events["kind"] == "school_expanded").sum() for r in expanded)
    assert opened > 0


def test_investment_screen_lowers_new_hollow_schools():
    # Norms on registered residents everywhere: without the screen the county builds where
    # pupils left.
    provoke = {"where": "everywhere", "residents": "registered"}
    unscreened = runs({"policies.capacity": {**provoke, "investment_screen": False}}, years=6)
    screened = runs({"policies.capacity": {**provoke, "investment_screen": True}}, years=6)

    def total(results):
        return float(np.mean([r.county["new_hollow_schools"].sum() for r in results]))

    assert total(unscreened) > 0
    assert total(screened) < total(unscreened)
    assert any((r.events["kind"] == "investment_screened").any() for r in screened)
