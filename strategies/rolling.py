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

from strategies.exact import SCALE, FloatArray, IntArray, to_fixed


def _trailing_diff(prefix: IntArray, window: int) -> IntArray:
    """prefix[t] - prefix[t - window] (prefix before row 0 is zero)."""
    out = prefix.copy()
    out[window:] -= prefix[:-window]
    return out


class PrefixSums:
    """Exact running sums of one array, from which any trailing window is a difference."""

    def __init__(self, values: FloatArray, what: str) -> None:
        fixed, valid = to_fixed(values, values.shape[0], what)
        self.what = what
        self.sums = np.cumsum(fixed, axis=0, out=fixed)
        self._valid = valid
        self._counts: IntArray | None = None

    def window_sum(self, window: int) -> FloatArray:
        """Sum of the finite values in each trailing window (partial at the top)."""
        if window < 1:
            raise ValueError(f"{self.what}: window must be >= 1, got {window}")
        # The integer difference written straight into the float result (one pass, no
        # integer temporary): the same exact difference, converted once.
        sums = np.empty(self.sums.shape, dtype=np.float64)
        sums[:window] = self.sums[:window]
        np.subtract(self.sums[window:], self.sums[:-window], out=sums[window:],
                    dtype=np.int64, casting="unsafe")
        sums /= SCALE
        return sums

    def window_count(self, window: int) -> IntArray:
        """How many finite values each trailing window holds."""
        if self._counts is None:  # only some callers need counts: build on demand
            self._counts = np.cumsum(self._valid, axis=0, dtype=np.int64)
        return _trailing_diff(self._counts, window)


def trailing_sum_count(values: FloatArray, window: int,
                       what: str = "values") -> tuple[FloatArray, IntArray]:
    """Sum of the finite values in each trailing window, and how many there were."""
    prefix = PrefixSums(values, what)
    return prefix.window_sum(window), prefix.window_count(window)


def required_count(window: int, min_coverage: float, at_least: int = 2) -> int:
    return max(at_least, int(np.ceil(window * min_coverage)))


def trailing_mean(values: FloatArray | PrefixSums, window: int, min_coverage: float,
                  what: str = "values") -> FloatArray:
    """Mean of each trailing window; NaN where fewer than the required days carry data."""
    prefix = values if isinstance(values, PrefixSums) else PrefixSums(values, what)
    counts = prefix.window_count(window)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = prefix.window_sum(window) / counts
    mean[counts < required_count(window, min_coverage, at_least=1)] = np.nan
    return mean


def trailing_std(values: FloatArray, window: int, min_coverage: float,
                 what: str = "values") -> FloatArray:
    """Sample standard deviation of each trailing window (NaN when too few days)."""
    plain = PrefixSums(values, what)
    sums, counts = plain.window_sum(window), plain.window_count(window)
    squares = PrefixSums(values * values, what).window_sum(window)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (squares - sums * sums / counts) / (counts - 1)
    var[counts < required_count(window, min_coverage)] = np.nan
    return np.sqrt(np.clip(var, 0.0, None))


def trailing_corr(x: FloatArray, y: FloatArray, window: int, min_coverage: float,
                  what: str = "values") -> FloatArray:
    """Pearson correlation of x and y over each trailing window, on days both exist."""
    both = np.isfinite(x) & np.isfinite(y)
    xs = np.where(both, x, np.nan)
    ys = np.where(both, y, np.nan)
    x_prefix = PrefixSums(xs, what)
    n = x_prefix.window_count(window)
    sx = x_prefix.window_sum(window)
    sy = PrefixSums(ys, what).window_sum(window)
    sxx = PrefixSums(xs * xs, what).window_sum(window)
    syy = PrefixSums(ys * ys, what).window_sum(window)
    sxy = PrefixSums(xs * ys, what).window_sum(window)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = n * sxy - sx * sy
        var_x = n * sxx - sx * sx
        var_y = n * syy - sy * sy
        corr = cov / np.sqrt(var_x * var_y)
    # A flat series has no defined correlation.
    corr[(n < required_count(window, min_coverage)) | (var_x <= 0) | (var_y <= 0)] = np.nan
    return np.clip(corr, -1.0, 1.0)
