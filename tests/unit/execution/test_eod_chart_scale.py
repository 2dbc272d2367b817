"""The drawdown scale fits the data, rungs are drawn only when inside it, and thinning
the snapshots loses no close."""

from datetime import datetime
from decimal import Decimal

import pytest

from execution.eod.chart_axis import TradingAxis
from execution.eod.chart_scale import (
    MIN_DEPTH,
    RungLine,
    fitted_depth,
    next_rung_off_scale,
    rungs_in_range,
)
from execution.eod.nav_chart import thinned
from execution.eod.nav_points import NavPoint
from marketdata.clock import EXCHANGE_TZ

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


def test_thinning_keeps_a_close_that_shares_its_x_with_the_next_open() -> None:
    close = NavPoint(datetime(2026, 11, 20, 15, 0, tzinfo=EXCHANGE_TZ), Decimal(101),
                     Decimal(101), 0.0)
    opens = [NavPoint(datetime(2026, 11, 23, 9, 30, s, tzinfo=EXCHANGE_TZ), Decimal(100 - s),
                      Decimal(101), (1 + s) / 101) for s in range(0, 60, 3)]
    axis = TradingAxis.of([close.at, *(p.at for p in opens)])
    kept = thinned([close, *opens], axis)
    assert kept[0] == close  # not swallowed by Monday's first minute
    assert opens[-1] in kept and len(kept) == 2  # the deepest and the last are one here
