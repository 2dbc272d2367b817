"""Order-independent sums: fixed-point integers instead of floating-point accumulation.

Why: a float sum depends on the order and grouping of its terms, so the same day's
cross-section summed inside a 250-day nightly panel and inside a 3-year backtest
panel (with other, empty columns) could differ in the last bit. The nightly orders
and the backtest's orders must be *identical* (the parity test compares them), so
every reduction the model makes goes through integers, which add exactly.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

# Fixed-point resolution 2**-32 (about 2.3e-10): far below any factor's noise.
SCALE = float(2**32)
_INT64_HEADROOM = float(2**62)
# Rows per block (to_fixed, row_sums): both work row by row, so a block of rows at a
# time gives the same integers with scratch arrays of a few MB (in cache) instead of
# full-size temporaries touched afresh.
_ROWS_PER_BLOCK = 64


def to_fixed(values: FloatArray, terms: int, what: str) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Finite values as int64 multiples of 1/SCALE (NaN as 0) and the finite mask.

    `terms` is the most values that will be added together; raises if that could
    overflow int64.
    """
    valid = np.isfinite(values)
    if valid.any():
        with np.errstate(invalid="ignore"):
            largest = float(max(np.nanmax(values), -np.nanmin(values)))
        if not np.isfinite(largest) or largest * SCALE * max(terms, 1) >= _INT64_HEADROOM:
            raise ValueError(f"{what}: values up to {largest:.3g} summed over {terms} terms "
                             "overflow the fixed-point sums")
    # A block of rows at a time through one small scratch array (elementwise, so the
    # same integers): no full-size float temporary to allocate and touch.
    fixed = np.empty(values.shape, dtype=np.int64)
    for top in range(0, values.shape[0], _ROWS_PER_BLOCK):
        rows = slice(top, top + _ROWS_PER_BLOCK)
        scaled = values[rows] * SCALE
        np.rint(scaled, out=scaled)
        np.putmask(scaled, ~valid[rows], 0.0)  # about twice as fast as a boolean assignment
        fixed[rows] = scaled
    return fixed, valid


def row_sums(values: FloatArray, what: str = "values") -> tuple[FloatArray, IntArray]:
    """Per row, the exact sum of the finite values (as float) and how many there were."""
    n_rows = values.shape[0]
    totals = np.empty((n_rows, 1), dtype=np.int64)
    counts = np.empty((n_rows, 1), dtype=np.int64)
    for top in range(0, max(n_rows, 1), _ROWS_PER_BLOCK):
        block = slice(top, top + _ROWS_PER_BLOCK)
        fixed, valid = to_fixed(values[block], values.shape[1], what)
        fixed.sum(axis=1, keepdims=True, out=totals[block])
        valid.sum(axis=1, keepdims=True, dtype=np.int64, out=counts[block])
    return totals.astype(np.float64) / SCALE, counts


def row_means(values: FloatArray, what: str = "values") -> FloatArray:
    """Per row (keepdims), the mean of the finite values; NaN for an empty row."""
    sums, counts = row_sums(values, what)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray(sums / counts, dtype=np.float64)
