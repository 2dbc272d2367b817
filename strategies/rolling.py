"""Trailing-window statistics over wide (days x stocks) arrays.

Why not `pandas.rolling`: its running sums carry floating-point state from the first
row, so the value on a day depends on where the panel starts. The nightly run sees
250 days, the backtest several years; both must produce *identical* factor values
(the parity test compares them bit for bit). Here every window sum is the difference
of two integer prefix sums over fixed-point values (strategies.exact), which is
exact, so a day's value depends only on the days inside its window.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from strategies.exact import SCALE, FloatArray, IntArray, to_fixed

Integers = TypeVar("Integers", bound=npt.NDArray[np.signedinteger[Any]])


# Rows at least this wide are summed down a row at a time (`running_total`).
_WIDE_ROW = 64


def running_total(values: Integers) -> Integers:
    """`np.cumsum(values, axis=0, out=values)`, the same integers: on a wide array a
    row at a time is several times faster (numpy's cumsum walks down each column, a
    row's stride per step), and integers add exactly in any order."""
    if values.ndim < 2 or values[0].size < _WIDE_ROW:
        return np.cumsum(values, axis=0, out=values)
    for row in range(1, values.shape[0]):
        np.add(values[row - 1], values[row], out=values[row])
    return values


def _reach(n_rows: int, window: int, first: int) -> int:
    """The first row, from `first` on, whose window starts inside the array (clamped)."""
    return min(max(window, first), n_rows)


def _trailing_diff(prefix: npt.NDArray[np.signedinteger[Any]], window: int,
                   first: int = 0) -> IntArray:
    """prefix[t] - prefix[t - window] for rows t >= first (prefix before row 0 is zero)."""
    n_rows = prefix.shape[0]
    out = prefix[first:].astype(np.int64)  # a copy, whatever the prefix's integer type
    lo = _reach(n_rows, window, first)
    out[lo - first:] -= prefix[lo - window:n_rows - window]
    return out


class PrefixSums:
    """Exact running sums of one array, from which any trailing window is a difference."""

    def __init__(self, values: FloatArray, what: str) -> None:
        fixed, valid = to_fixed(values, values.shape[0], what)
        self.what = what
        self.sums = running_total(fixed)
        self._valid = valid
        self._counts: npt.NDArray[np.int32] | None = None

    def window_sum(self, window: int, first: int = 0) -> FloatArray:
        """Sum of the finite values in each trailing window (partial at the top), for
        the rows from `first` on (the earlier rows serve as history only)."""
        if window < 1:
            raise ValueError(f"{self.what}: window must be >= 1, got {window}")
        # The integer difference written straight into the float result (one pass, no
        # integer temporary): the same exact difference, converted once.
        n_rows = self.sums.shape[0]
        lo = _reach(n_rows, window, first)
        sums = np.empty((n_rows - first, *self.sums.shape[1:]), dtype=np.float64)
        sums[:lo - first] = self.sums[first:lo]
        np.subtract(self.sums[lo:], self.sums[lo - window:n_rows - window],
                    out=sums[lo - first:], dtype=np.int64, casting="unsafe")
        sums /= SCALE
        return sums

    def window_count(self, window: int, first: int = 0) -> IntArray:
        """How many finite values each trailing window holds (rows from `first` on)."""
        if self._counts is None:  # only some callers need counts: build on demand
            # int32: a count is at most the number of rows; half the memory to sum.
            self._counts = running_total(self._valid.astype(np.int32))
        return _trailing_diff(self._counts, window, first)


def trailing_sum_count(values: FloatArray, window: int,
                       what: str = "values") -> tuple[FloatArray, IntArray]:
    """Sum of the finite values in each trailing window, and how many there were."""
    prefix = PrefixSums(values, what)
    return prefix.window_sum(window), prefix.window_count(window)


def trailing_true_count(flags: npt.NDArray[np.bool_], window: int,
                        first: int = 0) -> IntArray:
    """How many of each trailing window's days are True (partial at the top), for the
    rows from `first` on: integer counts, no fixed-point sums needed."""
    if window < 1:
        raise ValueError(f"window must be >= 1, got {window}")
    counts = flags.astype(np.int32)  # a count is at most the number of rows
    return _trailing_diff(running_total(counts), window, first)


def required_count(window: int, min_coverage: float, at_least: int = 2) -> int:
    return max(at_least, int(np.ceil(window * min_coverage)))


def trailing_mean(values: FloatArray | PrefixSums, window: int, min_coverage: float,
                  what: str = "values", first: int = 0) -> FloatArray:
    """Mean of each trailing window; NaN where fewer than the required days carry data.

    `first`: the rows before it are history only (every trailing_* function): the
    result starts there, with the values a result from row 0 has there."""
    prefix = values if isinstance(values, PrefixSums) else PrefixSums(values, what)
    counts = prefix.window_count(window, first)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = prefix.window_sum(window, first) / counts
    mean[counts < required_count(window, min_coverage, at_least=1)] = np.nan
    return mean


def trailing_std(values: FloatArray, window: int, min_coverage: float,
                 what: str = "values", first: int = 0) -> FloatArray:
    """Sample standard deviation of each trailing window (NaN when too few days)."""
    plain = PrefixSums(values, what)
    sums, counts = plain.window_sum(window, first), plain.window_count(window, first)
    del plain
    squares = _window_sum_of(values * values, window, what, first)
    with np.errstate(invalid="ignore", divide="ignore"):
        var = (squares - sums * sums / counts) / (counts - 1)
    var[counts < required_count(window, min_coverage)] = np.nan
    return np.sqrt(np.clip(var, 0.0, None))


def trailing_corr(x: FloatArray, y: FloatArray, window: int, min_coverage: float,
                  what: str = "values", first: int = 0) -> FloatArray:
    """Pearson correlation of x and y over each trailing window, on days both exist.

    Each window sum is folded into its term as soon as it is made (the same arithmetic,
    in the same order, as one expression): a few (days x stocks) arrays alive at a
    time, not a dozen, which a backtest's peak memory is made of.
    """
    both = np.isfinite(x) & np.isfinite(y)
    xs = np.where(both, x, np.nan)
    ys = np.where(both, y, np.nan)
    del both
    x_prefix = PrefixSums(xs, what)
    n = x_prefix.window_count(window, first)
    sx = x_prefix.window_sum(window, first)
    del x_prefix
    sy = _window_sum_of(ys, window, what, first)
    with np.errstate(invalid="ignore", divide="ignore"):
        cov = n * _window_sum_of(xs * ys, window, what, first)  # n * sxy - sx * sy
        cov -= sx * sy
        var_x = n * _window_sum_of(xs * xs, window, what, first)  # n * sxx - sx * sx
        del xs
        var_x -= sx * sx
        del sx
        var_y = n * _window_sum_of(ys * ys, window, what, first)  # n * syy - sy * sy
        del ys
        var_y -= sy * sy
        del sy
        # A flat series has no defined correlation.
        undefined = n < required_count(window, min_coverage)
        del n
        undefined |= var_x <= 0
        undefined |= var_y <= 0
        var_x *= var_y  # cov / sqrt(var_x * var_y), in place
        del var_y
        np.sqrt(var_x, out=var_x)
        corr = np.divide(cov, var_x, out=cov)
    corr[undefined] = np.nan
    return np.clip(corr, -1.0, 1.0, out=corr)


def _window_sum_of(values: FloatArray, window: int, what: str, first: int) -> FloatArray:
    return PrefixSums(values, what).window_sum(window, first)
