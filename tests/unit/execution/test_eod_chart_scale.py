"""The drawdown scale fits the data, and rungs are drawn only when inside it."""

import pytest

from execution.eod.chart_scale import (
    MIN_DEPTH,
    RungLine,
    fitted_depth,
    next_rung_off_scale,
    rungs_in_range,
)

LADDER = [RungLine(0.20, 0.30), RungLine(0.25, 0.60), RungLine(0.30, 1.00)]


def test_a_small_drawdown_fills_the_axis() -> None:
    depth = fitted_depth([0.0, 0.0004, 0.0013, 0.0009])
    assert depth == pytest.approx(0.0013 * 1.25)
    assert rungs_in_range(LADDER, depth) == []
    assert next_rung_off_scale(LADDER, depth) == LADDER[0]


def test_no_drawdown_still_gives_an_axis() -> None:
    assert fitted_depth([0.0, 0.0]) == MIN_DEPTH
    assert fitted_depth([]) == MIN_DEPTH


def test_rungs_inside_the_range_are_drawn() -> None:
    depth = fitted_depth([0.05, 0.21])
    assert [r.drawdown for r in rungs_in_range(LADDER, depth)] == [0.20, 0.25]
    assert next_rung_off_scale(LADDER, depth) == LADDER[2]
    assert next_rung_off_scale(LADDER, fitted_depth([0.31])) is None


def test_rung_labels_are_percentages() -> None:
    assert LADDER[0].label == "-20.00% → hedge 30.00%"
