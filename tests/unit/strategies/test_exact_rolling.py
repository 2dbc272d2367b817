"""Window statistics against pandas, and the exactness the parity check relies on."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strategies.cross_section import row_quantiles, standardise, winsorise
from strategies.exact import row_sums
from strategies.rolling import trailing_corr, trailing_mean, trailing_std


def _data(seed=0, days=80, stocks=7):
    rng = np.random.default_rng(seed)
    values = rng.normal(0.01, 0.03, (days, stocks))
    values[rng.random(values.shape) < 0.1] = np.nan
    return values


def test_trailing_mean_and_std_match_pandas():
    values = _data()
    frame = pd.DataFrame(values)
    expected_mean = frame.rolling(20, min_periods=12).mean().to_numpy()
    expected_std = frame.rolling(20, min_periods=12).std().to_numpy()
    np.testing.assert_allclose(trailing_mean(values, 20, 0.6), expected_mean, atol=1e-9)
    np.testing.assert_allclose(trailing_std(values, 20, 0.6), expected_std, atol=1e-8)


def test_trailing_corr_matches_pandas_on_pairwise_complete_days():
    x, y = _data(1), _data(2)
    expected = pd.DataFrame(x).rolling(20, min_periods=12).corr(pd.DataFrame(y)).to_numpy()
    got = trailing_corr(x, y, 20, 0.6)
    finite = np.isfinite(expected)
    np.testing.assert_allclose(got[finite], expected[finite], atol=1e-6)


def test_too_few_days_give_nan():
    values = np.full((10, 1), np.nan)
    values[-3:, 0] = [1.0, 2.0, 3.0]
    assert np.isnan(trailing_mean(values, 10, 0.5)[-1, 0])
    assert trailing_mean(values, 10, 0.3)[-1, 0] == pytest.approx(2.0)


def test_a_days_value_does_not_depend_on_where_the_panel_starts():
    values = _data(3, days=300)
    full = trailing_std(values, 20, 0.6)
    tail = trailing_std(values[-250:], 20, 0.6)
    assert np.array_equal(full[-1], tail[-1], equal_nan=True)  # bit for bit
    x, y = _data(4, days=300), _data(5, days=300)
    assert np.array_equal(trailing_corr(x, y, 20, 0.6)[-1], trailing_corr(x[-250:], y[-250:],
                          20, 0.6)[-1], equal_nan=True)


@pytest.mark.parametrize("window", [1, 5, 20, 79, 80, 120])
@pytest.mark.parametrize("first", [0, 1, 19, 20, 21, 79])
def test_rows_from_first_are_the_full_results_rows(window: int, first: int) -> None:
    # The rows before `first` are history only: the result from there is the full one's.
    x, y = _data(6), _data(7)
    cases = [(trailing_mean(x, window, 0.6, first=first), trailing_mean(x, window, 0.6)),
             (trailing_std(x, window, 0.6, first=first), trailing_std(x, window, 0.6))]
    if window >= 3:
        cases.append((trailing_corr(x, y, window, 0.6, first=first),
                      trailing_corr(x, y, window, 0.6)))
    for part, full in cases:
        assert part.shape == full[first:].shape
        assert part.tobytes() == full[first:].tobytes()


@settings(max_examples=50, deadline=None)
@given(st.lists(st.floats(-50, 50, allow_nan=False), min_size=2, max_size=60),
       st.randoms(use_true_random=False))
def test_row_sums_ignore_order_and_empty_columns(values, rnd):
    row = np.array([values])
    shuffled = list(values) + [float("nan")] * rnd.randint(0, 5)
    rnd.shuffle(shuffled)
    assert row_sums(row)[0][0, 0] == row_sums(np.array([shuffled]))[0][0, 0]
    assert row_sums(row)[0][0, 0] == pytest.approx(sum(values), abs=1e-6)


def test_standardise_gives_mean_zero_std_one_and_keeps_order():
    row = np.array([[3.0, 1.0, np.nan, 2.0, 10.0]])
    z = standardise(row)[0]
    finite = z[np.isfinite(z)]
    assert finite.mean() == pytest.approx(0.0, abs=1e-9)
    assert finite.std(ddof=1) == pytest.approx(1.0)
    assert np.isnan(z[2])
    assert list(np.argsort(finite)) == [1, 2, 0, 3]


def test_winsorise_clips_to_member_quantiles_and_drops_non_members():
    row = np.array([[float(v) for v in range(101)]])
    members = np.ones_like(row, dtype=bool)
    members[0, 50] = False
    clipped = winsorise(row, members, 0.05)[0]
    low, high = row_quantiles(np.where(members, row, np.nan), (0.05, 0.95))
    assert np.isnan(clipped[50])
    assert clipped[0] == pytest.approx(low[0]) and clipped[100] == pytest.approx(high[0])
    assert clipped[30] == 30.0
    # 100 members 0..100 without 50: the 5% quantile interpolates at position 4.95.
    assert low[0] == pytest.approx(4.95)
