"""The wide-array paths of strategies.rolling give the integers and bits of the plain ones."""

from __future__ import annotations

import numpy as np
import pytest

from strategies.rolling import PrefixSums, running_total, trailing_corr, trailing_std


@pytest.mark.parametrize("width", [1, 7, 63, 64, 65, 300])
def test_running_total_is_cumsum(width: int) -> None:
    rng = np.random.default_rng(width)
    values = rng.integers(-2**40, 2**40, size=(50, width))
    assert np.array_equal(running_total(values.copy()), np.cumsum(values, axis=0))
    counts = rng.random((50, width)) < 0.7
    assert np.array_equal(running_total(counts.astype(np.int32)),
                          np.cumsum(counts, axis=0, dtype=np.int64))


def test_running_total_of_one_row_or_a_vector() -> None:
    assert running_total(np.array([[3, -1, 4]])).tolist() == [[3, -1, 4]]
    assert running_total(np.array([1, 2, 3])).tolist() == [1, 3, 6]


def test_wide_window_statistics_are_the_column_by_column_ones() -> None:
    # A column's values do not depend on its neighbours, whichever path sums them.
    rng = np.random.default_rng(3)
    x = rng.normal(0.0, 0.03, (90, 200))
    y = rng.normal(0.0, 0.03, (90, 200))
    x[rng.random(x.shape) < 0.1] = np.nan
    wide_std = trailing_std(x, 20, 0.6)
    wide_corr = trailing_corr(x, y, 20, 0.6)
    wide_counts = PrefixSums(x, "x").window_count(20)
    for j in (0, 63, 64, 199):
        column = slice(j, j + 1)
        assert wide_std[:, column].tobytes() == trailing_std(x[:, column], 20, 0.6).tobytes()
        assert wide_corr[:, column].tobytes() == \
            trailing_corr(x[:, column], y[:, column], 20, 0.6).tobytes()
        assert np.array_equal(wide_counts[:, column],
                              PrefixSums(x[:, column], "x").window_count(20))
