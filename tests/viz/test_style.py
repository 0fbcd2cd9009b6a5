"""The house style: metric labels and units, value formats, deterministic PNGs."""

from __future__ import annotations

import math

import pytest

from sim.viz import style


def test_metric_labels_carry_their_units():
    assert style.metric_label("mean_commute_min").endswith("(min)")
    assert "(" not in style.metric_label("mean_commute_min", with_unit=False)
    # an unknown metric still gets a readable label
    assert style.metric_label("some_new_metric") == "Some new metric"


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("hollow_share", 0.54, "54%"),
        ("hollow_share", 0.054, "5.4%"),
        ("mean_commute_min", 18.84, "18.8 min"),
        ("cost_per_pupil", 7693.2, "7,693 yuan"),
        ("pupils", 19576.0, "19,576"),
        ("pupils", 15.1, "15.1"),
        ("hollow_share", math.nan, "n/a"),
    ],
)
def test_values_are_formatted_for_reading(name, value, text):
    assert style.format_value(name, value) == text


def test_png_bytes_are_deterministic_and_carry_no_date():
    def draw():
        fig = style.new_figure(3, 2)
        fig.add_subplot().plot([0, 1, 2], [1, 0, 1], color=style.BLUE)
        return style.png_bytes(fig)

    first = draw()
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    assert first == draw()
    assert b"Software" not in first


def test_save_png_writes_atomically(tmp_path):
    fig = style.new_figure(2, 2)
    path = style.save_png(fig, tmp_path / "sub" / "f.png")
    assert path.read_bytes() == style.png_bytes(fig)
    assert [p.name for p in path.parent.iterdir()] == ["f.png"]
