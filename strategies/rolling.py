"""Trailing-window statistics over wide (days x stocks) arrays.

Why not `pandas.rolling`: its running sums carry floating-point state from the first
row, so the value on a day depends on where the panel starts. The nightly run sees
250 days, the backtest several years; both must produce *identical* factor values
(the parity test compares them bit for bit). Here every window sum is the difference
of two integer prefix sums over fixed-point values (strategies.exact), which is
exact, so a day's value depends only on the days inside its window.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strategies.exact import SCALE, FloatArray, to_fixed


def _trailing_diff(prefix: np.ndarray, window: int) -> np.ndarray:
    """prefix[t] - prefix[t - window] (prefix before row 0 is zero)."""
    out = prefix.copy()
    out[window:] -= prefix[:-window]
    return out


def trailing_sum_count(values: FloatArray, window: int,
                       what: str = "values") -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Sum of the finite values in each trailing window, and how many there were.

    Rows before the first full window are summed over what exists; callers decide
    with the count whether a value is usable.
    """
    if window < 1:
        raise ValueError(f"{what}: window must be >= 1, got {window}")
    fixed, valid = to_fixed(values, values.shape[0], what)
    sums = _trailing_diff(np.cumsum(fixed, axis=0), window)
    counts = _trailing_diff(np.cumsum(valid, axis=0, dtype=np.int64), window)
    return sums.astype(np.float64) / SCALE, counts


def _required(window: int, min_coverage: float, at_least: int = 2) -> int:
    return max(at_least, int(np.ceil(window * min_coverage)))


def trailing_mean(values: FloatArray, window: int, min_coverage: float,
                  what: str = "values") -> FloatArray:
    """Mean of each trailing window; NaN where fewer than the required days carry data."""
    sums, counts = trailing_sum_count(values, window, what)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / counts
    mean[counts < _required(window, min_coverage, at_least=1)] = np.nan
    return mean


def trailing_std(values: FloatArray, window: int, min_coverage: float,
                 what: str = "values") -> FloatArray:
    """Sample standard deviation of each trailing window (NaN when too few days)."""
    sums, counts = trailing_sum_count(values, window, what)
    squares, _ = trailing_sum_count(values * values, window, what)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (squares - sums * sums / counts) / (counts - 1)
    var[counts < _required(window, min_coverage)] = np.nan
    return np.sqrt(np.clip(var, 0.0, None))


def trailing_corr(x: FloatArray, y: FloatArray, window: int, min_coverage: float,
                  what: str = "values") -> FloatArray:
    """Pearson correlation of x and y over each trailing window, on days both exist."""
    both = np.isfinite(x) & np.isfinite(y)
    xs = np.where(both, x, np.nan)
    ys = np.where(both, y, np.nan)
    sx, n = trailing_sum_count(xs, window, what)
    sy, _ = trailing_sum_count(ys, window, what)
    sxx, _ = trailing_sum_count(xs * xs, window, what)
    syy, _ = trailing_sum_count(ys * ys, window, what)
    sxy, _ = trailing_sum_count(xs * ys, window, what)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = n * sxy - sx * sy
        var_x = n * sxx - sx * sx
        var_y = n * syy - sy * sy
        corr = cov / np.sqrt(var_x * var_y)
    # A flat series has no defined correlation.
    corr[(n < _required(window, min_coverage)) | (var_x <= 0) | (var_y <= 0)] = np.nan
    return np.clip(corr, -1.0, 1.0)
