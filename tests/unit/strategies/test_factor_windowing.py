"""Raw factors computed from `history_rows` before the first needed row are bit for bit
the ones computed from the panel's first row (the backtest and the nightly run skip
the rows before that), however the history has gaps."""

from __future__ import annotations

import numpy as np
import pytest

from strategies.config import FactorConfig
from strategies.factors import FACTORS, history_rows, raw_factors
from tests.unit.strategies.panel_kit import make_panel, with_values

CFG = FactorConfig.model_validate({"weights": {name: 1.0 for name in FACTORS}})


@pytest.fixture(scope="module")
def panel():
    base = make_panel(n_stocks=12, n_days=320, seed=8)
    for j, start in enumerate((95, 130, 180, 200, 229, 240)):  # gaps at the window edges
        symbol = base.symbols[j]
        length = 3 + 4 * j
        base = with_values(base, "suspended", symbol, slice(start, start + length), True)
        base = with_values(base, "close", symbol, slice(start, start + length), np.nan)
    return base


@pytest.mark.parametrize("first_row", [0, 1, 69, 70, 71, 150, 250, 319])
def test_windowed_factors_are_the_full_ones(panel, first_row: int) -> None:
    full = raw_factors(panel, CFG)
    windowed = raw_factors(panel, CFG, first_row)
    assert set(windowed) == set(FACTORS)
    for name, values in windowed.items():
        expected = full[name][first_row:]
        assert values.shape == expected.shape
        # Same bits, NaN where NaN: equality of the raw bytes.
        assert values.tobytes() == expected.tobytes(), name


def test_history_covers_the_longest_reach() -> None:
    assert history_rows(CFG) == 119  # the long turnover window
    short = FactorConfig.model_validate({"turnover_long_days": 60})
    assert history_rows(short) == 70  # the 60-day reversal and its 10-day carry-forward
