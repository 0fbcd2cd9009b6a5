"""The app's labels: every one in both languages with the same fields; scenario notes."""

from __future__ import annotations

import re

import pytest

import sim
from sim.viz import i18n

DEMO = "hollow_school_demo"


def _fields(text: str) -> set[str]:
    return set(re.findall(r"{(\w+)}", text))


def test_every_label_in_both_languages_with_the_same_fields():
    for key, entry in i18n.LABELS.items():
        assert set(entry) == set(i18n.LANGUAGES), key
        assert entry["zh"] and (entry["en"] or key == "description_in_english"), key
        assert _fields(entry["en"]) == _fields(entry["zh"]) or not entry["en"], key


def test_scenario_notes():
    description = sim.load_scenario(DEMO).description
    assert i18n.scenario_notes(DEMO, description, "en").startswith("Teaching demo")
    assert "空心校" in i18n.scenario_notes(DEMO, description, "zh")
    assert i18n.scenario_notes("other", "Some text.", "zh").endswith("Some text.")
    assert i18n.t("year", "fr") == i18n.t("year", "en")


def test_t_formats_fields_and_refuses_unknown_keys():
    assert i18n.t("scenario", "en", name="x") == "Scenario: x"
    assert i18n.t("scenario", "zh", name="x").endswith("x")
    with pytest.raises(KeyError):
        i18n.t("no_such_label", "en")


def test_notes_without_a_description_say_so():
    assert i18n.scenario_notes("other", "", "en") == i18n.t("no_description", "en")
    assert i18n.scenario_notes("other", "  two\n  lines ", "en") == "two lines"
    in_english = i18n.t("description_in_english", "zh")
    assert i18n.scenario_notes("other", "text", "zh") == in_english + "text"
