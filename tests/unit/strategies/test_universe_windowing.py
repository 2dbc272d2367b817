"""The universe from a first row is the full panel's rows from there, bit for bit, and
its rules read a field stored as bool, int8 or float alike."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from strategies.config import UniverseConfig
from strategies.rolling import trailing_sum_count, trailing_true_count
from strategies.universe import Exclusion, compute_universe, size_cutoff
from tests.unit.strategies.panel_kit import make_panel, with_instrument, with_values


@pytest.fixture(scope="module")
def panel():
    base = make_panel(n_stocks=16, n_days=90, seed=5)
    for j, start in enumerate((2, 10, 30, 44, 60, 85)):  # runs below 1 CNY of several lengths
        base = with_values(base, "close", base.symbols[j], slice(start, start + 2 + 3 * j), 0.8)
    base = with_values(base, "risk_flag", base.symbols[7], slice(40, 70), 1)
    base = with_values(base, "suspended", base.symbols[8], slice(50, 55), True)
    return with_instrument(base, base.symbols[9], "list_date", date(2023, 2, 1))


@pytest.mark.parametrize("days", [1, 3, 10])
@pytest.mark.parametrize("first_row", [0, 1, 9, 10, 45, 89])
def test_rows_from_first_are_the_full_ones(panel, days: int, first_row: int) -> None:
    config = UniverseConfig(min_price_days=days, min_listing_days=15, smallest_share=0.8)
    full = compute_universe(panel, config)
    part = compute_universe(panel, config, first_row)
    assert part.exclusion.tobytes() == full.exclusion[first_row:].tobytes()
    assert part.mcap_cutoff.tobytes() == full.mcap_cutoff[first_row:].tobytes()


@pytest.mark.parametrize("days", [1, 3, 10])
def test_low_price_needs_the_whole_run_below(panel, days: int) -> None:
    config = UniverseConfig(min_price_days=days, min_listing_days=0, smallest_share=1.0,
                            max_mcap_cny=None)
    close = panel["close"].to_numpy()
    runs = pd.DataFrame(close < 1.0).rolling(days, min_periods=1).sum().to_numpy()
    expected = runs >= days
    low = compute_universe(panel, config).exclusion == Exclusion.LOW_PRICE
    assert expected.any()
    assert np.array_equal(low, expected)


def test_float_fields_with_gaps_give_the_same_universe(panel) -> None:
    # A panel built elsewhere may hold its flags as float (NaN where unknown).
    fields = dict(panel.fields)
    for name in ("risk_flag", "suspended", "listed"):
        fields[name] = panel[name].astype(np.float64)
    risk = fields["risk_flag"].copy()
    risk.iloc[:5, 0] = np.nan  # unknown flag: no risk code
    fields["risk_flag"] = risk
    floats = type(panel)(panel.dates, panel.symbols, fields, panel.instruments)
    config = UniverseConfig(min_listing_days=15)
    assert compute_universe(floats, config).exclusion.tobytes() == \
        compute_universe(panel, config).exclusion.tobytes()


def test_true_counts_are_the_exact_window_sums() -> None:
    flags = np.random.default_rng(1).random((40, 70)) < 0.3
    for window, first in ((1, 0), (4, 0), (4, 7), (40, 39), (50, 3)):
        sums, _ = trailing_sum_count(flags.astype(np.float64), window)
        assert np.array_equal(trailing_true_count(flags, window, first), sums[first:])


def test_size_cutoff_is_the_keep_th_smallest() -> None:
    mcap = np.array([[5.0, np.nan, 1.0, 3.0, 2.0], [np.nan] * 5, [4.0, 1.0, np.nan, 2.0, 8.0]])
    cutoff = size_cutoff(mcap, 0.5, None)
    assert cutoff[0] == 2.0 and np.isnan(cutoff[1]) and cutoff[2] == 2.0
    assert size_cutoff(mcap, 1.0, 4.5).tolist()[::2] == [4.5, 4.5]
